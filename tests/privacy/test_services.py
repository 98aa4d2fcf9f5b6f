"""Erasure: one test per promise, each checking the database afterwards."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.accounts import services as accounts
from portal.accounts.models import AuthToken, User
from portal.agents.models import AuditEvent
from portal.errors import FieldErrors, NotAcceptable
from portal.extensions import db
from portal.loyalty import services as loyalty
from portal.loyalty.models import LoyaltyLink
from portal.privacy import services
from portal.profile import avatars
from portal.profile.models import ConsentRecord
from portal.request_context import ChangeOrigin
from portal.segments.models import SegmentChoice
from portal.sessions import ServerSession
from portal.twofactor.models import SecurityEvent
from tests.conftest import DEMO_PASSWORD
from tests.privacy.conftest import EMAIL, PHONE

ORIGIN = ChangeOrigin(source="api", actor_id=None, client_ip="198.51.100.4", user_agent="storefront")


def erase(app, user_id: int, **kwargs) -> None:
    with app.test_request_context():
        services.erase_account(user_id=user_id, origin=ORIGIN, **kwargs)
        db.session.remove()


def fetch(app, fn):
    with app.app_context():
        result = fn(db.session)
        db.session.expunge_all()
        return result


def test_personal_fields_are_replaced(app, rich_customer, customer):
    erase(app, customer.id)
    user = fetch(app, lambda s: s.get(User, customer.id))
    assert (user.first_name, user.last_name, user.phone, user.gender, user.date_of_birth) == ("", "", None, None, None)
    assert user.email == f"erased-{customer.id}@invalid"
    assert user.attributes == {}
    assert user.avatar is None
    assert user.erased_at is not None and user.is_active is False


def test_the_avatar_file_is_deleted(app, rich_customer, customer, media_dir):
    with app.app_context():
        assert avatars.path_for(rich_customer) is not None
    erase(app, customer.id)
    with app.app_context():
        assert avatars.path_for(rich_customer) is None
        assert list(avatars.avatar_dir().iterdir()) == []


def test_the_password_no_longer_works(app, customer):
    erase(app, customer.id)
    with app.test_request_context(), pytest.raises(FieldErrors):
        accounts.authenticate(email=f"erased-{customer.id}@invalid", password=DEMO_PASSWORD)
    with app.test_request_context(), pytest.raises(FieldErrors):
        accounts.authenticate(email=EMAIL, password=DEMO_PASSWORD)


def test_every_session_and_token_ends(app, customer):
    browser, storefront = app.test_client(), app.test_client()
    browser.post("/users/login/", json={"email": EMAIL, "password": DEMO_PASSWORD})
    key = storefront.post("/users/login/", json={"email": EMAIL, "password": DEMO_PASSWORD}).get_json()["key"]
    assert fetch(app, lambda s: s.scalar(select(func.count()).select_from(AuthToken))) == 2
    erase(app, customer.id)
    assert fetch(app, lambda s: s.scalar(select(func.count()).select_from(AuthToken))) == 0
    assert fetch(app, lambda s: s.scalar(select(func.count()).select_from(ServerSession))) == 0
    assert browser.get("/users/user/").status_code == 401
    assert app.test_client().get("/users/user/", headers={"Authorization": f"Token {key}"}).status_code == 401


def test_the_segment_choice_goes(app, rich_customer, customer):
    erase(app, customer.id)
    assert fetch(app, lambda s: s.get(SegmentChoice, customer.id)) is None


def test_consent_history_stays_without_personal_data_and_records_the_withdrawal(app, rich_customer, customer):
    erase(app, customer.id)
    rows = fetch(app, lambda s: s.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars().all())
    assert [(r.channel, r.granted) for r in rows] == [("email", True), ("sms", True), ("email", False), ("sms", False)]
    assert {r.user_id for r in rows} == {customer.id}
    for row in rows:
        values = " ".join(str(getattr(row, c.name)) for c in ConsentRecord.__table__.columns)
        for personal in (EMAIL, PHONE, "Demo", "Customer", "1990-05-17"):
            assert personal not in values
    user = fetch(app, lambda s: s.get(User, customer.id))
    assert (user.email_allowed, user.sms_allowed, user.call_allowed) == (False, False, False)


def test_the_audit_trail_stays_without_personal_data(app, customer, make_user):
    agent = make_user(email="agent@example.com", role="agent")
    erase(app, customer.id, agent_id=agent.id, reason="Ticket T-77: customer asked by phone")
    events = fetch(app, lambda s: s.execute(select(AuditEvent)).scalars().all())
    assert [(e.action, e.agent_id, e.customer_id, e.reason) for e in events] == [
        ("erase", agent.id, customer.id, "Ticket T-77: customer asked by phone")
    ]
    for event in events:
        values = " ".join(str(getattr(event, c.name)) for c in AuditEvent.__table__.columns)
        assert EMAIL not in values and PHONE not in values
    [security] = fetch(app, lambda s: s.execute(select(SecurityEvent)).scalars().all())
    assert (security.action, security.details) == ("account_erased", {"by": "customer_service", "agent_id": agent.id})


def test_a_self_erasure_is_recorded_as_the_customers(app, customer):
    erase(app, customer.id)
    [security] = fetch(app, lambda s: s.execute(select(SecurityEvent)).scalars().all())
    assert (security.user_id, security.action, security.details) == (customer.id, "account_erased", {"by": "customer"})
    assert fetch(app, lambda s: s.scalar(select(func.count()).select_from(AuditEvent))) == 0


def test_an_agent_needs_a_reason_and_a_customer(app, customer, make_user):
    agent = make_user(email="agent@example.com", role="agent")
    other_agent = make_user(email="agent2@example.com", role="agent")
    with app.test_request_context():
        with pytest.raises(Exception, match="reason"):
            services.erase_account(user_id=customer.id, origin=ORIGIN, agent_id=agent.id, reason="  ")
        with pytest.raises(Exception, match="customer accounts"):
            services.erase_account(user_id=other_agent.id, origin=ORIGIN, agent_id=agent.id, reason="why")
    assert fetch(app, lambda s: s.get(User, customer.id)).email == EMAIL


def test_an_erased_account_cannot_be_erased_again(app, customer):
    erase(app, customer.id)
    with app.test_request_context(), pytest.raises(NotAcceptable) as caught:
        services.erase_account(user_id=customer.id, origin=ORIGIN)
    assert caught.value.error_code == "erasure_100_1"


def test_the_loyalty_service_forgets_the_customer(app, carded_customer, customer, loyalty_service):
    assert [c["external_id"] for c in loyalty_service.customers()] == [f"portal-{customer.id}"]
    erase(app, customer.id)
    assert loyalty_service.customers() == []
    link = fetch(app, lambda s: s.execute(select(LoyaltyLink)).scalar_one())
    assert (link.status, link.card_number, link.customer_id) == ("erased", None, None)
    assert link.request_body == {"external_id": f"portal-{customer.id}"}
    assert EMAIL not in json.dumps(link.request_body) and PHONE not in json.dumps(link.request_body)


def test_a_down_loyalty_service_is_told_later(app, carded_customer, customer, loyalty_service):
    loyalty_service.fail("503")
    erase(app, customer.id)  # the erasure itself does not wait for the service
    link = fetch(app, lambda s: s.execute(select(LoyaltyLink)).scalar_one())
    assert link.status == "erasing" and link.last_error and link.next_attempt_at is not None
    assert fetch(app, lambda s: s.get(User, customer.id)).erased_at is not None
    assert len(loyalty_service.customers()) == 1
    loyalty_service.heal()
    with app.test_request_context():
        loyalty.retry_pending()
    assert fetch(app, lambda s: s.execute(select(LoyaltyLink.status)).scalar_one()) == "erased"
    assert loyalty_service.customers() == []


def test_the_password_path_refuses_a_wrong_password_and_changes_nothing(app, rich_customer, customer):
    with app.test_request_context(), pytest.raises(FieldErrors) as caught:
        services.erase_own_account(user_id=customer.id, password="not-the-password", origin=ORIGIN)
    assert caught.value.errors == {"password": ["The password is not correct."]}
    user = fetch(app, lambda s: s.get(User, customer.id))
    assert (user.email, user.phone, user.erased_at) == (EMAIL, PHONE, None)
