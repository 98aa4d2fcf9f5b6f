"""Card links against the real simulator: no fault of the service loses or duplicates a card."""

from __future__ import annotations

from datetime import date

import pytest

from portal import clock
from portal.accounts.models import User
from portal.errors import NotAcceptable
from portal.extensions import db as _db
from portal.loyalty import services
from portal.loyalty.models import ACTIVE, FAILED, PENDING, LoyaltyLink
from tests.loyalty.conftest import short_timeout


@pytest.fixture
def person(make_user):
    return make_user(
        email="ayse@example.com", first_name="Ayşe", last_name="Yılmaz", phone="+905551112233",
        date_of_birth=date(1990, 1, 1),
    )


def pending_link_for(user_id: int) -> LoyaltyLink:
    user = _db.session.get(User, user_id)
    link = services.add_pending_link(user=user)
    _db.session.commit()
    return link


def test_not_configured_is_406(db, person):
    assert services.is_configured() is False
    with pytest.raises(NotAcceptable) as error:
        services.request_card(user_id=person.id)
    assert error.value.error_code == "loyalty_100_1"
    assert _db.session.query(LoyaltyLink).count() == 0


def test_pending_link_becomes_active(db, person, loyalty_service):
    link = pending_link_for(person.id)
    link = services.sync_link(link_id=link.id)
    assert link.status == ACTIVE
    [customer] = loyalty_service.customers()
    assert link.card_number == customer["card"]["number"]
    assert link.customer_id == customer["id"]
    assert customer["external_id"] == f"portal-{person.id}"
    assert customer["email"] == "ayse@example.com"
    assert customer["date_of_birth"] == "1990-01-01"
    assert link.last_synced_at is not None
    assert link.last_error is None


@pytest.mark.parametrize("fault", ["503", "hang"])
def test_service_fault_leaves_link_pending_then_retry_makes_exactly_one_card(app, db, person, loyalty_service, fault):
    clock.freeze()
    loyalty_service.fail(fault)
    with short_timeout(app, loyalty_service, fault):
        link = services.sync_link(link_id=pending_link_for(person.id).id)
    assert link.status == PENDING
    assert link.attempts == 1
    assert link.last_error
    assert link.next_attempt_at > clock.now()
    assert services.due_links() == []  # backing off

    loyalty_service.heal()
    clock.advance(minutes=2)
    assert services.due_links() == [link.id]
    counts = services.retry_pending(everything=False)
    assert counts == {"active": 1, "pending": 0, "failed": 0}
    _db.session.refresh(link)
    assert link.status == ACTIVE
    assert len(loyalty_service.customers()) == 1
    assert link.card_number == loyalty_service.customers()[0]["card"]["number"]
    # one idempotency key for every attempt
    assert services.retry_pending() == {"active": 0, "pending": 0, "failed": 0}


def test_rejected_data_marks_failed_and_join_again_starts_afresh(db, make_user, loyalty_service):
    person = make_user(email="nophone@example.com", first_name="No", last_name="Phone")  # service requires a phone
    link = services.sync_link(link_id=pending_link_for(person.id).id)
    assert link.status == FAILED
    assert "400" in link.last_error
    old_key = link.idempotency_key

    user = _db.session.get(User, person.id)
    user.phone = "+905551112299"
    _db.session.commit()
    link = services.request_card(user_id=person.id)
    assert link.status == ACTIVE
    assert link.idempotency_key != old_key
    assert len(loyalty_service.customers()) == 1


def test_request_card_twice_is_one_card(db, person, loyalty_service):
    first = services.request_card(user_id=person.id)
    second = services.request_card(user_id=person.id)
    assert first.id == second.id
    assert len(loyalty_service.customers()) == 1


def test_profile_changes_are_pushed(db, person, loyalty_service):
    services.request_card(user_id=person.id)
    user = _db.session.get(User, person.id)
    user.phone = "+905559998877"
    _db.session.commit()
    services.profile_changed(user_id=person.id)
    assert loyalty_service.customers()[0]["phone"] == "+905559998877"
    assert services.link_for(user_id=person.id).needs_push is False


def test_profile_changes_wait_while_service_is_down(db, person, loyalty_service):
    clock.freeze()
    services.request_card(user_id=person.id)
    user = _db.session.get(User, person.id)
    user.first_name = "Ayşegül"
    _db.session.commit()
    loyalty_service.fail("503")
    services.profile_changed(user_id=person.id)
    link = services.link_for(user_id=person.id)
    assert link.status == ACTIVE and link.needs_push is True
    assert loyalty_service.customers()[0]["first_name"] == "Ayşe"
    loyalty_service.heal()
    clock.advance(hours=2)
    services.sync_on_visit(user_id=person.id)
    assert loyalty_service.customers()[0]["first_name"] == "Ayşegül"
    assert services.link_for(user_id=person.id).needs_push is False


def test_sync_on_visit_respects_backoff(db, person, loyalty_service):
    clock.freeze()
    loyalty_service.fail("503")
    services.sync_link(link_id=pending_link_for(person.id).id)
    posts = len(loyalty_service.requests("POST"))
    loyalty_service.heal()
    services.sync_on_visit(user_id=person.id)
    assert len(loyalty_service.requests("POST")) == posts  # too soon
    clock.advance(minutes=2)
    services.sync_on_visit(user_id=person.id)
    assert services.link_for(user_id=person.id).status == ACTIVE


def test_setting_removed_leaves_links_pending(db, person, loyalty_service):
    from portal.settings.services import CUSTOMER_LOYALTY_CARD_SERVICE, unset_setting

    link = pending_link_for(person.id)
    unset_setting(CUSTOMER_LOYALTY_CARD_SERVICE)
    assert services.sync_link(link_id=link.id).status == PENDING
    assert loyalty_service.requests() == []
