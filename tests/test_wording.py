"""One wording per message (issue 21, defect 12), checked on the pages with
BeautifulSoup and on the JSON face: "Enter a valid email address." for every email
field, required fields named on the pages ("Enter your first name."), the gender
options as "Female"/"Male"; the JSON face keeps the vendor's documented messages."""

from __future__ import annotations

import pytest

from tests.conftest import form_token, page

REGISTER_NAMED = {
    "first_name": "Enter your first name.",
    "last_name": "Enter your last name.",
    "email": "Enter your email address.",
    "password": "Enter your password.",
    "phone": "Enter your phone number.",
    "date_of_birth": "Enter your date of birth.",
}


def field_error(soup, name: str) -> str | None:
    field = soup.find(["input", "select"], attrs={"name": name})
    error = soup.find(id=f"{field['id']}-error")
    return error.get_text(strip=True) if error else None


def test_registration_names_every_missing_field(client):
    token = form_token(client.get("/account/register"))
    response = client.post("/account/register", data={"csrf_token": token})
    assert response.status_code == 400
    soup = page(response)
    assert {name: field_error(soup, name) for name in REGISTER_NAMED} == REGISTER_NAMED
    summary = [li.get_text(strip=True) for li in soup.find(id="error-summary").find_all("li")]
    assert "First name: Enter your first name." in summary


def test_registration_names_missing_fields_in_turkish(client):
    turkish = {"Accept-Language": "tr"}
    token = form_token(client.get("/account/register", headers=turkish))
    soup = page(client.post("/account/register", data={"csrf_token": token}, headers=turkish))
    assert field_error(soup, "first_name") == "Adınızı girin."
    assert field_error(soup, "phone") == "Telefon numaranızı girin."


def test_the_json_face_keeps_the_documented_required_message(client):
    response = client.post("/users/registration/", json={})
    assert response.status_code == 400
    assert response.get_json()["first_name"] == ["This field is required."]


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/account/register", {"email": "not-an-email"}, "email"),
        ("/account/password/reset", {"email": "not-an-email"}, "email"),
    ],
)
def test_a_bad_email_says_enter_a_valid_email_address_on_the_pages(client, path, data, field):
    token = form_token(client.get(path))
    soup = page(client.post(path, data={**data, "csrf_token": token}))
    assert field_error(soup, field) == "Enter a valid email address."


def test_a_bad_email_says_the_same_on_the_json_face(client):
    response = client.post("/users/password/reset/", json={"email": "not-an-email"})
    assert response.status_code == 400
    assert response.get_json() == {"email": ["Enter a valid email address."]}


def test_a_bad_new_email_on_the_security_page(auth, customer):
    auth.login()
    data = {"email": "nope", "emailConfirm": "nope", "password": "x"}
    soup = page(auth.post("/account/security/email", data, token_from="/account/security"))
    assert field_error(soup, "email") == "Enter a valid email address."


def test_gender_options_read_female_and_male(auth, customer, api):
    auth.login()
    select_ = page(auth.client.get("/account/profile")).find("select", attrs={"name": "gender"})
    labels = {option["value"]: option.get_text(strip=True) for option in select_.find_all("option")}
    assert (labels["female"], labels["male"]) == ("Female", "Male")
    # The JSON face keeps the vendor's documented labels.
    genders = auth.client.get("/users/profile/").get_json()["genders"]
    assert genders == [{"value": "female", "label": "female"}, {"value": "male", "label": "male"}]
