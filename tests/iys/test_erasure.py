"""Erasing a customer withdraws at İYS every permission the portal registered there (docs/iys.md,
"Erased customers"), over real HTTP against the simulator, through the faces that erase."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import User
from portal.extensions import db as _db
from portal.iys import services
from portal.iys.models import FAILED, PENDING, RET_FIRST, SENT, SKIPPED, IysPush
from portal.privacy import services as privacy
from portal.privacy.services import address_fingerprint, erased_email
from portal.profile import services as profile
from portal.profile.models import ConsentRecord
from tests.agents.conftest import agent, console  # noqa: F401 (fixtures)
from tests.conftest import DEMO_PASSWORD, page
from tests.iys.conftest import (
    BRAND_CODE,
    IYS_CODE,
    PASSWORD,
    PHONE,
    USERNAME,
    WEB,
    change_consents,
    pushes,
    records,
)
from tests.iys.test_concurrency import needs_postgresql

EMAIL = "demo@example.com"
GRANTED_AT = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
ERASED_AT = datetime(2026, 6, 20, 10, 30, tzinfo=UTC)  # 13:30 in Turkey


def held(iys) -> list[tuple[str, str, str, str, str]]:
    """What the simulator holds, in the order it got it: (recipient, type, status, source, date)."""
    return [(c["recipient"], c["type"], c["status"], c["source"], c["consentDate"]) for c in iys.consents()]


def push(runner) -> str:
    result = runner.invoke(args=["iys", "push"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def erase_by_api(app, email: str = EMAIL) -> None:
    """The storefront's "delete my account" (PATCH /users/anonymize/, source HS_MOBIL)."""
    client = app.test_client()
    assert client.post("/users/login/", json={"email": email, "password": DEMO_PASSWORD}).status_code == 200
    token = client.get("/csrf_token/").get_json()["csrf_token"]
    response = client.patch("/users/anonymize/", headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)


def stored_addresses(app) -> str:
    """Every value of every consent record and push row, as one string (to look for an address in)."""
    with app.app_context():
        rows = [*_db.session.execute(select(ConsentRecord)).scalars(),
                *_db.session.execute(select(IysPush)).unique().scalars()]
        values = " ".join(str(getattr(row, column.name)) for row in rows for column in row.__table__.columns)
        _db.session.expunge_all()
        return values


@pytest.fixture
def granted_and_pushed(app, runner, iys, customer):
    """The demo customer granted SMS and email, and İYS holds both ONAYs."""
    clock.freeze(GRANTED_AT)
    change_consents(app, customer.id, email_allowed=True, sms_allowed=True)
    assert push(runner).startswith("sent: 2, failed: 0")
    return customer


def test_an_erasure_withdraws_both_addresses_at_iys_once(app, runner, iys, granted_and_pushed):
    customer = granted_and_pushed
    clock.freeze(ERASED_AT)
    erase_by_api(app)

    email_on, sms_on, email_off, sms_off = records(app)
    assert [(r.channel, r.status, r.source, r.iys_source) for r in (email_off, sms_off)] == [
        ("email", "RET", "erasure", "HS_MOBIL"), ("sms", "RET", "erasure", "HS_MOBIL"),
    ]
    assert {r.created_at for r in (email_off, sms_off)} == {ERASED_AT}
    # The history names no address any more; the queued RETs carry theirs until İYS has them.
    assert {r.recipient for r in records(app)} == {address_fingerprint(EMAIL), address_fingerprint(PHONE)}
    queued = pushes(app)
    assert [(queued[r.id].state, queued[r.id].recipient) for r in (email_off, sms_off)] == [
        (PENDING, EMAIL), (PENDING, PHONE),
    ]
    assert (queued[email_on.id].recipient, queued[sms_on.id].recipient) == (None, None)

    assert push(runner).startswith("sent: 2, failed: 0, refused by İYS: 0, skipped: 0")
    assert held(iys) == [
        (EMAIL, "EPOSTA", "ONAY", "HS_WEB", "2026-06-15 12:00:00"),
        (PHONE, "MESAJ", "ONAY", "HS_WEB", "2026-06-15 12:00:00"),
        (EMAIL, "EPOSTA", "RET", "HS_MOBIL", "2026-06-20 13:30:00"),
        (PHONE, "MESAJ", "RET", "HS_MOBIL", "2026-06-20 13:30:00"),
    ]
    sent = pushes(app)
    assert {(p.state, p.recipient) for p in sent.values()} == {(SENT, None)}
    # Once İYS has them, the portal keeps neither address anywhere.
    values = stored_addresses(app)
    assert EMAIL not in values and PHONE not in values

    assert push(runner).startswith("sent: 0, failed: 0, refused by İYS: 0, skipped: 0")
    assert iys.consent_posts() == 4
    assert customer.id == email_off.user_id


