"""Logging in and out in the browser face."""

import pytest

from tests.conftest import DEMO_PASSWORD, page


def test_root_sends_anonymous_visitors_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"


def test_login_page_has_labelled_fields(client):
    soup = page(client.get("/account/login"))
    form = soup.find("form", id="login-form")
    for name in ("email", "password"):
        field = form.find("input", attrs={"name": name})
        assert soup.find("label", attrs={"for": field["id"]}) is not None
    assert form.find("input", attrs={"name": "csrf_token"})["value"]


def test_login_redirects_to_profile_and_rotates_session(client, auth, customer):
    before = "f" * 64  # a session id planted before login is never the login's
    client.set_cookie("osessionid", before)
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    assert client.get_cookie("osessionid").value != before
    soup = page(client.get("/account/profile"))
    assert soup.find(id="profile-name").get_text(strip=True) == "Demo Customer"
    assert soup.find(id="profile-email").get_text(strip=True) == "demo@example.com"
    assert soup.find(id="nav-user").get_text(strip=True) == "Demo Customer"


def test_root_sends_logged_in_users_to_profile(client, auth, customer):
    auth.login()
    response = client.get("/")
    assert response.headers["Location"] == "/account/profile"


def test_wrong_credentials_show_one_message_and_keep_email(client, auth, customer):
    response = auth.login(password="not-the-password")
    assert response.status_code == 400
    soup = page(response)
    summary = soup.find(id="error-summary")
    assert "Unable to log in with provided credentials." in summary.get_text()
    assert soup.find("input", attrs={"name": "email"})["value"] == "demo@example.com"
    assert soup.find("input", attrs={"name": "password"}).get("value") in (None, "")


def test_missing_fields_are_linked_to_their_inputs(client, auth):
    response = auth.post("/account/login", {"email": "", "password": ""})
    assert response.status_code == 400
    soup = page(response)
    email = soup.find("input", attrs={"name": "email"})
    assert email["aria-invalid"] == "true"
    error = soup.find(id=email["aria-describedby"])
    assert error.get_text(strip=True) == "Enter your email address."  # the field by name (issue 21, defect 12)
    password = soup.find("input", attrs={"name": "password"})
    assert soup.find(id=password["aria-describedby"]).get_text(strip=True) == "Enter your password."
    assert soup.find(id="error-summary").find("a", href="#email") is not None


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("/account/profile?tab=1", "/account/profile?tab=1"),
        ("https://evil.example/", "/account/profile"),
        ("//evil.example/", "/account/profile"),
        ("/\\evil.example", "/account/profile"),
        ("javascript:alert(1)", "/account/profile"),
    ],
)
def test_next_is_honoured_only_for_local_paths(client, customer, next_value, expected):
    login_page = client.get("/account/login", query_string={"next": next_value})
    token = page(login_page).find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post(
        "/account/login",
        query_string={"next": next_value},
        data={"email": "demo@example.com", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == expected


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account/profile"


def test_login_form_without_csrf_is_refused_and_logs_nobody_in(client, customer):
    response = client.post("/account/login", data={"email": "demo@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert page(response).find(id="error-page")["data-status"] == "403"
    assert client.get("/account/profile").status_code == 302


def test_logout_is_post_only_and_ends_the_session(app, client, auth, customer):
    auth.login()
    cookie = client.get_cookie("osessionid").value
    assert client.get("/account/logout").status_code == 405
    response = auth.logout()
    assert response.headers["Location"] == "/account/login"
    replay = app.test_client()
    replay.set_cookie("osessionid", cookie)
    assert replay.get("/account/profile").status_code == 302


def test_logout_without_csrf_is_refused(client, auth, customer):
    auth.login()
    assert client.post("/account/logout").status_code == 403
    assert client.get("/account/profile").status_code == 200


def test_inactive_user_cannot_log_in(client, auth, make_user):
    make_user(email="gone@example.com", is_active=False)
    response = auth.login(email="gone@example.com")
    assert response.status_code == 400
    assert client.get("/account/profile").status_code == 302


def test_html_404_uses_site_layout(client):
    response = client.get("/account/nope")
    assert response.status_code == 404
    soup = page(response)
    assert soup.find(id="error-page")["data-status"] == "404"
    assert soup.find("header", class_="site-header") is not None
