"""`flask iys push` against the simulator over HTTP: each record once, in order, through outages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal import clock
from portal.extensions import db as _db
from portal.iys import services
from portal.iys.models import FAILED, PENDING, SENT, SKIPPED
from tests.iys.conftest import HANG_TIMEOUT, PHONE, change_consents, pushes, records

NOON_UTC = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def fan(make_user):
    return make_user(email="fan@example.com", phone=PHONE)


def test_every_record_reaches_iys_once(app, runner, iys, fan):
    clock.freeze(NOON_UTC)
    email_on, sms_on = change_consents(app, fan.id, email_allowed=True, sms_allowed=True)
    clock.advance(minutes=5)
    [sms_off] = change_consents(app, fan.id, sms_allowed=False)
    assert {p.state for p in pushes(app).values()} == {PENDING}

    result = runner.invoke(args=["iys", "push"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("sent: 3, failed: 0, refused by İYS: 0, skipped: 0")

    held = iys.consents()
    assert [{k: v for k, v in c.items() if k not in ("transactionId", "creationDate")} for c in held] == [
            {"recipient": "fan@example.com", "recipientType": "BIREYSEL", "type": "EPOSTA", "source": "HS_WEB",
             "status": "ONAY", "consentDate": "2026-06-15 15:00:00"},
            {"recipient": PHONE, "recipientType": "BIREYSEL", "type": "MESAJ", "source": "HS_WEB",
             "status": "ONAY", "consentDate": "2026-06-15 15:00:00"},
            {"recipient": PHONE, "recipientType": "BIREYSEL", "type": "MESAJ", "source": "HS_WEB",
             "status": "RET", "consentDate": "2026-06-15 15:05:00"},
    ]
    state = pushes(app)
    assert [state[i].state for i in (email_on, sms_on, sms_off)] == [SENT, SENT, SENT]
    assert [state[i].transaction_id for i in (email_on, sms_on, sms_off)] == [c["transactionId"] for c in held]
    assert [state[i].attempts for i in (email_on, sms_on, sms_off)] == [1, 1, 1]

    again = runner.invoke(args=["iys", "push"])
    assert again.output.strip().startswith("sent: 0, failed: 0")
    assert iys.consent_posts() == 3
    assert len(iys.consents()) == 3


def test_records_written_by_the_api_are_queued_in_their_transaction(app, client, iys, fan):
    """A face of the portal (the shop's withdrawal endpoint) writes a record: its push row comes with it."""
    change_consents(app, fan.id, email_allowed=True)
    app.config["CONSENT_API_TOKEN"] = "shop-secret-0123456789"
    response = client.post("/consents/withdraw/", json={"recipient": "fan@example.com"},
                           headers={"Authorization": "Bearer shop-secret-0123456789"})
    assert response.status_code == 200
    grant, withdrawal = records(app)
    assert (withdrawal.status, withdrawal.iys_type) == ("RET", "EPOSTA")
    assert {i: p.state for i, p in pushes(app).items()} == {grant.id: PENDING, withdrawal.id: PENDING}


def test_a_first_record_that_is_ret_is_skipped(app, runner, iys, fan):
    """Sign-up records every channel, refusals too: a RET for an address İYS never had is not sent."""
    with app.app_context():
        from portal.profile import services as profile
        from tests.iys.conftest import WEB

        user = profile.get_user(fan.id)
        profile.record_consents(user=user, consents={"email_allowed": True, "sms_allowed": False,
                                                     "call_allowed": False}, origin=WEB, initial=True)
        _db.session.commit()
    email, sms, call = records(app)
    result = runner.invoke(args=["iys", "push"])
    assert result.output.strip().startswith("sent: 1, failed: 0, refused by İYS: 0, skipped: 2")
    state = pushes(app)
    assert (state[email.id].state, state[sms.id].state, state[call.id].state) == (SENT, SKIPPED, SKIPPED)
    assert (state[sms.id].error, state[call.id].error) == ("ret_first", "ret_first")
    assert [(c["type"], c["status"]) for c in iys.consents()] == [("EPOSTA", "ONAY")]
    assert iys.consent_posts() == 1


def test_iys_down_leaves_everything_pending(app, runner, iys, fan):
    change_consents(app, fan.id, email_allowed=True)
    iys.fail("500")
    result = runner.invoke(args=["iys", "push"])
    assert result.exit_code == 1
    assert "İYS did not answer" in result.output
    assert [(p.state, p.attempts) for p in pushes(app).values()] == [(PENDING, 0)]
    iys.heal()
    assert runner.invoke(args=["iys", "push"]).output.startswith("sent: 1")
    assert len(iys.consents()) == 1


def authenticated(app):
    """A client that already holds its token, so that a fault hits the consent calls."""
    with app.app_context():
        client = services.client()
        client.authenticate()
        return client


def push(app, **options) -> dict:
    with app.app_context():
        return services.push(**options)


def test_a_500_fails_the_record_with_backoff_and_a_later_push_delivers_it(app, iys, fan):
    clock.freeze(NOON_UTC)
    [record_id] = change_consents(app, fan.id, email_allowed=True)
    iys_client = authenticated(app)
    iys.fail("500")
    assert push(app, iys=iys_client)[FAILED] == 1
    failed = pushes(app)[record_id]
    assert (failed.state, failed.attempts) == (FAILED, 1)
    assert failed.error == "POST /sps/612345/brands/612346/consents: HTTP 500"
    assert failed.next_attempt_at == NOON_UTC + timedelta(seconds=60)

    clock.advance(seconds=61)
    assert push(app, iys=iys_client)[FAILED] == 1  # still failing: the wait doubles
    assert pushes(app)[record_id].next_attempt_at == clock.now() + timedelta(seconds=120)

    iys.heal()
    assert push(app, iys=iys_client)[SENT] == 0  # the backoff has not passed
    clock.advance(seconds=121)
    assert push(app, iys=iys_client)[SENT] == 1
    sent = pushes(app)[record_id]
    assert (sent.state, sent.attempts, sent.error, sent.next_attempt_at) == (SENT, 3, None, None)
    assert len(iys.consents()) == 1


def test_a_hang_fails_the_record_and_the_retry_counts_what_iys_got_as_sent(app, iys, fan):
    clock.freeze(NOON_UTC)
    [record_id] = change_consents(app, fan.id, sms_allowed=True)
    app.config["IYS_READ_TIMEOUT"] = HANG_TIMEOUT
    iys_client = authenticated(app)
    iys.fail("hang", seconds=3)
    assert push(app, iys=iys_client)[FAILED] == 1
    assert pushes(app)[record_id].error.endswith("timed out")
    iys.heal()  # the hanging call goes on: İYS registers the consent the portal gave up on
    [registered] = iys.consents()

    clock.advance(seconds=61)
    assert push(app, iys=iys_client)[SENT] == 1  # İYS answers "already registered": that is sent
    sent = pushes(app)[record_id]
    assert (sent.state, sent.transaction_id) == (SENT, registered["transactionId"])
    assert len(iys.consents()) == 1


def test_an_address_waits_for_its_earlier_record(app, iys, fan):
    """İYS must see an address's changes in order: a RET never overtakes the ONAY before it."""
    clock.freeze(NOON_UTC)
    [grant] = change_consents(app, fan.id, sms_allowed=True)
    clock.advance(minutes=1)
    [refusal] = change_consents(app, fan.id, sms_allowed=False)
    [email] = change_consents(app, fan.id, email_allowed=True)
    iys_client = authenticated(app)
    iys.fail("500", count=1)
    counts = push(app, iys=iys_client)
    assert (counts[FAILED], counts["deferred"], counts[SENT]) == (1, 1, 1)
    state = pushes(app)
    assert (state[grant].state, state[refusal].state, state[refusal].attempts, state[email].state) == (
        FAILED, PENDING, 0, SENT)
    clock.advance(seconds=61)
    assert push(app, iys=iys_client)[SENT] == 2
    assert [(c["type"], c["status"]) for c in iys.consents()] == [
        ("EPOSTA", "ONAY"), ("MESAJ", "ONAY"), ("MESAJ", "RET")]


def test_push_without_iys_url_refuses(runner, app, db):
    app.config["IYS_URL"] = ""
    result = runner.invoke(args=["iys", "push"])
    assert result.exit_code == 1
    assert "IYS_URL is not set" in result.output