def test_nothing_granted_sends_nothing(app, runner, iys, customer):
    """Sign-up records every refusal; never granted, there is nothing at İYS to withdraw."""
    clock.freeze(GRANTED_AT)
    with app.app_context():
        user = profile.get_user(customer.id)
        profile.record_consents(user=user, consents=dict.fromkeys(("email_allowed", "sms_allowed", "call_allowed"),
                                                                  False), origin=WEB, initial=True)
        _db.session.commit()
    assert push(runner).startswith("sent: 0, failed: 0, refused by İYS: 0, skipped: 3")
    clock.freeze(ERASED_AT)
    erase_by_api(app)
    assert [r.source for r in records(app)] == ["web", "web", "web"]  # nothing was on: no withdrawal written
    assert push(runner).startswith("sent: 0, failed: 0, refused by İYS: 0, skipped: 0")
    assert iys.consent_posts() == 0 and iys.consents() == []


def test_a_consent_withdrawn_before_sends_no_second_ret(app, runner, iys, granted_and_pushed):
    clock.freeze(ERASED_AT)
    change_consents(app, granted_and_pushed.id, email_allowed=False)
    erase_by_api(app)
    assert push(runner).startswith("sent: 2, failed: 0")  # the customer's own RET, then the erasure's (SMS)
    assert [(c[0], c[2]) for c in held(iys)] == [(EMAIL, "ONAY"), (PHONE, "ONAY"), (EMAIL, "RET"), (PHONE, "RET")]


def test_a_permission_iys_refused_is_not_withdrawn(app, runner, iys, make_user):
    """İYS refused the ONAY (a number it does not take): it holds nothing, so the erasure's RET is
    skipped at once and its address is not kept."""
    clock.freeze(GRANTED_AT)
    abroad = make_user(email="abroad@example.com", phone="+9055511")  # too short for İYS
    change_consents(app, abroad.id, sms_allowed=True)
    assert push(runner).startswith("sent: 0, failed: 0, refused by İYS: 1")
    clock.freeze(ERASED_AT)
    erase_by_api(app, "abroad@example.com")
    _grant, withdrawal = records(app)
    assert (withdrawal.status, withdrawal.source) == ("RET", "erasure")
    state = pushes(app)[withdrawal.id]
    assert (state.state, state.error, state.recipient) == (SKIPPED, RET_FIRST, None)
    assert push(runner).startswith("sent: 0, failed: 0, refused by İYS: 0, skipped: 0")
    assert iys.consent_posts() == 1  # the refused ONAY only
    assert "+9055511" not in stored_addresses(app)


def test_an_unsent_onay_is_sent_then_withdrawn(app, runner, iys, customer):
    """Decision: ONAY then RET (docs/iys.md): İYS's history shows the permission and its end, and an
    ONAY that may already have reached İYS (a hang, an outage) is withdrawn all the same."""
    clock.freeze(GRANTED_AT)
    [sms_on] = change_consents(app, customer.id, sms_allowed=True)
    clock.freeze(ERASED_AT)
    erase_by_api(app)
    _grant, sms_off = records(app)
    queued = pushes(app)
    assert [(queued[i].state, queued[i].recipient) for i in (sms_on, sms_off.id)] == [
        (PENDING, PHONE), (PENDING, PHONE),
    ]
    assert push(runner).startswith("sent: 2, failed: 0, refused by İYS: 0, skipped: 0")
    assert held(iys) == [
        (PHONE, "MESAJ", "ONAY", "HS_WEB", "2026-06-15 12:00:00"),
        (PHONE, "MESAJ", "RET", "HS_MOBIL", "2026-06-20 13:30:00"),
    ]
    assert {(p.state, p.recipient) for p in pushes(app).values()} == {(SENT, None)}


