"""Style guide entries for the settings admin page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from portal.settings.forms import KvkkSettingForm, LoyaltyServiceForm
from portal.styleguide import entry, fixtures


def _admin():
    return fixtures.customer(id=9, email="admin@example.com", first_name="Deniz", last_name="Arslan", role="admin")


ROWS = [
    {
        "key": "CUSTOMER_LOYALTY_CARD_SERVICE",
        "value": {"base_url": "http://127.0.0.1:5055", "api_key": "********", "timeout": 5.0},
        "updated_at": datetime(2026, 5, 2, 16, 20, tzinfo=UTC),
        "updated_by": 9,
    },
    {
        "key": "KVKK_CONFIRMATION_ENABLED",
        "value": True,
        "updated_at": datetime(2026, 4, 28, 8, 0, tzinfo=UTC),
        "updated_by": None,
    },
]


def _settings(*, rows=(), loyalty_form=None, configured: bool = False, kvkk: bool = False) -> dict:
    return {
        "current_user": _admin(),
        "kvkk_form": KvkkSettingForm(formdata=None, enabled=kvkk),
        "loyalty_form": loyalty_form or LoyaltyServiceForm(formdata=None, timeout=5.0),
        "loyalty_configured": configured,
        "rows": list(rows),
    }


@entry("settings/settings.html", "empty", logged_in=True, note="Nothing set yet: KVKK off, no loyalty service.")
def settings_empty():
    return _settings()


@entry("settings/settings.html", "configured", logged_in=True, note="Both set; the API key is never shown.")
def settings_configured():
    form = LoyaltyServiceForm(formdata=None, base_url="http://127.0.0.1:5055", timeout=5.0)
    return _settings(rows=ROWS, loyalty_form=form, configured=True, kvkk=True)


@entry("settings/settings.html", "field errors", logged_in=True, note="The loyalty service form, sent back.")
def settings_errors():
    form = fixtures.submitted(LoyaltyServiceForm, {"base_url": "ftp://loyalty", "api_key": "", "timeout": "soon"})
    form.add_errors(
        {
            "base_url": [_("Enter an http or https URL without query or fragment.")],
            "api_key": [_("This field is required.")],
        }
    )
    return _settings(loyalty_form=form)
