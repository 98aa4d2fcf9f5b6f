"""``/account/security``: the same actions on the HTML face."""

from tests.conftest import DEMO_PASSWORD, page


def test_security_page_has_the_three_forms(auth, customer):
    auth.login()
    doc = page(auth.client.get("/account/security"))
    assert doc.find("form", id="password-form").find("input", attrs={"name": "new_password"}) is not None
    assert doc.find("form", id="email-form").find("input", attrs={"name": "email"}) is not None
    assert doc.find("form", id="sessions-form").find("button", id="sessions-submit") is not None
    assert doc.select_one('nav a[href="/account/security"]')["aria-current"] == "page"


def test_every_label_names_exactly_one_element(auth, customer):
    """Issue 21: the sections had id="email" and id="password" too, detaching the labels."""
    auth.login()
    doc = page(auth.client.get("/account/security"))
    for label in doc.find_all("label", attrs={"for": True}):
        targets = doc.find_all(id=label["for"])
        assert [t.name for t in targets] == ["input"], label["for"]


def test_change_password_with_errors_then_success(app, auth, customer):
    auth.login()
    response = auth.post(
        "/account/security/password",
        {"current_password": "wrong-password", "new_password": "a-brand-new-passphrase"},
        token_from="/account/security",
    )
    assert response.status_code == 400
    assert page(response).find(id="current_password-error").text == "The password is not correct."
    response = auth.post(
        "/account/security/password",
        {"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-passphrase"},
        token_from="/account/security",
    )
    assert (response.status_code, response.headers["Location"]) == (303, "/account/security")
    login = app.test_client().post(
        "/users/login/", json={"email": "demo@example.com", "password": "a-brand-new-passphrase"}
    )
    assert login.status_code == 200


def test_change_email_keeps_what_was_typed(auth, customer):
    auth.login()
    response = auth.post(
        "/account/security/email",
        {"email": "new@example.com", "emailConfirm": "new@example.com", "password": "nope"},
        token_from="/account/security",
    )
    assert response.status_code == 400
    doc = page(response)
    assert doc.find("input", attrs={"name": "email"})["value"] == "new@example.com"
    assert doc.find(id="password-error").text == "The password is not correct."


def test_log_out_other_sessions(app, auth, customer):
    other = app.test_client()
    other.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    auth.login()
    response = auth.post("/account/security/sessions", token_from="/account/security")
    assert response.status_code == 303
    assert page(auth.client.get("/account/security")).find(id="flashes").text.strip() == (
        "Logged out of 1 other session."
    )
    assert other.get("/users/user/").status_code == 401
