"""Login, the CSRF token, ``/current_user/`` and logout, as the storefront client does them."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func, select

from portal.accounts.models import AuthToken
from portal.extensions import db
from tests.storefront.conftest import (
    AS_CONFIGURED,
    LOGOUT_TOKEN,
    LOGOUT_TOKEN_PREFIX,
    session_cookie_value,
)

pytestmark = AS_CONFIGURED

CURRENT_USER_KEYS = {
    "pk", "first_name", "last_name", "email", "phone", "email_allowed", "sms_allowed", "date_joined",
    "last_login", "date_of_birth", "hashed_email", "gender",
}


def test_the_csrf_token_is_json_without_an_accept_header_and_set_as_the_cookie(storefront):
    response = storefront.fetch_csrf_token()
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert re.fullmatch(r"\w+", storefront.csrftoken)
    assert response.cookies["csrftoken"] == storefront.csrftoken


def test_login_gives_a_session_the_client_can_read_and_current_user_answers_it(storefront, customer):
    response = storefront.log_in()
    assert response.status_code == 200
    assert set(response.json()) == {"key"}
    # the client's regex reads the whole cookie value, not a prefix of it
    assert storefront.session_id and storefront.session_id == session_cookie_value(response)

    me = storefront.current_user()
    assert me.status_code == 200
    assert me.headers["Content-Type"].startswith("application/json")
    body = me.json()
    assert set(body) == CURRENT_USER_KEYS
    assert body["pk"] == customer.id
    assert body["email"] == "demo@example.com"
    assert body["first_name"] == "Demo" and body["last_name"] == "Customer"
    assert body["phone"] == "05551112233"  # as Turkish shops write it (API_PHONE_FORMAT=national)
    assert body["hashed_email"] == hashlib.sha256(b"demo@example.com").hexdigest()
    assert body["last_login"] is not None
    assert body["email_allowed"] is False and body["gender"] is None


def test_current_user_is_401_json_for_anonymous_callers(storefront):
    storefront.session_id = "0" * 64
    response = storefront.current_user()
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_the_token_fetched_anonymously_works_for_writes_after_login(storefront, customer):
    storefront.log_in()
    response = storefront.browser("PATCH", "/users/profile/", json={"first_name": "Ayşe"})
    assert response.status_code == 200
    assert response.json()["first_name"] == "Ayşe"
    assert response.json()["phone"] == "05551112233"

    storefront.csrftoken = "b" * 64  # a cookie and header that agree but were never issued still agree
    assert storefront.browser("PATCH", "/users/profile/", json={"first_name": "Ada"}).status_code == 200

    response = storefront.browser(
        "PATCH", "/users/profile/", json={"first_name": "Eve"}, headers={"x-csrftoken": "c" * 64}
    )
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}  # "CSRF Failed: …", in the language asked for (tr)
    assert response.json()["detail"].startswith("CSRF doğrulaması başarısız: ")
    assert storefront.current_user().json()["first_name"] == "Ada"


def test_logout_the_clients_way_ends_the_session_and_its_token(app, storefront, customer):
    key = storefront.log_in().json()["key"]
    session_cookie = f"osessionid={storefront.session_id}"

    step1 = storefront.send("POST", "/users/logout", headers={"Cookie": session_cookie})
    assert step1.status_code == 200
    match = LOGOUT_TOKEN.search(step1.text)
    assert match is not None
    token = LOGOUT_TOKEN_PREFIX.sub("", match.group(0))
    assert len(token) == 64
    assert storefront.current_user().status_code == 200  # the first step alone logs nobody out

    step2 = storefront.send(
        "POST",
        "/users/logout",
        headers={"Cookie": f"csrftoken={token}; {session_cookie}"},
        data={"csrfmiddlewaretoken": token},
    )
    assert step2.status_code == 200
    assert storefront.current_user().status_code == 401
    by_token = storefront.send("GET", "/current_user/", headers={"Authorization": f"Token {key}"})
    assert by_token.status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuthToken)) == 0


def test_logout_with_a_foreign_token_does_not_log_out(storefront, customer):
    storefront.log_in()
    response = storefront.send(
        "POST",
        "/users/logout",
        headers={"Cookie": f"csrftoken={'d' * 64}; osessionid={storefront.session_id}"},
        data={"csrfmiddlewaretoken": "e" * 64},
    )
    assert response.status_code == 200
    assert LOGOUT_TOKEN.search(response.text) is not None  # the form again, nothing ended
    assert storefront.current_user().status_code == 200


def test_the_documented_logout_keeps_working(storefront, customer):
    storefront.log_in()
    response = storefront.browser("POST", "/users/logout/")
    assert response.status_code == 200
    assert set(response.json()) == {"detail"}
    assert storefront.current_user().status_code == 401