def test_an_onay_failed_in_an_outage_is_retried_then_withdrawn(app, runner, auth, iys, customer):
    clock.freeze(GRANTED_AT)
    [sms_on] = change_consents(app, customer.id, sms_allowed=True)
    iys.fail("500", passing=1)  # the token, then İYS fails
    assert push(runner).startswith("sent: 0, failed: 1")
    assert (pushes(app)[sms_on].state, pushes(app)[sms_on].recipient) == (FAILED, PHONE)  # kept for the retry

    clock.freeze(ERASED_AT)
    auth.login()  # the customer's own page, with the password (source HS_WEB)
    response = auth.post("/account/privacy/erase", {"password": DEMO_PASSWORD}, token_from="/account/privacy")
    assert response.status_code == 303
    _grant, sms_off = records(app)
    assert (pushes(app)[sms_off.id].state, pushes(app)[sms_off.id].recipient) == (PENDING, PHONE)

    iys.heal()
    assert push(runner).startswith("sent: 2, failed: 0, refused by İYS: 0, skipped: 0")
    assert held(iys) == [
        (PHONE, "MESAJ", "ONAY", "HS_WEB", "2026-06-15 12:00:00"),
        (PHONE, "MESAJ", "RET", "HS_WEB", "2026-06-20 13:30:00"),
    ]
    assert {(p.state, p.recipient) for p in pushes(app).values()} == {(SENT, None)}
    assert PHONE not in stored_addresses(app)
    assert iys.consent_posts() == 3  # the failed try, then each record once


def test_the_erasure_and_its_rets_are_one_transaction(app, runner, iys, granted_and_pushed):
    """The database refuses the erasure's last step (its placeholder email is taken) after the RETs
    are queued: neither the erasure nor a RET is left, and the push has nothing to send."""
    customer = granted_and_pushed
    with app.app_context():
        _db.session.add(User(email=erased_email(customer.id), password_hash="x", first_name="", last_name=""))
        _db.session.commit()
    clock.freeze(ERASED_AT)
    with app.test_request_context(), pytest.raises(IntegrityError):
        privacy.erase_account(user_id=customer.id, origin=WEB)
    with app.app_context():
        user = _db.session.get(User, customer.id)
        assert (user.email, user.phone, user.erased_at, user.sms_allowed, user.email_allowed) == (
            EMAIL, PHONE, None, True, True)
    assert [(r.status, r.recipient) for r in records(app)] == [("ONAY", EMAIL), ("ONAY", PHONE)]
    assert {(p.state, p.recipient) for p in pushes(app).values()} == {(SENT, None)}
    assert push(runner).startswith("sent: 0, failed: 0, refused by İYS: 0, skipped: 0")
    assert iys.consent_posts() == 2


def test_an_agents_erasure_withdraws_as_customer_service(app, runner, iys, console, agent, granted_and_pushed):  # noqa: F811
    customer = granted_and_pushed
    clock.freeze(ERASED_AT)
    console.login()
    response = console.erase(customer.id, "Ticket T-31: asked by phone")
    assert response.status_code == 303
    _email_on, _sms_on, email_off, sms_off = records(app)
    assert {(r.source, r.iys_source, r.actor_id) for r in (email_off, sms_off)} == {
        ("erasure", "HS_CAGRI_MERKEZI", agent.id)
    }
    # The customer page names the withdrawals' source.
    doc = page(console.client.get(f"/agent/customers/{customer.id}"))
    rows = doc.find_all("tr", attrs={"data-source": "erasure"})
    assert len(rows) == 2
    assert all("account deletion" in [td.get_text(strip=True) for td in row.find_all("td")] for row in rows)

    assert push(runner).startswith("sent: 2, failed: 0")
    assert held(iys)[2:] == [
        (EMAIL, "EPOSTA", "RET", "HS_CAGRI_MERKEZI", "2026-06-20 13:30:00"),
        (PHONE, "MESAJ", "RET", "HS_CAGRI_MERKEZI", "2026-06-20 13:30:00"),
    ]


