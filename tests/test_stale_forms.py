"""Stale forms (issue 21, defect 10; portal.stale_forms): a form sent after logging out
or in in another tab, or with the CSRF cookie gone, comes back with what was typed
(never a password) and asks to send it again; nothing is saved; JSON stays a 403."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db as _db
from tests.conftest import DEMO_PASSWORD, page

OWN = {"Origin": "http://localhost", "Referer": "http://localhost/account/profile", "Sec-Fetch-Site": "same-origin"}
MESSAGE = (
    "Your form was not sent: the page was open too long, or you logged in or out in another tab. "
    "Check what you entered and send it again."
)


def profile_form(client) -> dict:
    """The details form as the browser would send it, from the page."""
    soup = page(client.get("/account/profile"))
    form = soup.find("input", attrs={"name": "first_name"}).find_parent("form")
    data = {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")}
    for select_ in form.find_all("select"):
        chosen = select_.find("option", selected=True)
        data[select_["name"]] = chosen["value"] if chosen else ""
    return data


def value(soup, name: str) -> str | None:
    return soup.find("input", attrs={"name": name}).get("value")


def flashes(soup) -> list[str]:
    return [p.get_text(strip=True) for p in soup.select("#flashes p")]


def first_name(app, email: str = "demo@example.com") -> str:
    with app.app_context():
        return _db.session.execute(select(User.first_name).where(User.email == email)).scalar_one()


def test_logged_out_in_another_tab_login_first_then_the_form_with_what_was_typed(app, client, auth, customer):
    auth.login()
    data = profile_form(client)
    assert data["form_owner"] == str(customer.id)
    auth.logout()  # the other tab

    response = client.post("/account/profile", data={**data, "first_name": "Ayşe"}, headers=OWN)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/profile"
    response = client.get("/account/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login")

    response = auth.login(headers={}, query_string={"next": "/account/profile"})
    assert response.headers["Location"] == "/account/profile"
    soup = page(client.get("/account/profile"))
    assert value(soup, "first_name") == "Ayşe"
    assert value(soup, "last_name") == "Customer"
    assert MESSAGE in flashes(soup)
    assert first_name(app) == "Demo"  # nothing was saved

    soup = page(client.get("/account/profile"))  # used once
    assert value(soup, "first_name") == "Demo"
    assert MESSAGE not in flashes(soup)


def test_logged_in_as_someone_else_nothing_is_saved_and_their_form_stays_theirs(
    app, client, auth, customer, make_user
):
    other = make_user(email="other@example.com", first_name="Other")
    auth.login()
    data = profile_form(client)
    client.post("/account/logout", data={"csrf_token": data["csrf_token"]})
    auth.login(email=other.email)  # the other tab

    response = client.post("/account/profile", data={**data, "first_name": "Ayşe"}, headers=OWN)
    assert response.status_code == 303
    soup = page(client.get("/account/profile"))
    assert MESSAGE in flashes(soup)
    assert value(soup, "first_name") == "Other"  # the demo customer's typing is not shown to someone else
    assert first_name(app, "other@example.com") == "Other"
    assert first_name(app) == "Demo"


def test_a_missing_csrf_cookie_brings_the_form_back_filled_in(app, client, auth, customer):
    auth.login()
    data = profile_form(client)
    client.delete_cookie("csrftoken")
    response = client.post("/account/profile", data={**data, "first_name": "Ayşe"}, headers=OWN)
    assert response.status_code == 303
    soup = page(client.get("/account/profile"))
    assert value(soup, "first_name") == "Ayşe"
    assert flashes(soup).count(MESSAGE) == 1
    assert first_name(app) == "Demo"
    # The page set a new cookie: sending the form again works.
    again = {**profile_form(client), "first_name": "Ayşe"}
    assert client.post("/account/profile", data=again, headers=OWN).status_code == 302
    assert first_name(app) == "Ayşe"


def test_passwords_are_never_kept(app, client, auth, customer):
    auth.login()
    token = auth.csrf_token("/account/security")
    client.delete_cookie("csrftoken")
    headers = {**OWN, "Referer": "http://localhost/account/security"}
    form = {"csrf_token": token, "form_owner": str(customer.id), "email": "new@example.com", "password": DEMO_PASSWORD}
    response = client.post("/account/security/email", data=form, headers=headers)
    assert response.status_code == 303 and response.headers["Location"] == "/account/security"
    with client.session_transaction() as session:
        kept = dict(session["stale_form"]["values"])
    assert kept == {"email": "new@example.com"}
    soup = page(client.get("/account/security"))
    assert soup.find("input", id="email")["value"] == "new@example.com"
    assert not soup.find("input", id="password").get("value")


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Referer": "https://evil.example/page"},
        {},  # nothing shows it came from our own page
    ],
)
def test_a_post_from_another_site_is_refused_and_nothing_kept(app, client, auth, customer, headers):
    auth.login()
    data = profile_form(client)
    client.delete_cookie("csrftoken")
    response = client.post("/account/profile", data={**data, "first_name": "Evil"}, headers=headers)
    assert response.status_code == 403
    assert page(response).find("h1").get_text(strip=True) == "Your form expired"
    soup = page(client.get("/account/profile"))
    assert value(soup, "first_name") == "Demo"


def test_json_answers_stay_as_they_were(client, api, customer):
    api.login()
    client.delete_cookie("csrftoken")
    response = client.patch("/users/profile/", json={"first_name": "Ayşe"}, headers=OWN)
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("CSRF Failed")


def test_the_way_back_keeps_the_query_and_never_leaves_the_site(client, auth, customer):
    auth.login()
    data = profile_form(client)
    client.delete_cookie("csrftoken")
    headers = {**OWN, "Referer": "http://localhost/account/profile?tab=details"}
    response = client.post("/account/profile", data=data, headers=headers)
    assert response.headers["Location"] == "/account/profile?tab=details"
    client.delete_cookie("csrftoken")
    headers = {**OWN, "Referer": "http://localhost//evil.example/account/profile"}
    response = client.post("/account/profile", data=data, headers=headers)
    assert response.headers["Location"] == "/evil.example/account/profile"
    client.delete_cookie("csrftoken")
    # A backslash after the slash is read as "//" by browsers: it is dropped too.
    headers = {**OWN, "Referer": "http://localhost/\\evil.example/account/profile"}
    response = client.post("/account/profile", data=data, headers=headers)
    assert response.headers["Location"] == "/evil.example/account/profile"
