"""``GET /account/loyalty-account-balance/`` and ``GET /account/loyalty/`` against the real simulator."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from portal import clock
from portal.accounts.models import User
from portal.extensions import db as _db
from portal.loyalty import services
from portal.loyalty.models import ACTIVE, FAILED, PENDING
from tests.loyalty.conftest import short_timeout

BALANCE = "/account/loyalty-account-balance/"
TRANSACTIONS = "/account/loyalty/"
EMPTY = {"count": 0, "next": None, "previous": None, "results": []}


def card_for(user_id: int) -> str:
    """The customer's card, made at the service as joining would make it."""
    link = services.request_card(user_id=user_id)
    assert link.status == ACTIVE
    return link.card_number


@pytest.fixture
def member(app, db, customer, loyalty_service):
    """The demo customer with a card holding four transactions (oldest first)."""
    number = card_for(customer.id)
    for day, (amount, order) in enumerate([("25", "1001"), ("-10.5", "1002"), ("7.25", None), ("3.00", "1004")]):
        loyalty_service.sim.add_transaction(number, amount, order, created_at=f"2026-11-0{day + 1}T10:00:00Z")
    return number


# --- who may read ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [BALANCE, TRANSACTIONS])
def test_anonymous_is_401_json_without_an_accept_header(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("path", [BALANCE, TRANSACTIONS])
def test_a_wrong_token_is_401(client, path):
    response = client.get(path, headers={"Authorization": "Token " + "0" * 40})
    assert response.status_code == 401
    assert response.get_json() == {"detail": "Invalid token."}


def test_the_api_token_reads_the_balance(client, member, api):
    api.login()
    other = client.application.test_client()  # no session cookie: the token alone
    response = other.get(BALANCE, headers={"Authorization": f"Token {api.key}"})
    assert response.status_code == 200
    assert response.get_json() == {"balance": 24.75}


# --- no card ----------------------------------------------------------------------------


def test_no_card_and_no_service_is_zero_and_an_empty_list(api, customer):
    api.login()
    assert api.get(BALANCE).get_json() == {"balance": 0}
    assert api.get(TRANSACTIONS).get_json() == EMPTY


def test_no_card_never_asks_the_service(api, customer, loyalty_service):
    loyalty_service.fail("503")
    api.login()
    assert api.get(BALANCE).get_json() == {"balance": 0}
    assert api.get(TRANSACTIONS).get_json() == EMPTY
    assert loyalty_service.requests() == []


@pytest.mark.parametrize("status", [FAILED, "erased"])
def test_a_refused_or_erased_card_is_no_card(app, api, db, customer, loyalty_service, status):
    link = services.add_pending_link(user=_db.session.get(User, customer.id))
    link.status = status
    _db.session.commit()
    api.login()
    assert api.get(BALANCE).get_json() == {"balance": 0}
    assert api.get(TRANSACTIONS).get_json() == EMPTY
    assert loyalty_service.requests() == []


def test_a_card_the_service_no_longer_knows_is_no_card(api, member, loyalty_service, customer):
    with loyalty_service.sim.lock:
        loyalty_service.sim.db.execute("DELETE FROM transactions")
        loyalty_service.sim.db.execute("DELETE FROM cards")
    api.login()
    assert api.get(BALANCE).get_json() == {"balance": 0}
    assert api.get(TRANSACTIONS).get_json() == EMPTY


def test_a_card_without_the_service_configured_is_406(app, api, member):
    from portal.settings.services import CUSTOMER_LOYALTY_CARD_SERVICE, unset_setting

    with app.app_context():
        assert unset_setting(CUSTOMER_LOYALTY_CARD_SERVICE)
    api.login()
    response = api.get(BALANCE)
    assert response.status_code == 406
    assert response.get_json()["error_code"] == "loyalty_100_1"


# --- the card's money ---------------------------------------------------------------------


def test_balance_is_a_number(api, member, loyalty_service):
    api.login()
    response = api.get(BALANCE)
    assert response.status_code == 200
    assert response.get_json() == {"balance": 24.75}
    assert ("GET", f"/v1/cards/{member}/balance") in loyalty_service.requests()


def test_transactions_newest_first_in_the_clients_shape(api, member):
    api.login()
    response = api.get(TRANSACTIONS)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    assert body["results"][0] == {
        "amount": "3.00",
        "created_date": "2026-11-04T10:00:00Z",
        "transaction": {"created_date": "2026-11-04T10:00:00Z", "order": "1004"},
    }
    assert [r["amount"] for r in body["results"]] == ["3.00", "7.25", "-10.50", "25.00"]
    assert [r["transaction"]["order"] for r in body["results"]] == ["1004", None, "1002", "1001"]


def test_transactions_pages_as_drf_does(api, member):
    api.login()
    first = api.get(TRANSACTIONS + "?limit=3").get_json()
    assert first["count"] == 4
    assert [r["transaction"]["order"] for r in first["results"]] == ["1004", None, "1002"]
    assert first["previous"] is None
    assert first["next"] == "http://localhost/account/loyalty/?page=2&limit=3"

    second = api.get(first["next"].removeprefix("http://localhost")).get_json()
    assert [r["transaction"]["order"] for r in second["results"]] == ["1001"]
    assert second["next"] is None
    assert second["previous"] == "http://localhost/account/loyalty/?limit=3"

    past = api.get(TRANSACTIONS + "?page=3&limit=3")
    assert past.status_code == 404
    assert past.get_json() == {"detail": "Invalid page."}


@pytest.mark.parametrize(
    ("query", "fields"),
    [("page=0", {"page"}), ("page=x", {"page"}), ("limit=101", {"limit"}), ("limit=0&page=-1", {"page", "limit"})],
)
def test_a_bad_page_is_a_field_error(api, member, loyalty_service, query, fields):
    api.login()
    seen = len(loyalty_service.requests())
    response = api.get(f"{TRANSACTIONS}?{query}")
    assert response.status_code == 400
    assert set(response.get_json()) == fields
    assert len(loyalty_service.requests()) == seen  # refused before the service is asked


def test_the_loyalty_page_is_still_a_page(client, auth, member):
    auth.login()
    response = client.get("/account/loyalty")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert BeautifulSoup(response.get_data(as_text=True), "html.parser").find("main") is not None


# --- the service down ------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["503", "hang"])
@pytest.mark.parametrize("path", [BALANCE, TRANSACTIONS])
def test_service_down_or_slow_is_503_with_retry_after(app, api, member, loyalty_service, fault, path):
    api.login()
    loyalty_service.fail(fault)
    with short_timeout(app, loyalty_service, fault):
        response = api.get(path, headers={"Accept-Language": "tr-TR"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(app.config["OUTAGE_RETRY_AFTER_SECONDS"])
    assert response.get_json() == {
        "detail": "Sadakat kartı hizmeti yanıt vermiyor. Lütfen biraz sonra yeniden deneyin."
    }
    loyalty_service.heal()
    assert api.get(path).status_code == 200


def test_a_refusing_service_is_503(app, api, member, loyalty_service):
    from tests.loyalty.conftest import configure_service

    configure_service(app, loyalty_service, api_key="a-wrong-key")
    api.login()
    response = api.get(BALANCE)
    assert response.status_code == 503
    assert "Retry-After" in response.headers


# --- a card still being made ------------------------------------------------------------------


def test_a_pending_card_is_made_when_read(app, api, db, customer, loyalty_service):
    clock.freeze()
    loyalty_service.fail("503")
    link = services.add_pending_link(user=_db.session.get(User, customer.id))
    _db.session.commit()
    assert services.sync_link(link_id=link.id).status == PENDING
    api.login()

    response = api.get(BALANCE)  # the back-off has not passed: the service is not asked
    assert response.status_code == 503
    assert "Retry-After" in response.headers

    loyalty_service.heal()
    clock.advance(minutes=5)
    response = api.get(BALANCE)
    assert response.status_code == 200
    assert response.get_json() == {"balance": 0}
    _db.session.expire_all()
    assert services.link_for(user_id=customer.id).status == ACTIVE
    assert len(loyalty_service.customers()) == 1
