"""Admin forms for the dynamic settings. They only parse the HTML input into
values; ``services.validate_setting`` holds the rules (also used by the CLI)."""

from wtforms import FloatField
from wtforms.validators import Optional

from portal.accounts.forms import SecretField
from portal.forms import PortalForm, StrictBooleanField, TextField
from portal.i18n import lazy_gettext as _l


class KvkkSettingForm(PortalForm):
    enabled = StrictBooleanField(_l("Confirm consent and phone changes with an SMS code"))


class LoyaltyServiceForm(PortalForm):
    base_url = TextField(_l("Base URL"), render_kw={"autocomplete": "off"})
    api_key = SecretField(_l("API key"), render_kw={"autocomplete": "off"})
    timeout = FloatField(_l("Timeout (seconds)"), [Optional()])
