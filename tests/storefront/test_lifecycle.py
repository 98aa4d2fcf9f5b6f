"""The account's life as the storefront client drives it: password reset, email change,
the registration's confirmation link, sign-in by SMS code, erasure and the loyalty card.

Links come from the development mail outbox (``/_dev/mail.json``), codes from the SMS
outbox (``/_dev/sms.json``), as a customer reads them from their mailbox and phone.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.loyalty import services as loyalty
from tests.conftest import DEMO_PASSWORD
from tests.loyalty.conftest import SimServer, configure_service
from tests.storefront.conftest import AS_CONFIGURED, Storefront, session_cookie_value
from tests.storefront.test_account import SIGN_UP, sms_code

pytestmark = AS_CONFIGURED

NEW_PASSWORD = "a brand new passphrase"


def mail_token(storefront: Storefront, to: str, link_id: str) -> str:
    """The token at the end of the link ``link_id`` in the newest email to ``to``."""
    mails = storefront.send("GET", "/_dev/mail.json").json()
    mail = next(m for m in mails if m["to"] == to)
    anchor = BeautifulSoup(mail["html"], "html.parser").find("a", id=link_id)
    assert anchor is not None, f"no #{link_id} in {mail['subject']!r}"
    return urlsplit(anchor["href"]).path.rsplit("/", 1)[-1]


def stored_user(app, email: str) -> User | None:
    with app.app_context():
        return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


# --- password reset (user.forgotPassword, account.passwordReset) -------------------------


@pytest.mark.parametrize("slash", ["", "/"], ids=["as-the-client-writes-it", "as-its-proxy-sends-it"])
def test_password_reset_by_email_then_form_encoded(storefront, customer, slash):
    storefront.fetch_csrf_token()
    asked = storefront.browser("POST", "/users/password/reset/", json={"email": "demo@example.com"})
    assert asked.status_code == 200
    assert set(asked.json()) == {"detail"}
    token = mail_token(storefront, "demo@example.com", "reset-link")

    # useFormData: the new password twice, form-encoded; the client reads field errors by name
    path = f"/users/reset/{token}{slash}"
    mismatch = storefront.browser("POST", path, data={"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 400
    assert set(mismatch.json()) == {"new_password2"}

    done = storefront.browser("POST", path, data={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 200
    assert set(done.json()) == {"detail"}
    again = {"new_password1": "x" * 20, "new_password2": "x" * 20}
    used = storefront.browser("POST", path, data=again)  # the link works once
    assert used.status_code == 400
    assert set(used.json()) == {"token"}

    assert Storefront(storefront.base_url).log_in().status_code == 400  # the old password no longer works
    assert Storefront(storefront.base_url).log_in(password=NEW_PASSWORD).status_code == 200


def test_password_reset_answers_the_same_for_an_unknown_address(storefront, customer):
    storefront.fetch_csrf_token()
    known = storefront.browser("POST", "/users/password/reset/", json={"email": "demo@example.com"})
    unknown = storefront.browser("POST", "/users/password/reset/", json={"email": "nobody@example.com"})
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.json() == unknown.json()
    bad = storefront.browser("POST", "/users/password/reset/", json={"email": "not an address"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"email"}


# --- email change (account.updateEmail, user.changeEmailVerification) ----------------------


def test_email_change_then_the_link_sets_the_new_address(app, storefront, customer):
    storefront.log_in()
    wrong = storefront.browser(
        "POST", "/users/email-change/",
        json={"email": "new@example.com", "emailConfirm": "new@example.com", "password": "not it at all"},
    )
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"password"}
    mismatch = storefront.browser(
        "POST", "/users/email-change/",
        json={"email": "new@example.com", "emailConfirm": "other@example.com", "password": DEMO_PASSWORD},
    )
    assert mismatch.status_code == 400
    assert set(mismatch.json()) == {"emailConfirm"}

    asked = storefront.browser(
        "POST", "/users/email-change/",
        json={"email": "new@example.com", "emailConfirm": "new@example.com", "password": DEMO_PASSWORD},
    )
    assert asked.status_code == 200
    assert asked.json()["email"] == "demo@example.com"  # not yet
    assert storefront.current_user().json()["email"] == "demo@example.com"

    token = mail_token(storefront, "new@example.com", "email-change-link")
    opened = storefront.browser(
        "GET", f"/users/email-set-primary/{token}/", headers={"Content-Type": "application/json"}
    )
    assert opened.status_code == 200
    assert opened.json()["email"] == "new@example.com"
    assert storefront.current_user().json()["email"] == "new@example.com"
    assert stored_user(app, "new@example.com").id == customer.id

    again = storefront.browser("GET", "/users/email-set-primary/not-a-token/")
    assert again.status_code == 400
    assert set(again.json()) == {"token"}


# --- registration and its confirmation link (user.register, user.confirmEmailVerification) ---


def test_registration_then_the_confirmation_link(app, storefront):
    storefront.fetch_csrf_token()
    assert storefront.sign_in("/users/registration/", SIGN_UP).status_code == 202  # the SMS code step
    done = storefront.sign_in("/users/registration/", {**SIGN_UP, "code": sms_code(storefront, "+905351231212")})
    assert done.status_code == 201
    assert set(done.json()) == {"key"}
    assert storefront.session_id and storefront.session_id == session_cookie_value(done)
    assert stored_user(app, "ayse@example.com").email_confirmed_at is None

    token = mail_token(storefront, "ayse@example.com", "confirm-link")
    anonymous = Storefront(storefront.base_url)  # opened from the mailbox, maybe in another browser
    confirmed = anonymous.browser(
        "GET", f"/users/registration/account-confirm-email/{token}/", headers={"Content-Type": "application/json"}
    )
    assert confirmed.status_code == 200
    assert set(confirmed.json()) == {"detail"}
    assert stored_user(app, "ayse@example.com").email_confirmed_at is not None

    bad = anonymous.browser("GET", "/users/registration/account-confirm-email/not-a-token/")
    assert bad.status_code == 400
    assert set(bad.json()) == {"token"}


# --- sign-in by SMS code (the pz-otp plugin) --------------------------------------------------


def test_otp_login_202_then_key_and_session(storefront, customer):
    storefront.fetch_csrf_token()
    asked = storefront.sign_in("/users/otp-login/", {"phone": "05551112233"})
    assert asked.status_code == 202  # the client's "show the code step"
    assert set(asked.json()) == {"detail"}
    assert storefront.session_id is None

    wrong = storefront.sign_in("/users/otp-login/", {"phone": "05551112233", "code": "000000"})
    assert wrong.status_code == 406
    assert set(wrong.json()) == {"non_field_errors", "error_code"}

    code = sms_code(storefront, "+905551112233")
    done = storefront.sign_in("/users/otp-login/", {"phone": "05551112233", "code": code})
    assert done.status_code == 200
    assert set(done.json()) == {"key"}
    assert storefront.session_id and storefront.session_id == session_cookie_value(done)
    me = storefront.current_user()
    assert me.status_code == 200
    assert me.json()["email"] == "demo@example.com"


# --- erasure (account.anonymize) ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{}, {"data": "{}", "headers": {"Content-Type": "text/plain;charset=UTF-8"}}],
    ids=["no-body", "as-its-proxy-sends-it"],
)
def test_anonymize_with_no_body_erases_and_ends_the_session(app, storefront, customer, body):
    key = storefront.log_in().json()["key"]
    headers = body.pop("headers", {})
    response = storefront.browser("PATCH", "/users/anonymize/", headers=headers, **body)
    assert response.status_code == 200
    assert set(response.json()) == {"detail"}
    assert storefront.current_user().status_code == 401
    assert storefront.send("GET", "/current_user/", headers={"Authorization": f"Token {key}"}).status_code == 401
    with app.app_context():
        user = db.session.get(User, customer.id)
        assert user.erased_at is not None and user.email != "demo@example.com"
    assert Storefront(storefront.base_url).log_in().status_code == 400


def test_anonymize_needs_a_session_and_the_token(storefront, customer):
    storefront.fetch_csrf_token()
    assert storefront.browser("PATCH", "/users/anonymize/").status_code == 401
    storefront.log_in()
    refused = storefront.browser("PATCH", "/users/anonymize/", headers={"x-csrftoken": "f" * 64})
    assert refused.status_code == 403
    assert storefront.current_user().status_code == 200


# --- the loyalty card (account.loyaltyBalance, account.loyaltyTransactions) -----------------


@pytest.fixture
def loyalty_service(app):
    server = SimServer()
    configure_service(app, server)
    yield server
    server.stop()


@pytest.fixture
def card(app, customer, loyalty_service) -> str:
    with app.app_context():
        number = loyalty.request_card(user_id=customer.id).card_number
    loyalty_service.sim.add_transaction(number, "40.00", "100000201", created_at="2026-11-20T09:00:00Z")
    loyalty_service.sim.add_transaction(number, "-15.25", "100000202", created_at="2026-11-25T09:00:00Z")
    return number


def test_loyalty_balance_and_transactions_as_the_client_reads_them(storefront, card):
    storefront.log_in()
    balance = storefront.browser("GET", "/account/loyalty-account-balance/")
    assert balance.status_code == 200
    assert balance.json() == {"balance": 24.75}

    listed = storefront.browser("GET", "/account/loyalty/")
    assert listed.status_code == 200
    body = listed.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    newest = body["results"][0]
    assert set(newest) == {"amount", "created_date", "transaction"}
    assert newest["amount"] == "-15.25"
    assert re.fullmatch(r"-?\d+\.\d{2}", newest["amount"])
    assert newest["transaction"] == {"created_date": newest["created_date"], "order": "100000202"}


def test_loyalty_without_a_card_is_zero_and_empty(storefront, customer):
    storefront.log_in()
    assert storefront.browser("GET", "/account/loyalty-account-balance/").json() == {"balance": 0}
    assert storefront.browser("GET", "/account/loyalty/").json() == {
        "count": 0, "next": None, "previous": None, "results": []
    }


def test_loyalty_service_down_is_503_with_retry_after(storefront, card, loyalty_service):
    storefront.log_in()
    loyalty_service.fail("503")
    for path in ("/account/loyalty-account-balance/", "/account/loyalty/"):
        response = storefront.browser("GET", path)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) >= 1
        assert set(response.json()) == {"detail"}


def test_loyalty_reads_need_a_session(storefront):
    for path in ("/account/loyalty-account-balance/", "/account/loyalty/"):
        response = storefront.send("GET", path, headers={"Content-Type": "application/json"})
        assert response.status_code == 401
        assert set(response.json()) == {"detail"}
