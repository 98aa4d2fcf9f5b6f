"""The profile services: one transaction per change, and the consent history as evidence."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask_login import login_user
from sqlalchemy import delete, select, update

from portal import clock
from portal.accounts import email_flows
from portal.accounts.models import User
from portal.accounts.services import create_user
from portal.errors import FieldErrors
from portal.extensions import db
from portal.otp.models import SmsMessage
from portal.profile import services
from portal.profile.models import AppendOnlyError, ConsentRecord
from portal.request_context import ChangeOrigin, change_origin
from tests.conftest import DEMO_PASSWORD
from tests.profile.conftest import NEW_PHONE, PHONE, image_bytes

API = ChangeOrigin(source="api", actor_id=None, client_ip="203.0.113.9", user_agent="Shop/1")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield
        db.session.remove()


def records(user_id: int) -> list[ConsentRecord]:
    return list(db.session.execute(select(ConsentRecord).where(ConsentRecord.user_id == user_id)).scalars())


def test_record_consents_appends_one_row_per_changed_channel(ctx, customer):
    user = db.session.get(User, customer.id)
    origin = ChangeOrigin(source="web", actor_id=customer.id, client_ip="198.51.100.1", user_agent="Firefox")
    services.record_consents(
        user=user, consents={"email_allowed": True, "sms_allowed": False, "call_allowed": True}, origin=origin,
        code_reference="otp:7",
    )
    db.session.commit()
    rows = records(customer.id)
    assert [(r.channel, r.granted) for r in rows] == [("email", True), ("call", True)]
    row = rows[0]
    assert (row.source, row.actor_id, row.client_ip, row.user_agent) == ("web", customer.id, "198.51.100.1", "Firefox")
    assert (row.notice_version, row.code_reference) == ("1", "otp:7")
    assert row.created_at.tzinfo is not None
    assert user.attributes["kvkk_flat_page_version"] == "1"


@pytest.mark.config(KVKK_NOTICE_VERSION="2026-03")
def test_the_configured_notice_version_is_recorded(ctx, customer):
    user = db.session.get(User, customer.id)
    services.record_consents(user=user, consents={"sms_allowed": True}, origin=API)
    db.session.commit()
    assert records(customer.id)[0].notice_version == "2026-03"


def test_record_consents_works_inside_a_registration_transaction(ctx):
    """Registration creates the user and records its consents in one commit."""
    user = User(email="new@example.com", password_hash="x", first_name="N", last_name="U")
    db.session.add(user)
    services.record_consents(user=user, consents={"email_allowed": True, "sms_allowed": False}, origin=API)
    db.session.commit()
    [row] = records(user.id)
    # Nobody was logged in: the actor is the new customer.
    assert (row.channel, row.granted, row.actor_id, row.source) == ("email", True, user.id, "api")


def test_consent_records_cannot_be_changed_or_deleted(ctx, customer):
    user = db.session.get(User, customer.id)
    services.record_consents(user=user, consents={"sms_allowed": True}, origin=API)
    db.session.commit()
    [row] = records(customer.id)
    row.granted = False
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ConsentRecord, row.id))
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(update(ConsentRecord).values(granted=False))
    with pytest.raises(AppendOnlyError):
        db.session.execute(delete(ConsentRecord).where(ConsentRecord.user_id == customer.id))
    db.session.rollback()
    assert [(r.channel, r.granted) for r in records(customer.id)] == [("sms", True)]


def test_consent_history_is_newest_first(ctx, customer):
    clock.freeze()
    for granted in (True, False, True):
        services.update_profile(user_id=customer.id, changes={"email_allowed": granted}, origin=API)
        clock.advance(seconds=5)
    history = services.consent_history(user_id=customer.id)
    assert [r.granted for r in history] == [True, False, True]
    assert history[0].created_at > history[1].created_at > history[2].created_at


def test_an_agent_acting_for_the_customer_is_recorded_as_call_center(app, customer, make_user):
    agent = make_user(email="agent@example.com", role="agent")
    with app.test_request_context(headers={"User-Agent": "Console"}, environ_base={"REMOTE_ADDR": "10.0.0.5"}):
        login_user(db.session.get(User, customer.id))
        g.acting_agent = db.session.get(User, agent.id)
        services.update_profile(
            user_id=customer.id, changes={"call_allowed": True}, origin=change_origin("web"), call_reference="CALL-881"
        )
        [row] = records(customer.id)
        assert (row.source, row.actor_id) == ("call_center", agent.id)
        assert (row.client_ip, row.user_agent) == ("10.0.0.5", "Console")
        assert (row.iys_source, row.call_reference, row.code_reference) == ("HS_CAGRI_MERKEZI", "CALL-881", None)


AGENT = ChangeOrigin(source="call_center", actor_id=None, client_ip="10.0.0.5", user_agent="Console")


def sms_to(phone: str) -> list[SmsMessage]:
    return list(db.session.execute(select(SmsMessage).where(SmsMessage.to == phone).order_by(SmsMessage.id)).scalars())


@pytest.mark.usefixtures("kvkk_on")
def test_an_agent_needs_the_call_reference_and_never_a_code(ctx, customer):
    with pytest.raises(FieldErrors) as refused:
        services.update_profile(user_id=customer.id, changes={"sms_allowed": True}, origin=AGENT)
    assert list(refused.value.errors) == ["call_reference"]
    assert records(customer.id) == [] and sms_to(PHONE) == []
    result = services.update_profile(
        user_id=customer.id, changes={"sms_allowed": True}, origin=AGENT, call_reference=" REC-2026-12-03-0042 "
    )
    assert result.applied
    [row] = records(customer.id)
    assert (row.status, row.recipient, row.call_reference, row.code_reference) == (
        "ONAY", PHONE, "REC-2026-12-03-0042", None
    )
    # The grant is confirmed to the customer by SMS, with how to undo it; no code is sent.
    [notice] = sms_to(PHONE)
    assert notice.purpose == "consent_by_phone"
    assert notice.body == "Portal: You agreed on the phone to receive our offers. To undo it, call us or see Account."
    assert not re.search(r"\b\d{6}\b", notice.body)


@pytest.mark.usefixtures("kvkk_on")
def test_an_agent_records_a_withdrawal_without_a_code_and_sends_nothing(ctx, make_user):
    user = make_user(email="caller@example.com", phone=PHONE, sms_allowed=True, call_allowed=True)
    services.update_profile(
        user_id=user.id, changes={"call_allowed": False}, origin=AGENT, call_reference="REC-7"
    )
    [row] = records(user.id)
    assert (row.channel, row.status, row.iys_source) == ("call", "RET", "HS_CAGRI_MERKEZI")
    assert sms_to(PHONE) == []


@pytest.mark.usefixtures("kvkk_off")
def test_a_phone_change_withdraws_the_old_numbers_consents(ctx, make_user):
    user = make_user(email="mover@example.com", phone=PHONE, sms_allowed=True, call_allowed=True, email_allowed=True)
    services.update_profile(user_id=user.id, changes={"phone": NEW_PHONE}, origin=API)
    stored = db.session.get(User, user.id)
    assert (stored.phone, stored.sms_allowed, stored.call_allowed, stored.email_allowed) == (
        NEW_PHONE, False, False, True
    )
    rows = records(user.id)
    assert [(r.iys_type, r.status, r.recipient) for r in rows] == [("MESAJ", "RET", PHONE), ("ARAMA", "RET", PHONE)]
    # Granting again is for the new number.
    services.update_profile(user_id=user.id, changes={"sms_allowed": True}, origin=API)
    assert (records(user.id)[-1].status, records(user.id)[-1].recipient) == ("ONAY", NEW_PHONE)


def test_an_email_change_withdraws_the_old_addresss_consent(ctx, make_user):
    user = make_user(email="old@example.com", phone=PHONE, sms_allowed=True, email_allowed=True)
    # The verified change (portal.accounts.email_flows): asked for, then the link opened.
    email_flows.request_email_change(user_id=user.id, email="new@example.com", password=DEMO_PASSWORD)
    assert db.session.get(User, user.id).email_allowed  # nothing changes until the link is opened
    email_flows.confirm_email_change(token=email_flows._change_token(user, "new@example.com"), origin=API)
    stored = db.session.get(User, user.id)
    assert (stored.email, stored.email_allowed, stored.sms_allowed) == ("new@example.com", False, True)
    [row] = records(user.id)
    assert (row.iys_type, row.status, row.recipient, row.iys_source) == ("EPOSTA", "RET", "old@example.com", "HS_MOBIL")


def test_a_phone_taken_at_the_last_moment_changes_nothing(ctx, customer, media_dir):
    """The form checks uniqueness; the database decides when two requests race."""
    create_user(email="racer@example.com", password="portal-demo-2026", phone=NEW_PHONE)
    with pytest.raises(FieldErrors) as refused:
        services.update_profile(
            user_id=customer.id,
            changes={"phone": NEW_PHONE, "first_name": "Lost", "email_allowed": True, "avatar": image_bytes()},
            origin=API,
        )
    assert refused.value.errors == {"phone": ["A user with this phone number already exists."]}
    user = db.session.get(User, customer.id)
    assert (user.phone, user.first_name, user.email_allowed, user.avatar) == (PHONE, "Demo", False, None)
    assert records(customer.id) == []
    assert list((media_dir / "avatars").iterdir()) == []


def test_unchanged_values_are_not_changes(ctx, customer):
    result = services.update_profile(
        user_id=customer.id, changes={"first_name": "Demo", "phone": PHONE, "sms_allowed": False}, origin=API
    )
    assert result.changes == {}
    assert records(customer.id) == []


def test_server_managed_attributes_are_refused_without_a_form_too(ctx, customer):
    with pytest.raises(FieldErrors) as refused:
        services.update_profile(user_id=customer.id, changes={"attributes": {"logged_ip": "1.1.1.1"}}, origin=API)
    assert list(refused.value.errors) == ["attributes"]
