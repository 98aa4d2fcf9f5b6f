"""Two-factor sign-in on the pages: setup, the login's second step, the security
section, the staff gate and reauthentication before acting. Codes come from
pyotp and the secret the setup page shows."""

import pytest
from sqlalchemy import select

from portal.twofactor.models import SecurityEvent
from tests.conftest import DEMO_PASSWORD, page
from tests.twofactor.conftest import code_for


def flash_text(response) -> str:
    return page(response).find(id="flashes").text.strip()


def test_security_page_offers_setup_and_setup_page_shows_qr_and_key(auth, client, customer):
    auth.login()
    section = page(client.get("/account/security")).find("section", id="two-factor")
    assert section["data-enabled"] == "false"
    assert section.find("a", id="two-factor-setup")["href"] == "/account/two-factor/setup"
    doc = page(client.get("/account/two-factor/setup"))
    assert doc.find("figure", id="totp-qr").find("svg") is not None
    secret = doc.find("code", id="totp-secret").text
    assert len(secret) == 32 and secret.isalnum()
    assert doc.find("form", id="setup-form").find("input", attrs={"name": "code"}) is not None
    # The same key on a reload: what was already scanned stays valid.
    assert page(client.get("/account/two-factor/setup")).find("code", id="totp-secret").text == secret


def test_setup_refuses_a_wrong_code_then_shows_recovery_codes_once(app, auth, client, customer, two_factor, frozen):
    auth.login()
    secret = two_factor.read_secret()
    wrong = "123456" if code_for(secret) != "123456" else "654321"
    response = auth.post("/account/two-factor/setup", {"code": wrong})
    assert response.status_code == 400
    assert page(response).find(id="code-error").text.startswith("The code is not correct.")
    response = auth.post("/account/two-factor/setup", {"code": code_for(secret)})
    assert response.status_code == 200
    codes = page(response).find("ul", id="recovery-codes").find_all("code")
    assert len(codes) == 10
    section = page(client.get("/account/security")).find("section", id="two-factor")
    assert section["data-enabled"] == "true"
    assert section.find(id="recovery-codes-left")["data-count"] == "10"
    assert section.find("form", id="disable-form") is not None
    assert client.get("/account/two-factor/setup").status_code == 303  # already on
    with app.app_context():
        from portal.extensions import db

        events = db.session.execute(select(SecurityEvent.action, SecurityEvent.user_id)).all()
    assert events == [("two_factor_enabled", customer.id)]


@pytest.fixture
def enabled_customer(app, auth, customer, two_factor, frozen):
    """The demo customer with two-factor on, logged out; 30 s later (the setup code is spent)."""
    auth.login()
    secret, codes = two_factor.set_up()
    auth.logout()
    frozen.advance(seconds=30)
    return secret, codes


def test_login_asks_for_the_code_after_the_password(auth, client, enabled_customer):
    secret, _codes = enabled_customer
    response = auth.client.post(
        "/account/login?next=/account/consents",
        data={"email": "demo@example.com", "password": DEMO_PASSWORD, "csrf_token": auth.csrf_token()},
    )
    assert (response.status_code, response.headers["Location"]) == (303, "/account/login/code?next=/account/consents")
    assert client.get("/account/profile").status_code == 302  # not logged in yet
    doc = page(client.get("/account/login/code"))
    assert doc.find("form", id="login-code-form").find("input", attrs={"name": "code"})["autocomplete"] == (
        "one-time-code"
    )
    response = auth.post(
        "/account/login/code?next=/account/consents", {"code": "000000"}, token_from="/account/login/code"
    )
    assert response.status_code == 400
    assert page(response).find(id="code-error").text == "The code is not correct."
    response = auth.post(
        "/account/login/code?next=/account/consents", {"code": code_for(secret)}, token_from="/account/login/code"
    )
    assert (response.status_code, response.headers["Location"]) == (303, "/account/consents")
    assert client.get("/account/profile").status_code == 200


def test_a_code_used_once_cannot_log_in_again(app, auth, client, enabled_customer, two_factor):
    secret, _codes = enabled_customer
    code = code_for(secret)
    assert two_factor.login("demo@example.com", DEMO_PASSWORD, code).status_code == 303
    auth.logout()
    response = two_factor.login("demo@example.com", DEMO_PASSWORD, code)
    assert response.status_code == 400