@needs_postgresql
def test_an_erasure_never_waits_for_a_push_and_no_queued_record_loses_its_address(
    app, runner, iys, customer, make_user
):
    """A push holds the customer's unsent ONAY (claimed, İYS hanging on the record before it): the
    erasure skips that locked row instead of waiting; the push then fails the ONAY and keeps the
    address it was claimed with, so the retry sends the ONAY, then the erasure's RET."""
    app.config["IYS_READ_TIMEOUT"] = 120.0  # the push waits for İYS until the test lets it go on
    clock.freeze(GRANTED_AT)
    other = make_user(email="first@example.com")
    change_consents(app, other.id, email_allowed=True)  # first in the batch: İYS hangs on it
    [sms_on] = change_consents(app, customer.id, sms_allowed=True)
    iys.fail("hang", seconds=120, passing=1)  # the token passes

    outcome: list = []

    def run_push():
        try:
            with app.app_context():
                outcome.append(services.push(size=10))
        except Exception as error:  # the test's failure, not a lost thread
            outcome.append(error)

    pusher = threading.Thread(target=run_push)
    pusher.start()
    try:
        for _ in range(3000):  # until the push's first consent call hangs in the simulator (at most 30 s)
            if iys.consent_posts():
                break
            threading.Event().wait(0.01)
        assert iys.consent_posts() == 1

        clock.freeze(ERASED_AT)
        eraser = threading.Thread(target=erase_by_api, args=(app,))
        eraser.start()
        eraser.join(timeout=60)
        assert not eraser.is_alive(), "the erasure waited for the push"
        assert pusher.is_alive()  # still inside İYS's hang, holding the ONAY's row
        _first, _grant, sms_off = records(app)
        assert pushes(app)[sms_on].recipient is None  # locked by the push: the erasure left it
        assert (pushes(app)[sms_off.id].state, pushes(app)[sms_off.id].recipient) == (PENDING, PHONE)
    finally:
        iys.fail("500")  # the hanging call goes on and succeeds; the next one (the ONAY) fails
        pusher.join(timeout=120)
    [counts] = outcome
    assert (counts[SENT], counts[FAILED]) == (1, 1)
    assert (pushes(app)[sms_on].state, pushes(app)[sms_on].recipient) == (FAILED, PHONE)

    iys.heal()
    result = runner.invoke(args=["iys", "push", "--all"])
    assert result.output.strip().splitlines()[-1].startswith("sent: 2, failed: 0, refused by İYS: 0, skipped: 0")
    assert held(iys) == [
        ("first@example.com", "EPOSTA", "ONAY", "HS_WEB", "2026-06-15 12:00:00"),
        (PHONE, "MESAJ", "ONAY", "HS_WEB", "2026-06-15 12:00:00"),
        (PHONE, "MESAJ", "RET", "HS_MOBIL", "2026-06-20 13:30:00"),
    ]
    assert {(p.state, p.recipient) for p in pushes(app).values()} == {(SENT, None)}


def test_with_iys_sync_off_no_address_is_kept(app, runner, iys_sim, customer):
    """Nothing was sent to İYS, so nothing needs withdrawing there: the erasure keeps no address, and
    switching sync on later sends nothing for the erased customer."""
    clock.freeze(GRANTED_AT)
    change_consents(app, customer.id, email_allowed=True, sms_allowed=True)
    assert not app.config["IYS_URL"]
    clock.freeze(ERASED_AT)
    erase_by_api(app)
    assert len(records(app)) == 4
    values = stored_addresses(app)
    assert EMAIL not in values and PHONE not in values

    app.config.update(IYS_URL=iys_sim.url, IYS_CODE=IYS_CODE, IYS_BRAND_CODE=BRAND_CODE, IYS_USERNAME=USERNAME,
                      IYS_PASSWORD=PASSWORD)
    assert push(runner).startswith("sent: 0, failed: 0, refused by İYS: 0, skipped: 4")
    assert iys_sim.consent_posts() == 0


@pytest.mark.parametrize(("language", "words"), [("en", "withdrawn there too"), ("tr", "orada da geri alınır")])
def test_the_privacy_page_says_iys_is_told(auth, client, make_user, language, words):
    make_user(email="reader@example.com", language_code=language)
    auth.login("reader@example.com")
    said = page(client.get("/account/privacy")).find("section", id="erase").find("p", id="erase-iys")
    assert said is not None and words in said.get_text() and "İYS" in said.get_text()
