"""Registration, password change and the value formats, as the storefront client sends them."""

from __future__ import annotations

import re

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.storefront.conftest import AS_CONFIGURED, session_cookie_value

pytestmark = AS_CONFIGURED

PROFILE_KEYS = {
    "id", "first_name", "last_name", "email_allowed", "sms_allowed", "call_allowed", "avatar", "email", "phone",
    "date_of_birth", "gender", "genders", "language_code", "attributes", "date_joined",
}
SIGN_UP = {
    "first_name": "Ayşe",
    "last_name": "Yılmaz",
    "email": "ayse@example.com",
    "password": "correct horse battery",
    "phone": "05351231212",
    "date_of_birth": "1990-01-01",
    "email_allowed": "true",
    "sms_allowed": True,
    "call_allowed": "off",
    "language_code": "tr-tr",
    "confirm": True,
    "kvkk_confirm": "true",
    # what the client adds, ignored
    "formType": "register",
    "locale": "tr",
    "captchaValidated": "false",
    "csrfToken": "x",
    "callbackUrl": "/tr/account",
    "json": "true",
}


def sms_code(storefront, phone: str) -> str:
    messages = storefront.send("GET", "/_dev/sms.json").json()
    body = next(m["body"] for m in messages if m["to"] == phone)
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_registration_202_is_the_code_step_then_201_key_and_session(storefront):
    storefront.fetch_csrf_token()
    first = storefront.sign_in("/users/registration/", SIGN_UP)
    assert first.status_code == 202  # the client shows its SMS code step
    body = first.json()
    assert set(body) == PROFILE_KEYS
    assert body["id"] is None
    assert (body["email_allowed"], body["sms_allowed"], body["call_allowed"]) == (True, True, False)  # as sent
    assert body["phone"] == "05351231212"
    assert body["language_code"] == "tr-tr"
    assert body["attributes"] == {"confirm": True, "kvkk_confirm": True}
    assert storefront.session_id is None

    done = storefront.sign_in("/users/registration/", {**SIGN_UP, "code": sms_code(storefront, "+905351231212")})
    assert done.status_code == 201
    assert set(done.json()) == {"key"}
    assert storefront.session_id == session_cookie_value(done)

    me = storefront.current_user()
    assert me.status_code == 200
    assert me.json()["email"] == "ayse@example.com" and me.json()["phone"] == "05351231212"
    profile = storefront.browser("GET", "/users/profile/").json()
    assert profile["language_code"] == "tr-tr"
    assert profile["email_allowed"] is True and profile["call_allowed"] is False
    attributes = profile["attributes"]
    assert attributes["confirm"] is True and attributes["kvkk_confirm"] is True
    assert attributes["kvkk_flat_page_version"] == "1"
    assert attributes["register_client_type"] == "api"


def test_registration_field_errors_are_read_by_field(storefront, customer):
    storefront.fetch_csrf_token()
    response = storefront.sign_in(
        "/users/registration/",
        {**SIGN_UP, "email": "demo@example.com", "phone": "12", "sms_allowed": "maybe", "language_code": "de-DE"},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"email", "phone", "sms_allowed", "language_code"}
    assert storefront.session_id is None


def test_password_change_in_the_clients_shape(storefront, customer):
    storefront.log_in()
    new = "a much longer new passphrase"
    wrong = storefront.browser(
        "POST", "/users/password/change/",
        json={"old_password": "not it at all", "new_password1": new, "new_password2": new},
    )
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"old_password"}
    mismatch = storefront.browser(
        "POST", "/users/password/change/",
        json={"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new + "x"},
    )
    assert mismatch.status_code == 400
    assert set(mismatch.json()) == {"new_password2"}
    weak = storefront.browser(
        "POST", "/users/password/change/",
        json={"old_password": DEMO_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 400
    assert set(weak.json()) == {"new_password2"}

    done = storefront.browser(
        "POST", "/users/password/change/",
        json={"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert done.status_code == 200
    assert storefront.current_user().status_code == 200  # this session stays
    storefront.session_id = None  # signed out on the storefront (next-auth drops its osessionid)
    assert storefront.log_in(password=new).status_code == 200
    assert storefront.__class__(storefront.base_url).log_in().status_code == 400  # the old one is gone


@pytest.mark.parametrize(
    ("sent", "stored"),
    [(True, True), ("true", True), ("TRUE", True), (1, True), ("1", True), ("yes", True), ("on", True),
     (False, False), ("false", False), (0, False), ("0", False), ("no", False), ("Off", False)],
)
def test_booleans_as_the_vendors_framework_reads_them(storefront, customer, sent, stored):
    storefront.log_in()
    response = storefront.browser("PATCH", "/users/profile/", json={"email_allowed": sent})
    assert response.status_code == 200
    assert response.json()["email_allowed"] is stored


@pytest.mark.parametrize("sent", ["maybe", 2, "", None, [True]])
def test_anything_else_is_a_field_error(storefront, customer, sent):
    storefront.log_in()
    response = storefront.browser("PATCH", "/users/profile/", json={"sms_allowed": sent})
    assert response.status_code == 400
    assert set(response.json()) == {"sms_allowed"}


@pytest.mark.parametrize("tag", ["tr", "tr-tr", "en-GB", "en-us", "TR"])
def test_language_tags_of_a_spoken_language_are_kept_as_sent(storefront, customer, tag):
    storefront.log_in()
    response = storefront.browser("PATCH", "/users/profile/", json={"language_code": tag})
    assert response.status_code == 200
    assert response.json()["language_code"] == tag
    assert storefront.browser("GET", "/users/profile/").json()["language_code"] == tag


@pytest.mark.parametrize("tag", ["de", "de-DE", "tr-", "turkish", "tr-tr-tr-tr"])
def test_other_language_tags_are_refused(storefront, customer, tag):
    storefront.log_in()
    response = storefront.browser("PATCH", "/users/profile/", json={"language_code": tag})
    assert response.status_code == 400
    assert set(response.json()) == {"language_code"}


@pytest.mark.parametrize(
    ("sent", "answered"),
    [("05351231212", "05351231212"), ("+905351231212", "05351231212"), ("+4915112345678", "+4915112345678")],
)
@pytest.mark.config(SMS_ALLOWED_REGIONS=("TR", "DE"))  # a shop that also sends to Germany
def test_phones_in_either_form_and_answered_nationally(storefront, customer, sent, answered):
    storefront.log_in()
    response = storefront.browser("PATCH", "/users/profile/", json={"phone": sent})
    assert response.status_code == 200
    assert response.json()["phone"] == answered
    assert storefront.current_user().json()["phone"] == answered
