"""The profile page's editor for the customer's own ``attributes``."""

from sqlalchemy import select

from portal.accounts.models import User
from tests.conftest import page


def _stored(app, email="demo@example.com"):
    with app.app_context():
        from portal.extensions import db

        return db.session.scalar(select(User).where(User.email == email)).attributes


def _rows(soup):
    form = soup.find("form", id="attributes-form")
    keys = [i.get("value", "") for i in form.find_all("input", attrs={"name": lambda n: n and n.endswith("-key")})]
    values = [i.get("value", "") for i in form.find_all("input", attrs={"name": lambda n: n and n.endswith("-value")})]
    return list(zip(keys, values, strict=True))


def test_rows_show_own_attributes_not_server_managed_plus_an_empty_one(client, auth, make_user):
    make_user(
        email="demo@example.com",
        attributes={"shoe_size": 43, "nickname": "Deniz", "logged_ip": "192.0.2.1", "kvkk_flat_page_version": "1"},
    )
    auth.login()
    soup = page(client.get("/account/profile"))
    assert _rows(soup) == [("nickname", "Deniz"), ("shoe_size", "43"), ("", "")]
    form = soup.find("form", id="attributes-form")
    for field in form.find_all("input", attrs={"name": lambda n: n and n.startswith("attributes-")}):
        assert soup.find("label", attrs={"for": field["id"]}) is not None


def test_add_change_and_remove_keep_types_and_server_managed(app, client, auth, make_user):
    make_user(email="demo@example.com", attributes={"shoe_size": 43, "nickname": "Deniz", "logged_ip": "192.0.2.1"})
    auth.login()
    response = auth.post(
        "/account/profile/attributes",
        {
            # shoe_size left as shown keeps its number; nickname is cleared (removed); colour is new
            "attributes-0-key": "",
            "attributes-0-value": "Deniz",
            "attributes-1-key": "shoe_size",
            "attributes-1-value": "43",
            "attributes-2-key": "colour",
            "attributes-2-value": "green",
        },
        token_from="/account/profile",
    )
    assert response.status_code == 400  # a value without a name is an error: nothing saved
    assert _stored(app) == {"shoe_size": 43, "nickname": "Deniz", "logged_ip": "192.0.2.1"}
    summary = page(response).find(id="error-summary")
    assert summary.find("a", href="#attributes-0-key").get_text(strip=True) == "Name: Give this value a name."

    response = auth.post(
        "/account/profile/attributes",
        {
            "attributes-0-key": "",
            "attributes-0-value": "",
            "attributes-1-key": "shoe_size",
            "attributes-1-value": "43",
            "attributes-2-key": "colour",
            "attributes-2-value": "green",
        },
        token_from="/account/profile",
    )
    assert response.status_code == 302
    assert _stored(app) == {"shoe_size": 43, "colour": "green", "logged_ip": "192.0.2.1"}
    assert _rows(page(client.get("/account/profile"))) == [("colour", "green"), ("shoe_size", "43"), ("", "")]


def test_server_managed_and_duplicate_names_are_refused(app, client, auth, make_user):
    make_user(email="demo@example.com", attributes={"a": "1"})
    auth.login()
    response = auth.post(
        "/account/profile/attributes",
        {
            "attributes-0-key": "logged_ip",
            "attributes-0-value": "1.2.3.4",
            "attributes-1-key": "a",
            "attributes-1-value": "x",
            "attributes-2-key": "a",
            "attributes-2-value": "y",
        },
        token_from="/account/profile",
    )
    assert response.status_code == 400
    soup = page(response)
    managed = soup.find(id="attributes-0-key-error").get_text(strip=True)
    assert managed == "The attribute “logged_ip” is managed by the server."
    assert soup.find(id="attributes-2-key-error").get_text(strip=True) == "This name is used twice."
    assert soup.find("input", id="attributes-1-value")["value"] == "x"  # input kept
    assert _stored(app) == {"a": "1"}


def test_attributes_edited_on_the_page_are_what_the_api_returns(client, auth, api, make_user):
    make_user(email="demo@example.com")
    auth.login()
    auth.post(
        "/account/profile/attributes",
        {"attributes-0-key": "favourite_store", "attributes-0-value": "Kadıköy"},
        token_from="/account/profile",
    )
    assert api.get("/users/profile/").get_json()["attributes"]["favourite_store"] == "Kadıköy"
