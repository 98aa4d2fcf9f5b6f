"""The pages: "Sign in with a code instead" on the login page, the phone, then the code step."""

from __future__ import annotations

from tests.codelogin.conftest import NO_ACCOUNT, PHONE, outbox_code
from tests.conftest import form_token, page


def test_the_login_page_offers_a_code_instead(client):
    link = page(client.get("/account/login")).find("a", id="code-login-link")
    assert link is not None and link["href"].startswith("/account/login/sms")


def start(client, phone: str):
    token = form_token(client.get("/account/login/sms"))
    return client.post("/account/login/sms", data={"phone": phone, "csrf_token": token})


def test_phone_then_code_signs_in(client, customer):
    response = start(client, "0555 111 22 33")
    assert response.status_code == 303 and response.headers["Location"].startswith("/account/login/sms/verify")
    step = client.get("/account/login/sms/verify")
    doc = page(step)
    assert doc.find("section", id="code-step") is not None
    assert doc.find("input", attrs={"name": "code"}) is not None
    response = client.post(
        "/account/login/sms/verify", data={"code": outbox_code(client), "csrf_token": form_token(step)}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/account/profile"
    assert page(client.get("/account/profile")).find("form", id="code-login-form") is None
    assert client.get("/users/user/").get_json()["email"] == "demo@example.com"


def test_a_number_without_an_account_sees_the_same_pages(client, customer):
    known = page(client.get(start(client, PHONE).headers["Location"]))
    other = client.application.test_client()
    unknown = page(other.get(start(other, NO_ACCOUNT).headers["Location"]))
    assert known.find("h1").get_text() == unknown.find("h1").get_text()
    assert known.find("p", id="code-login-note").get_text() == unknown.find("p", id="code-login-note").get_text()
    assert [m["to"] for m in client.get("/_dev/sms.json").get_json() if m["status"] == "sent"] == [PHONE]


def test_a_wrong_code_shows_beside_the_field(client, customer):
    step = client.get(start(client, PHONE).headers["Location"])
    code = outbox_code(client)
    response = client.post(
        "/account/login/sms/verify",
        data={"code": f"{(int(code) + 1) % 10**6:06d}", "csrf_token": form_token(step)},
    )
    assert response.status_code == 406
    errors = page(response).find("section", id="code-step").find_all(class_="field__error")
    assert any("do not match" in e.get_text() for e in errors)
    assert client.get("/users/user/").status_code == 401


def test_an_invalid_phone_is_a_field_error(client):
    response = start(client, "12")
    assert response.status_code == 400
    assert page(response).find("input", attrs={"name": "phone"}) is not None
    assert page(response).find(id="phone-error") is not None or "valid phone" in page(response).get_text()


def test_the_code_page_without_a_phone_goes_back_to_the_first_step(client):
    response = client.get("/account/login/sms/verify")
    assert response.status_code == 303 and response.headers["Location"] == "/account/login/sms"


def test_the_pages_speak_turkish(client):
    doc = page(client.get("/account/login/sms", headers={"Accept-Language": "tr"}))
    assert doc.find("h1").get_text() == "Kodla giriş yap"
