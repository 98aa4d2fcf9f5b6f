"""The sign-up wizard, through the HTML pages (BeautifulSoup by ids and names)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.extensions import db as _db
from portal.profile.models import ConsentRecord
from tests.conftest import form_token, in_groups, page
from tests.signup.helpers import code_for

PHONE = "+905551112233"
DETAILS = {
    "first_name": "Ayşe",
    "last_name": "Yılmaz",
    "email": "ayse@example.com",
    "password": "correct horse battery",
    "phone": "0555 111 22 33",
    "date_of_birth": "1990-01-01",
    "gender": "female",
    "language_code": "en",
    "sms_allowed": "y",
    "add_loyalty": "y",
}


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze()


def post(client, path, data, token_from=None):
    token = form_token(client.get(token_from or path))
    return client.post(path, data={**data, "csrf_token": token})


def test_wizard_hides_loyalty_without_the_setting(client):
    doc = page(client.get("/account/register"))
    assert doc.find("input", attrs={"name": "add_loyalty"}) is None
    assert doc.find(id="loyalty-option") is None
    assert doc.find("a", id="privacy-notice-link")["href"] == "#privacy-notice"
    assert doc.find(id="privacy-notice") is not None
    assert doc.find(id="steps").find(attrs={"aria-current": "step"})["data-step"] == "1"
    for name in ("email_allowed", "sms_allowed", "call_allowed"):
        assert not doc.find("input", attrs={"name": name}).has_attr("checked")


def test_whole_wizard_with_a_card(app, client, loyalty_service):
    doc = page(client.get("/account/register"))
    assert doc.find("input", attrs={"name": "add_loyalty"}) is not None
    response = post(client, "/account/register", DETAILS)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/code")

    doc = page(client.get("/account/register/code"))
    assert doc.find(id="steps").find(attrs={"aria-current": "step"})["data-step"] == "2"
    assert doc.find(id="code-step") is not None
    # The number just typed, whole, so a typo shows; and the code's lifetime, not what is left.
    assert " ".join(doc.find(id="code-step-target").get_text().split()) == (
        "We sent a 6-digit code by SMS to +90 555 111 22 33."
    )
    assert " ".join(doc.find(id="code-step-validity").get_text().split()) == "The code is valid for 3 minutes."

    response = post(client, "/account/register/code", {"code": code_for(client)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/welcome")
    doc = page(client.get("/account/register/welcome"))
    [customer] = loyalty_service.customers()
    assert doc.find(id="welcome-card-number").get_text() == in_groups(customer["card"]["number"])

    with app.app_context():
        user = _db.session.execute(select(User)).scalar_one()
        records = _db.session.execute(select(ConsentRecord)).scalars().all()
    assert (user.email, user.phone, user.sms_allowed, user.email_allowed) == ("ayse@example.com", PHONE, True, False)
    assert sorted((r.channel, r.granted, r.source) for r in records) == [
        ("call", False, "web"),
        ("email", False, "web"),
        ("sms", True, "web"),
    ]


def test_errors_keep_what_was_typed_and_the_password(app, client, loyalty_service):
    response = post(client, "/account/register", {**DETAILS, "date_of_birth": "", "phone": "12"})
    assert response.status_code == 400
    doc = page(response)
    assert doc.find(id="error-summary") is not None
    assert doc.find(id="phone-error") is not None
    assert doc.find(id="date_of_birth-error") is not None
    assert doc.find("input", attrs={"name": "first_name"})["value"] == "Ayşe"
    assert doc.find("input", attrs={"name": "email"})["value"] == "ayse@example.com"
    assert doc.find("input", attrs={"name": "sms_allowed"}).has_attr("checked")
    assert doc.find("input", attrs={"name": "password"}).get("value") in (None, "")
    assert doc.find(id="password-help").get_text(strip=True).startswith("Leave empty")

    # fix the two fields only; the password is not typed again
    response = post(client, "/account/register", {**DETAILS, "password": ""})
    assert response.status_code == 302
    # back from the code step: everything is still there
    doc = page(client.get("/account/register"))
    assert doc.find("input", attrs={"name": "last_name"})["value"] == "Yılmaz"
    assert doc.find("input", attrs={"name": "date_of_birth"})["value"] == "1990-01-01"
    response = post(client, "/account/register/code", {"code": code_for(client)}, token_from="/account/register/code")
    assert response.status_code == 302
    with app.app_context():
        assert _db.session.execute(select(User.email)).scalar_one() == "ayse@example.com"


def test_wrong_code_is_shown_beside_the_field(app, client, loyalty_service):
    post(client, "/account/register", DETAILS)
    code = code_for(client)
    response = post(client, "/account/register/code", {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert response.status_code == 406
    doc = page(response)
    assert doc.find(id="code-error").get_text(strip=True) == "Verification codes do not match. You have 4 tries left."
    with app.app_context():
        assert _db.session.execute(select(User)).first() is None


def test_card_on_its_way_when_the_service_is_down(app, client, loyalty_service):
    post(client, "/account/register", DETAILS)
    loyalty_service.fail("503")
    post(client, "/account/register/code", {"code": code_for(client)})
    doc = page(client.get("/account/register/welcome"))
    assert doc.find(id="welcome-card-pending") is not None
    assert doc.find(id="welcome-card-number") is None
    doc = page(client.get("/account/loyalty"))
    assert doc.find(id="loyalty-status")["data-status"] == "pending"


def test_phone_taken_meanwhile_goes_back_to_details(app, client, make_user, loyalty_service):
    post(client, "/account/register", DETAILS)
    code = code_for(client)
    make_user(email="other@example.com", phone=PHONE)
    response = post(client, "/account/register/code", {"code": code})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register")
    doc = page(client.get("/account/register"))
    assert doc.find(id="flashes").get_text(strip=True) == "A user with this phone number already exists."
    assert doc.find("input", attrs={"name": "email"})["value"] == "ayse@example.com"


def test_register_link_for_visitors(client):
    doc = page(client.get("/account/login"))
    assert doc.find("a", id="nav-register")["href"] == "/account/register"


def test_changed_details_within_the_cooldown_wait_with_retry_after(client, loyalty_service):
    post(client, "/account/register", DETAILS)
    response = post(client, "/account/register", {**DETAILS, "first_name": "Ayşegül", "password": ""})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    doc = page(response)
    assert doc.find(id="error-summary") is not None
    assert doc.find("input", attrs={"name": "first_name"})["value"] == "Ayşegül"


def test_back_with_unchanged_details_sends_no_second_code(client, loyalty_service):
    post(client, "/account/register", DETAILS)
    response = post(client, "/account/register", {**DETAILS, "password": ""})
    assert response.status_code == 302
    assert len([m for m in client.get("/_dev/sms.json").get_json() if m["to"] == PHONE]) == 1
