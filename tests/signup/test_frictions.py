"""The sign-up page as a newcomer reads it (issue 21, frictions): what is required
and what is optional, and a taken email offering the way in."""

from __future__ import annotations

from tests.conftest import page
from tests.signup.test_views import DETAILS, post

REQUIRED = ("first_name", "last_name", "email", "password", "phone", "date_of_birth")
OPTIONAL = ("gender", "language_code")


def label_text(doc, name: str) -> str:
    return " ".join(doc.find("label", attrs={"for": name}).get_text().split())


def test_required_fields_are_marked_and_optional_ones_say_so(client):
    doc = page(client.get("/account/register"))
    assert doc.find(id="register-required-note").get_text(strip=True) == "Fields marked * are required."
    for name in REQUIRED:
        control = doc.find(id=name)
        assert control["aria-required"] == "true", name
        assert control.has_attr("required"), name
        assert label_text(doc, name).endswith("*"), name
        assert doc.find("label", attrs={"for": name}).find(class_="field__mark")["aria-hidden"] == "true"
    for name in OPTIONAL:
        control = doc.find(id=name)
        assert not control.has_attr("aria-required") and not control.has_attr("required"), name
        assert label_text(doc, name).endswith("(optional)"), name
    assert label_text(doc, "gender") == "Gender (optional)"
    assert doc.find("legend").get_text(strip=True) == "Keeping in touch (optional)"


def test_a_kept_password_is_neither_required_nor_called_optional(client):
    response = post(client, "/account/register", {**DETAILS, "phone": "12"})
    assert response.status_code == 400
    doc = page(response)
    assert label_text(doc, "password") == "Password"
    assert not doc.find(id="password").has_attr("aria-required")
    assert doc.find(id="password").get("value") in (None, "")  # never sent back, not even hidden
    assert doc.find("input", attrs={"type": "hidden", "name": "password"}) is None
    assert doc.find(id="password-help").get_text(strip=True) == "Leave empty to keep the password you already entered."


def test_a_taken_email_offers_log_in_and_password_reset(client, customer):
    response = post(client, "/account/register", {**DETAILS, "email": "demo@example.com"})
    assert response.status_code == 400
    doc = page(response)
    assert doc.find(id="email-error") is not None
    help_ = doc.find(id="email-help")
    assert help_.find("a", id="email-taken-login")["href"] == "/account/login"
    assert help_.find("a", id="email-taken-login").get_text(strip=True) == "Log in instead"
    assert help_.find("a", id="email-taken-reset")["href"] == "/account/password/reset"
    assert help_.find("a", id="email-taken-reset").get_text(strip=True) == "Forgot your password?"
    assert doc.find(id="email")["aria-describedby"] == "email-help email-error"


def test_a_free_or_malformed_email_offers_no_such_links(client, customer):
    response = post(client, "/account/register", {**DETAILS, "email": "demo@", "phone": "12"})
    doc = page(response)
    assert doc.find(id="email-error") is not None
    assert doc.find(id="email-taken-login") is None
    doc = page(post(client, "/account/register", {**DETAILS, "email": "new@example.com", "phone": "12"}))
    assert doc.find(id="email-error") is None and doc.find(id="email-help") is None
