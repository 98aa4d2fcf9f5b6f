"""`flask iys pull`: a refusal made in İYS becomes a RET record, switches the consent off,
and shows in the consent history with its İYS source."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.extensions import db as _db
from portal.iys.models import SKIPPED, IysSync
from tests.conftest import DEMO_PASSWORD, page
from tests.iys.conftest import PHONE, change_consents, pushes, records

NOON_UTC = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def fan(make_user):
    return make_user(email="fan@example.com", phone=PHONE)


def consents_of(app, user_id: int) -> tuple[bool, bool, bool]:
    with app.app_context():
        user = _db.session.get(User, user_id)
        return user.email_allowed, user.sms_allowed, user.call_allowed


def cursor(app) -> str | None:
    with app.app_context():
        row = _db.session.execute(select(IysSync).where(IysSync.name == "pull")).scalar_one_or_none()
        return None if row is None else row.cursor


def test_a_refusal_made_in_iys_switches_the_consent_off(app, runner, client, auth, iys, fan):
    clock.freeze(NOON_UTC)
    change_consents(app, fan.id, email_allowed=True, sms_allowed=True)
    assert runner.invoke(args=["iys", "push"]).exit_code == 0
    iys.citizen_refuses(recipient=PHONE, type="MESAJ", source="IYS_EDEVLET", consentDate="2026-06-16 10:30:00")

    result = runner.invoke(args=["iys", "pull"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "changes read: 3, refusals: 1, consents switched off: 1"
    assert consents_of(app, fan.id) == (True, False, False)
    refusal = records(app)[-1]
    assert (refusal.channel, refusal.status, refusal.recipient, refusal.source, refusal.iys_source) == (
        "sms", "RET", PHONE, "iys", "IYS_EDEVLET")
    assert refusal.created_at == datetime(2026, 6, 16, 7, 30, tzinfo=UTC)  # 10:30 Turkey time
    assert (pushes(app)[refusal.id].state, pushes(app)[refusal.id].error) == (SKIPPED, "from_iys")
    assert cursor(app) == "3"

    # Not pushed back to İYS, and read only once.
    assert runner.invoke(args=["iys", "push"]).output.startswith("sent: 0")
    assert len(iys.consents()) == 3
    again = runner.invoke(args=["iys", "pull"])
    assert again.output.strip() == "changes read: 0, refusals: 0, consents switched off: 0"
    assert len(records(app)) == 3

    auth.login(email="fan@example.com", password=DEMO_PASSWORD)
    history = page(client.get("/account/consents")).find("table", id="consent-history")
    newest = history.find("tbody").find_all("tr")[0]
    assert newest["data-channel"] == "sms" and newest["data-granted"] == "false"
    assert newest.find("td", class_="consent-history__source").get_text(strip=True) == "İYS via e-Devlet"


def test_a_grant_made_after_the_refusal_stands(app, runner, iys, fan):
    """The customer refused in İYS, then granted again in the portal: the older refusal changes nothing."""
    clock.freeze(datetime(2026, 6, 16, 12, 0, tzinfo=UTC))
    change_consents(app, fan.id, email_allowed=True)
    iys.citizen_refuses(recipient="fan@example.com", type="EPOSTA", source="IYS_WEB",
                        consentDate="2026-06-16 09:00:00")  # 06:00 UTC, before the grant
    result = runner.invoke(args=["iys", "pull"])
    assert result.output.strip() == "changes read: 1, refusals: 1, consents switched off: 0"
    assert consents_of(app, fan.id) == (True, False, False)
    assert len(records(app)) == 1


def test_the_cursor_moves_page_by_page_with_its_records(app, runner, iys, fan, make_user):
    """Each page's records and the cursor after it commit together: an outage on page 2 keeps page 1."""
    clock.freeze(NOON_UTC)
    other = make_user(email="other@example.com", phone="+905321234567")
    change_consents(app, fan.id, email_allowed=True)
    change_consents(app, other.id, sms_allowed=True, call_allowed=True)
    app.config["IYS_PULL_PAGE_SIZE"] = 1
    iys.citizen_refuses(recipient="fan@example.com", type="EPOSTA", source="IYS_MOBIL")
    iys.citizen_refuses(recipient="+905321234567", type="ARAMA", source="IYS_KISA_MESAJ")
    iys.fail("500", passing=2)  # the token and the first page answer; the second page fails
    result = runner.invoke(args=["iys", "pull"])
    assert result.exit_code == 1
    assert cursor(app) == "1"
    assert consents_of(app, fan.id) == (False, False, False)
    assert consents_of(app, other.id) == (False, True, True)

    iys.heal()
    result = runner.invoke(args=["iys", "pull"])
    assert result.output.strip() == "changes read: 1, refusals: 1, consents switched off: 1"
    assert cursor(app) == "2"
    assert consents_of(app, other.id) == (False, True, False)
    assert [r.iys_source for r in records(app)[-2:]] == ["IYS_MOBIL", "IYS_KISA_MESAJ"]


def test_pull_with_iys_down_keeps_the_cursor(app, runner, iys, fan):
    clock.freeze(NOON_UTC)
    change_consents(app, fan.id, email_allowed=True)
    iys.citizen_refuses(recipient="fan@example.com", type="EPOSTA", source="IYS_WEB")
    iys.fail("500")
    result = runner.invoke(args=["iys", "pull"])
    assert result.exit_code == 1
    assert cursor(app) is None
    assert consents_of(app, fan.id) == (True, False, False)
    iys.heal()
    result = runner.invoke(args=["iys", "pull"])
    assert result.output.strip() == "changes read: 1, refusals: 1, consents switched off: 1"
