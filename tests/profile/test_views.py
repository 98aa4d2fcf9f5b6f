"""The profile pages: the same field rules as the API, the consents page and its
history, and the confirmation step of a consent or phone change."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.profile.models import ConsentRecord
from tests.conftest import page
from tests.profile.conftest import NEW_PHONE, PHONE, image_bytes, last_code, outbox, wrong

DETAILS = {
    "first_name": "Demo",
    "last_name": "Customer",
    "phone": PHONE,
    "gender": "",
    "date_of_birth": "",
    "language_code": "en",
}


def stored(app, email="demo@example.com") -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
        return user


def history_rows(app) -> list[ConsentRecord]:
    with app.app_context():
        rows = list(db.session.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars())
        db.session.expunge_all()
        return rows


def field_error(response, name: str) -> str | None:
    error = page(response).find(id=f"{name}-error")
    return error.get_text(strip=True) if error else None


def test_the_profile_form_uses_the_api_field_names(auth, customer):
    auth.login()
    doc = page(auth.client.get("/account/profile"))
    form = doc.find("form", id="profile-form")
    hidden = ("csrf_token", "form_owner")
    names = {tag["name"] for tag in form.find_all(["input", "select"]) if tag.get("name") not in hidden}
    assert names == {"first_name", "last_name", "phone", "gender", "date_of_birth", "language_code"}
    assert form.find("input", attrs={"name": "first_name"})["value"] == "Demo"
    assert form.find("input", attrs={"name": "phone"})["value"] == "0555 111 22 33"  # as people read it
    options = form.find("select", attrs={"name": "gender"}).find_all("option")
    assert [o["value"] for o in options] == ["", "female", "male"]
    assert doc.find(id="avatar-none") is not None
    assert doc.find("nav").find("a", href="/account/consents") is not None


def test_editing_the_profile_saves_and_says_so(auth, app, customer, frozen):
    auth.login()
    response = auth.post(
        "/account/profile",
        {**DETAILS, "first_name": "  Ayşe ", "gender": "female", "date_of_birth": "1990-05-04", "language_code": "tr"},
    )
    assert (response.status_code, response.location) == (302, "/account/profile")
    user = stored(app)
    assert (user.first_name, user.gender, user.date_of_birth.isoformat(), user.language_code) == (
        "Ayşe", "female", "1990-05-04", "tr",
    )
    follow = auth.client.get("/account/profile")
    assert page(follow).find(id="flashes") is not None


INVALID = [
    ("first_name", "x" * 51, "Field cannot be longer than 50 characters."),
    ("last_name", "Tab\there", "Control characters are not allowed."),
    ("gender", "other", "“other” is not a valid choice."),
    ("date_of_birth", "04.05.1990", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ("date_of_birth", "2026-06-16", "Date of birth cannot be in the future."),
    ("date_of_birth", "2020-01-01", "Age must be between 13 and 120 years."),
    ("phone", "555", "Enter a valid phone number."),
    ("phone", "0555 444 55 66", "A user with this phone number already exists."),
    ("phone", "", "This field may not be blank."),
    ("language_code", "de", "“de” is not a valid choice."),
]


@pytest.mark.parametrize(("field", "value", "message"), INVALID, ids=[f"{f}-{i}" for i, (f, *_) in enumerate(INVALID)])
def test_a_broken_rule_shows_beside_the_field_and_keeps_the_input(
    auth, app, make_user, customer, frozen, field, value, message
):
    make_user(email="other@example.com", phone="+905554445566")
    auth.login()
    response = auth.post("/account/profile", {**DETAILS, "first_name": "Kept", field: value})
    assert response.status_code == 400
    assert field_error(response, field) == message
    doc = page(response)
    assert doc.find(id="error-summary") is not None
    assert doc.find("input", attrs={"name": "first_name"})["value"] == ("Kept" if field != "first_name" else value)
    assert stored(app).first_name == "Demo"


def post_avatar(auth, data: bytes | None = None, filename="me.png", **fields):
    form = dict(fields)
    if data is not None:
        form["avatar"] = (io.BytesIO(data), filename)
    return auth.post("/account/profile/avatar", form, token_from="/account/profile", content_type="multipart/form-data")


def test_uploading_and_removing_the_avatar(auth, app, customer, media_dir):
    auth.login()
    response = post_avatar(auth, image_bytes("WEBP"))
    assert response.status_code == 302
    doc = page(auth.client.get("/account/profile"))
    src = doc.find("img", id="avatar-image")["src"]
    with auth.client.get(src) as served:
        assert served.headers["Content-Type"] == "image/webp"
    assert doc.find("input", attrs={"name": "remove_avatar"}) is not None
    response = post_avatar(auth, remove_avatar="y")
    assert response.status_code == 302
    assert stored(app).avatar is None
    assert page(auth.client.get("/account/profile")).find(id="avatar-none") is not None


def test_a_non_image_avatar_is_refused_beside_the_field(auth, app, customer):
    auth.login()
    response = post_avatar(auth, b"GIF89a not really", filename="cat.png")
    assert response.status_code == 400
    assert field_error(response, "avatar") == (
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    )
    assert stored(app).avatar is None


def test_an_empty_avatar_form_asks_for_a_picture(auth, customer):
    auth.login()
    response = post_avatar(auth)
    assert response.status_code == 400
    assert field_error(response, "avatar") == "Choose a picture to upload."


# --- consents ------------------------------------------------------------------------


def test_the_consents_page_has_three_toggles_with_a_sentence_and_the_state(auth, customer):
    auth.login()
    doc = page(auth.client.get("/account/consents"))
    form = doc.find("form", id="consents-form")
    boxes = form.find_all("input", attrs={"type": "checkbox"})
    assert [b["name"] for b in boxes] == ["email_allowed", "sms_allowed", "call_allowed"]
    assert not any(b.has_attr("checked") for b in boxes)
    for name in ("email_allowed", "sms_allowed", "call_allowed"):
        assert doc.find(id=f"{name}-help").get_text(strip=True)
        assert doc.find(id=f"{name}-state").find("strong").get_text() == "off"
    assert doc.find(id="consent-history-empty") is not None


def test_with_kvkk_off_consents_save_at_once_and_show_in_the_history(auth, app, customer, kvkk_off):
    auth.login()
    auth.post("/account/consents", {"email_allowed": "y", "call_allowed": "y"})
    auth.post("/account/consents", {"call_allowed": "y"})  # email withdrawn
    user = stored(app)
    assert (user.email_allowed, user.sms_allowed, user.call_allowed) == (False, False, True)
    doc = page(auth.client.get("/account/consents"))
    rows = doc.find("table", id="consent-history").find("tbody").find_all("tr")
    assert [(r["data-channel"], r["data-granted"], r["data-source"]) for r in rows] == [
        ("email", "false", "web"), ("call", "true", "web"), ("email", "true", "web"),
    ]
    assert doc.find("input", attrs={"name": "call_allowed"}).has_attr("checked")
    assert [r.actor_id for r in history_rows(app)] == [customer.id] * 3


def test_a_withdrawal_applies_in_one_click_without_a_code(auth, app, client, make_user, kvkk_on):
    """A customer without a phone (no code could reach them) withdraws at once."""
    make_user(email="nophone@example.com", email_allowed=True, call_allowed=True)
    auth.login("nophone@example.com")
    response = auth.post("/account/consents", {"call_allowed": "y"})  # email unticked
    assert (response.status_code, response.location) == (302, "/account/consents")
    user = stored(app, "nophone@example.com")
    assert (user.email_allowed, user.call_allowed) == (False, True)
    assert outbox(client) == []
    doc = page(client.get("/account/consents"))
    assert doc.find(id="email_allowed-state").find("strong").get_text() == "off"
    [row] = doc.find("table", id="consent-history").find("tbody").find_all("tr")
    assert (row["data-channel"], row["data-granted"]) == ("email", "false")
    [record] = history_rows(app)
    assert (record.status, record.recipient, record.iys_source, record.code_reference) == (
        "RET", "nophone@example.com", "HS_WEB", None
    )


# --- confirmation ----------------------------------------------------------------------


def test_a_consent_change_shows_what_will_change_then_takes_the_code(auth, app, client, customer, kvkk_on):
    auth.login()
    response = auth.post("/account/consents", {"sms_allowed": "y"})
    assert (response.status_code, response.location) == (302, "/account/profile/confirm")
    assert stored(app).sms_allowed is False
    doc = page(client.get("/account/profile/confirm"))
    assert doc.find(id="change-sms_allowed-label").get_text() == "SMS messages"
    assert doc.find(id="change-sms_allowed").get_text() == "off → on"
    assert doc.find(id="change-email_allowed") is None
    assert doc.find(id="code-step-target").get_text(strip=True) == "We sent a 6-digit code by SMS to +90 555 *** ** 33."
    assert doc.find(id="code-step-purpose").get_text(strip=True) == (
        "The code confirms the changes to your contact preferences."
    )
    assert doc.find("input", attrs={"name": "code"})["autocomplete"] == "one-time-code"

    response = auth.post("/account/profile/confirm", {"code": last_code(client)})
    assert (response.status_code, response.location) == (302, "/account/consents")
    assert stored(app).sms_allowed is True
    [row] = history_rows(app)
    assert (row.channel, row.granted, row.source, row.actor_id) == ("sms", True, "web", customer.id)
    assert row.code_reference.startswith("otp:")
    assert client.get("/account/profile/confirm").location == "/account/profile"  # nothing pending any more


def test_a_phone_change_masks_the_old_number_shows_the_new_one_whole_and_goes_to_it(
    auth, app, client, customer, kvkk_on
):
    auth.login()
    response = auth.post("/account/profile", {**DETAILS, "phone": "0532 123 45 67"})
    assert response.location == "/account/profile/confirm"
    doc = page(client.get("/account/profile/confirm"))
    assert doc.find(id="change-phone").get_text() == "+90 555 *** ** 33 → +90 532 123 45 67"
    assert doc.find(id="code-step-target").get_text(strip=True) == "We sent a 6-digit code by SMS to +90 532 123 45 67."
    assert doc.find(id="code-step-purpose").get_text(strip=True) == "The code confirms your new phone number."
    auth.post("/account/profile/confirm", {"code": last_code(client, NEW_PHONE)})
    assert stored(app).phone == NEW_PHONE
    assert [m["purpose"] for m in outbox(client, PHONE)] == ["phone_replaced"]


def test_a_wrong_code_shows_beside_the_code_and_changes_nothing(auth, app, client, customer, kvkk_on):
    auth.login()
    auth.post("/account/consents", {"call_allowed": "y"})
    response = auth.post("/account/profile/confirm", {"code": wrong(last_code(client))})
    assert response.status_code == 406
    assert field_error(response, "code") == "Verification codes do not match. You have 4 tries left."
    assert page(response).find(id="change-call_allowed").get_text() == "off → on"
    assert stored(app).call_allowed is False
    assert history_rows(app) == []


def test_resend_sends_a_new_code(auth, app, client, customer, kvkk_on, frozen):
    auth.login()
    auth.post("/account/consents", {"call_allowed": "y"})
    clock.advance(seconds=61)
    response = auth.post("/account/profile/confirm", {"resend": "1"})
    assert (response.status_code, response.location) == (302, "/account/profile/confirm")
    assert len(outbox(client, PHONE)) == 2
    auth.post("/account/profile/confirm", {"code": last_code(client)})
    assert stored(app).call_allowed is True


def test_cancel_discards_the_pending_change(auth, app, client, customer, kvkk_on):
    auth.login()
    auth.post("/account/consents", {"sms_allowed": "y"})
    code = last_code(client)
    response = auth.post("/account/profile/confirm", {"cancel": "1"})
    assert (response.status_code, response.location) == (302, "/account/consents")
    assert client.get("/account/profile/confirm").location == "/account/profile"
    auth.post("/account/profile/confirm", {"code": code}, token_from="/account/consents")
    assert stored(app).sms_allowed is False
    assert history_rows(app) == []


def test_a_code_that_cannot_be_sent_yet_is_a_429_above_the_form(auth, app, client, customer, kvkk_on, frozen):
    auth.login()
    auth.post("/account/consents", {"sms_allowed": "y"})
    auth.post("/account/profile/confirm", {"cancel": "1"})
    clock.advance(seconds=20)
    response = auth.post("/account/consents", {"sms_allowed": "y"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "40"
    summary = page(response).find(id="error-summary")
    assert summary is not None and summary.find("li").get_text(strip=True)
    assert page(response).find("input", attrs={"name": "sms_allowed"}).has_attr("checked")
    assert len(outbox(client, PHONE)) == 1
    assert stored(app).sms_allowed is False


def test_saving_again_within_the_cooldown_returns_to_the_open_code_step(auth, app, client, customer, kvkk_on, frozen):
    """Issue 21, defect 8: nothing is wrong with the form; the code already sent can be entered."""
    auth.login()
    auth.post("/account/consents", {"sms_allowed": "y"})
    clock.advance(seconds=20)
    response = auth.post("/account/consents", {"sms_allowed": "y"}, token_from="/account/consents")
    assert (response.status_code, response.location) == (302, "/account/profile/confirm")
    confirm = page(client.get("/account/profile/confirm"))
    assert confirm.find(id="flashes").get_text(strip=True) == (
        "We sent you a code a moment ago. Enter it here to confirm your changes."
    )
    assert confirm.find(id="error-summary") is None
    assert len(outbox(client, PHONE)) == 1
    response = auth.post("/account/profile/confirm", {"code": last_code(client)}, token_from="/account/profile/confirm")
    assert response.status_code == 302
    assert stored(app).sms_allowed is True


@pytest.mark.parametrize(
    ("path", "data"),
    [("/account/consents", {"email_allowed": "y"}), ("/account/profile", DETAILS)],
    ids=["consents", "profile"],
)
def test_saving_without_a_change_says_nothing_changed(auth, app, customer, kvkk_off, path, data):
    """Issue 21, defect 9."""
    auth.login()
    auth.post(path, data)  # the first save may change something (the demo data)
    response = auth.post(path, data, token_from=path)
    assert (response.status_code, response.location) == (302, path)
    assert page(auth.client.get(path)).find(id="flashes").get_text(strip=True) == "Nothing changed."