def test_a_recovery_code_logs_in_once_and_says_how_many_are_left(auth, client, enabled_customer, two_factor):
    _secret, codes = enabled_customer
    response = two_factor.login("demo@example.com", DEMO_PASSWORD, codes[0])
    assert response.status_code == 303
    assert "You used a recovery code; 9 are left." in flash_text(client.get("/account/profile"))
    auth.logout()
    assert two_factor.login("demo@example.com", DEMO_PASSWORD, codes[0]).status_code == 400
    assert two_factor.login("demo@example.com", DEMO_PASSWORD, codes[1]).status_code == 303
    section = page(client.get("/account/security")).find("section", id="two-factor")
    assert section.find(id="recovery-codes-left")["data-count"] == "8"


def test_the_second_step_waits_five_minutes(auth, client, enabled_customer, frozen):
    secret, _codes = enabled_customer
    auth.login()
    frozen.advance(minutes=5, seconds=1)
    response = client.get("/account/login/code")
    assert (response.status_code, response.headers["Location"]) == (303, "/account/login")
    response = client.post("/account/login/code", data={"code": code_for(secret), "csrf_token": auth.csrf_token()})
    assert response.status_code == 303
    assert client.get("/account/profile").status_code == 302


def test_the_code_step_without_a_password_first_goes_to_login(client):
    response = client.get("/account/login/code")
    assert (response.status_code, response.headers["Location"]) == (303, "/account/login")


def test_wrong_codes_count_like_wrong_passwords(auth, client, enabled_customer):
    auth.login()
    token = auth.csrf_token("/account/login/code")
    statuses = [
        client.post("/account/login/code", data={"code": "000000", "csrf_token": token}).status_code for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    response = auth.login()  # the password too: one allowance per account
    assert response.status_code == 429


def test_regenerate_and_disable_need_the_password(app, auth, client, enabled_customer, two_factor):
    secret, old_codes = enabled_customer
    two_factor.login("demo@example.com", DEMO_PASSWORD, code_for(secret))
    response = auth.post(
        "/account/two-factor/recovery-codes", {"regenerate-password": "wrong"}, token_from="/account/security"
    )
    assert response.status_code == 400
    assert page(response).find(id="regenerate-password-error").text == "The password is not correct."
    response = auth.post(
        "/account/two-factor/recovery-codes", {"regenerate-password": DEMO_PASSWORD}, token_from="/account/security"
    )
    new_codes = [c.text for c in page(response).find("ul", id="recovery-codes").find_all("code")]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)

    response = auth.post("/account/two-factor/disable", {"disable-password": "wrong"}, token_from="/account/security")
    assert response.status_code == 400
    assert page(response).find(id="disable-password-error").text == "The password is not correct."
    response = auth.post(
        "/account/two-factor/disable", {"disable-password": DEMO_PASSWORD}, token_from="/account/security"
    )
    assert (response.status_code, response.headers["Location"]) == (303, "/account/security#two-factor")
    assert page(client.get("/account/security")).find("section", id="two-factor")["data-enabled"] == "false"
    auth.logout()
    assert auth.login().status_code == 302  # the password alone again
    with app.app_context():
        from portal.extensions import db

        actions = db.session.execute(select(SecurityEvent.action).order_by(SecurityEvent.id)).scalars().all()
    assert actions == ["two_factor_enabled", "recovery_codes_regenerated", "two_factor_disabled"]


# --- staff ---------------------------------------------------------------------------


@pytest.fixture
def agent(make_user):
    return make_user(email="agent@example.com", role="agent", first_name="Ayla", last_name="Agent")


@pytest.mark.config(STAFF_REQUIRE_2FA=True)
def test_staff_without_two_factor_can_only_set_it_up(auth, client, agent, customer, two_factor):
    response = auth.login("agent@example.com")
    assert response.status_code == 302
    for path in ("/account/profile", "/agent/", f"/agent/customers/{customer.id}", "/account/security"):
        response = client.get(path)
        assert (response.status_code, response.headers.get("Location")) == (303, "/account/two-factor/setup"), path
    doc = page(client.get("/account/two-factor/setup"))
    assert doc.find(id="setup-required") is not None
    assert "required for staff" in doc.find(id="flashes").text
    assert client.get("/users/user/").status_code == 403
    two_factor.set_up()
    assert client.get("/agent/").status_code == 200
    section = page(client.get("/account/security")).find("section", id="two-factor")
    assert section.find(id="two-factor-required") is not None
    assert section.find("form", id="disable-form") is None
    response = auth.post(
        "/account/two-factor/disable", {"disable-password": DEMO_PASSWORD}, token_from="/account/security"
    )
    assert response.status_code == 403
    assert page(client.get("/account/security")).find("section", id="two-factor")["data-enabled"] == "true"


