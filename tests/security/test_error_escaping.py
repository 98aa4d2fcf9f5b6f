"""Issue 17 item 10: a form's error messages never carry a submitted value as markup.

Messages that quote what was typed (``“…” is not a valid choice.``) were lazy
strings, which Jinja takes for markup; every message is now plain text, escaped
where the page shows it.
"""

from __future__ import annotations

import pytest

from tests.conftest import form_token, page

PAYLOAD = "<img src=x onerror=alert(1)>"
STAFF_PASSWORD = "staff-password-1"


def assert_escaped(response, quoted: str = PAYLOAD) -> None:
    doc = page(response)
    assert doc.find("img", attrs={"onerror": True}) is None
    assert doc.find("img", attrs={"src": "x"}) is None
    errors = " ".join(p.get_text() for p in doc.find_all("p", class_="field__error"))
    assert quoted in errors  # shown as the text it is


def test_the_profile_page_escapes_a_rejected_choice(auth, customer):
    auth.login()
    response = auth.post("/account/profile", {"first_name": "Demo", "gender": PAYLOAD})
    assert response.status_code == 400
    assert_escaped(response)
    assert page(response).find(id="gender-error") is not None


def test_the_register_wizard_escapes_a_rejected_choice(client):
    token = form_token(client.get("/account/register"))
    response = client.post(
        "/account/register",
        data={
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "email": "ayse@example.com",
            "password": "correct horse battery",
            "phone": "0555 111 22 33",
            "date_of_birth": "1990-01-01",
            "gender": PAYLOAD,
            "language_code": "en",
            "csrf_token": token,
        },
    )
    assert_escaped(response)


@pytest.mark.parametrize("members", ["<img/src=x/onerror=alert(1)>"])
def test_the_admin_segment_form_escapes_rejected_members(auth, make_user, members):
    make_user(email="admin@example.com", password=STAFF_PASSWORD, role="admin")
    auth.login(email="admin@example.com", password=STAFF_PASSWORD)
    response = auth.post(
        "/admin/segments/new",
        {"name": "Members", "priority": "1", "rule": "members", "members": members, "price_list": ""},
    )
    assert response.status_code == 400
    assert_escaped(response, quoted=members)
