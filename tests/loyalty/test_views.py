from datetime import date

import pytest

from portal import clock
from portal.accounts.models import User
from portal.extensions import db as _db
from portal.loyalty import services
from portal.loyalty.models import LoyaltyLink
from tests.conftest import in_groups, page
from tests.signup.helpers import code_for


@pytest.fixture
def member(make_user):
    return make_user(
        email="demo@example.com", first_name="Demo", last_name="Customer", phone="+905551112233",
        date_of_birth=date(1990, 1, 1),
    )


def pending_link(app, user_id):
    with app.app_context():
        link = services.add_pending_link(user=_db.session.get(User, user_id))
        _db.session.commit()
        return services.sync_link(link_id=link.id).status


def test_loyalty_hidden_when_not_configured(auth, member):
    auth.login()
    doc = page(auth.client.get("/account/loyalty"))
    assert doc.find(id="loyalty-unavailable") is not None
    assert doc.find(id="loyalty-card-number") is None


def test_pending_link_shows_on_its_way_and_retry_makes_the_card(app, auth, member, loyalty_service):
    clock.freeze()
    loyalty_service.fail("503")
    assert pending_link(app, member.id) == "pending"
    auth.login()
    doc = page(auth.client.get("/account/loyalty"))
    assert doc.find(id="loyalty-status")["data-status"] == "pending"
    assert doc.find(id="loyalty-card-number").get_text(strip=True) == "Your card is on its way."
    assert doc.find(id="loyalty-retry") is not None

    loyalty_service.heal()
    response = auth.post("/account/loyalty/retry", {}, token_from="/account/loyalty", follow_redirects=True)
    doc = page(response)
    assert doc.find(id="loyalty-status")["data-status"] == "active"
    [customer] = loyalty_service.customers()
    assert doc.find(id="loyalty-card-number").get_text(strip=True) == in_groups(customer["card"]["number"])
    assert doc.find(id="loyalty-retry") is None


def test_next_visit_retries_the_pending_link(app, auth, member, loyalty_service):
    clock.freeze()
    loyalty_service.fail("503")
    pending_link(app, member.id)
    loyalty_service.heal()
    clock.advance(minutes=5)
    auth.login()
    auth.client.get("/account/profile")
    with app.app_context():
        assert services.link_for(user_id=member.id).status == "active"
    assert len(loyalty_service.customers()) == 1


def test_profile_changes_made_elsewhere_reach_the_service_on_the_next_visit(app, auth, member, loyalty_service):
    with app.app_context():
        services.request_card(user_id=member.id)
        user = _db.session.get(User, member.id)
        user.last_name = "Customer-Smith"  # as the profile pages or /users/profile/ would
        _db.session.commit()
    auth.login()
    auth.client.get("/account/profile")
    assert loyalty_service.customers()[0]["last_name"] == "Customer-Smith"
    patches = len(loyalty_service.requests("PATCH"))
    auth.client.get("/account/profile")
    assert len(loyalty_service.requests("PATCH")) == patches  # nothing new to push


@pytest.mark.parametrize(
    ("language", "sentence", "link_text"),
    [
        ("en", "To join, first add your mobile phone number to your profile.", "your profile"),
        ("tr", "Katılmak için önce profilinize cep telefonu numaranızı ekleyin.", "profilinize"),
    ],
)
def test_joining_without_a_phone_links_to_the_profile_within_one_translated_sentence(
    auth, make_user, loyalty_service, language, sentence, link_text
):
    """One sentence per language, so the link can sit where each language puts it."""
    make_user(email="nophone@example.com", language_code=language)
    auth.login("nophone@example.com")
    doc = page(auth.client.get("/account/loyalty"))
    needs_phone = doc.find("p", id="loyalty-join-needs-phone")
    assert needs_phone.get_text() == sentence
    link = needs_phone.find("a")
    assert (link.get_text(), link["href"]) == (link_text, "/account/profile")


def test_existing_customer_joins_with_a_code(app, auth, customer, loyalty_service):
    auth.login()
    doc = page(auth.client.get("/account/loyalty"))
    assert doc.find(id="loyalty-join") is not None
    response = auth.post("/account/loyalty/join", {"start": "1"}, token_from="/account/loyalty")
    assert response.status_code == 302
    doc = page(auth.client.get("/account/loyalty/join"))
    assert doc.find(id="code-step") is not None
    assert doc.find(id="code-step-purpose").get_text(strip=True) == (
        "The code confirms that you join the loyalty programme and get a loyalty card."
    )
    assert doc.find(id="code-step-target").get_text(strip=True) == "We sent a 6-digit code by SMS to +90 555 *** ** 33."
    response = auth.post("/account/loyalty/join", {"code": code_for(auth.client)})
    assert response.status_code == 302
    doc = page(auth.client.get("/account/loyalty"))
    assert doc.find(id="loyalty-status")["data-status"] == "active"
    [customer_at_service] = loyalty_service.customers()
    assert doc.find(id="loyalty-card-number").get_text(strip=True) == in_groups(customer_at_service["card"]["number"])
    with app.app_context():
        assert _db.session.query(LoyaltyLink).count() == 1


def test_join_is_406_without_the_setting(auth, customer):
    auth.login()
    doc = page(auth.client.get("/account/loyalty"))
    assert doc.find(id="loyalty-join") is None
    response = auth.post("/account/loyalty/join", {"start": "1"}, token_from="/account/loyalty")
    assert response.status_code == 406