def test_staff_without_the_setting_log_in_with_the_password_alone(auth, client, agent):
    assert auth.login("agent@example.com").status_code == 302
    assert client.get("/agent/").status_code == 200


@pytest.mark.config(STAFF_REQUIRE_2FA=True)
def test_customers_are_not_made_to_set_it_up(auth, client, customer):
    auth.login()
    assert client.get("/account/profile").status_code == 200


# --- reauthentication before acting ------------------------------------------------------


def act(auth, customer_id, reason="Ticket T-7"):
    return auth.post(
        f"/agent/customers/{customer_id}/act", {"reason": reason}, token_from=f"/agent/customers/{customer_id}"
    )


def test_acting_right_after_login_needs_no_reauth(auth, agent, customer):
    auth.login("agent@example.com")
    response = act(auth, customer.id)
    assert (response.status_code, response.headers["Location"]) == (303, "/account/profile")


def test_acting_after_the_reauth_timeout_asks_for_the_password_then_continues(auth, client, agent, customer, frozen):
    auth.login("agent@example.com")
    frozen.advance(minutes=16)
    response = act(auth, customer.id, reason="Ticket T-1042")
    assert (response.status_code, response.headers["Location"]) == (
        303,
        f"/account/reauth?next=/agent/customers/{customer.id}",
    )
    assert client.get("/account/profile").status_code == 200
    assert page(client.get("/account/profile")).find(id="acting-banner") is None  # not acting
    reauth = f"/account/reauth?next=/agent/customers/{customer.id}"
    doc = page(client.get(reauth))
    assert doc.find("form", id="reauth-form").find("input", attrs={"name": "code"}) is None  # no 2FA: password only
    response = auth.post(reauth, {"password": "wrong"})
    assert response.status_code == 400
    assert page(response).find(id="password-error").text == "The password is not correct."
    response = auth.post(reauth, {"password": DEMO_PASSWORD})
    assert (response.status_code, response.headers["Location"]) == (303, f"/agent/customers/{customer.id}")
    doc = page(client.get(f"/agent/customers/{customer.id}"))
    assert doc.find("input", attrs={"name": "reason"})["value"] == "Ticket T-1042"
    response = act(auth, customer.id, reason="Ticket T-1042")
    assert (response.status_code, response.headers["Location"]) == (303, "/account/profile")
    assert page(client.get("/account/profile")).find(id="acting-banner") is not None


def test_reauth_takes_a_code_and_never_leaves_the_site(auth, client, agent, customer, two_factor, frozen):
    auth.login("agent@example.com")
    secret, _codes = two_factor.set_up()
    frozen.advance(minutes=16)
    reauth = "/account/reauth?next=//evil.example/steal"
    assert page(client.get(reauth)).find("form", id="reauth-form").find("input", attrs={"name": "code"}) is not None
    response = auth.post(reauth, {"code": code_for(secret)})
    assert (response.status_code, response.headers["Location"]) == (303, "/account/profile")
    assert act(auth, customer.id).status_code == 303


def test_reauth_wrong_answers_are_throttled(auth, client, agent):
    auth.login("agent@example.com")
    token = auth.csrf_token("/account/reauth")
    statuses = [
        client.post("/account/reauth", data={"password": "wrong", "csrf_token": token}).status_code for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]


@pytest.mark.config(STAFF_REQUIRE_2FA=True)
def test_staff_who_must_set_it_up_can_still_log_out_and_choose_a_language(auth, client, agent):
    auth.login("agent@example.com")
    token = auth.csrf_token("/account/two-factor/setup")
    response = client.post(
        "/language", data={"language": "tr", "next": "/account/two-factor/setup", "csrf_token": token}
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/account/two-factor/setup")
    assert page(client.get("/account/two-factor/setup")).html["lang"] == "tr"
    response = client.post("/account/logout", data={"csrf_token": token})
    assert (response.status_code, response.headers["Location"]) == (302, "/account/login")
    assert client.get("/account/two-factor/setup").status_code == 302  # logged out: to the login page
