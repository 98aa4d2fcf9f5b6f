"""``GET``/``PATCH /users/profile/``: the documented shape and every field rule."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.profile.models import ConsentRecord
from tests.profile.conftest import NEW_PHONE, PHONE, image_bytes, last_code, outbox, wrong

PROFILE_KEYS = {
    "id", "first_name", "last_name", "email_allowed", "sms_allowed", "call_allowed", "avatar", "email",
    "phone", "date_of_birth", "gender", "genders", "language_code", "attributes", "date_joined",
}


def stored(app, email="demo@example.com") -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
        return user


def consent_rows(app) -> list[ConsentRecord]:
    with app.app_context():
        rows = list(db.session.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars())
        db.session.expunge_all()
        return rows


# --- GET ---------------------------------------------------------------------


def test_get_profile_has_exactly_the_documented_keys(api, customer):
    api.login()
    response = api.get("/users/profile/")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == PROFILE_KEYS
    assert body["id"] == customer.id
    assert (body["first_name"], body["last_name"], body["email"]) == ("Demo", "Customer", "demo@example.com")
    assert (body["email_allowed"], body["sms_allowed"], body["call_allowed"]) == (False, False, False)
    assert body["avatar"] is None
    assert body["phone"] == PHONE
    assert (body["date_of_birth"], body["gender"]) == (None, None)
    assert body["genders"] == [{"value": "female", "label": "female"}, {"value": "male", "label": "male"}]
    assert body["language_code"] == "en"
    assert body["attributes"] == {}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", body["date_joined"])


def test_get_profile_needs_credentials(client):
    response = client.get("/users/profile/")
    assert response.status_code == 401
    assert response.get_json() == {"detail": "Authentication credentials were not provided."}


def test_patch_needs_the_csrf_token_with_a_session(api, app, customer):
    api.login()
    response = api.client.patch("/users/profile/", json={"first_name": "Mallory"})
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("CSRF Failed")
    assert stored(app).first_name == "Demo"


def test_patch_with_a_token_needs_no_csrf(app, api, customer):
    key = api.login().get_json()["key"]
    fresh = app.test_client()
    response = fresh.patch("/users/profile/", json={"first_name": "Tok"}, headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    assert response.get_json()["first_name"] == "Tok"


# --- PATCH: field rules --------------------------------------------------------

INVALID = [
    ("first_name", "x" * 51, "Field cannot be longer than 50 characters."),
    ("first_name", "Ay\x00se", "Control characters are not allowed."),
    ("last_name", "Line\nbreak", "Control characters are not allowed."),
    ("last_name", "bidi\u202eoverride", "Control characters are not allowed."),
    ("first_name", None, "This field may not be null."),
    ("first_name", 5, "Not a valid string."),
    ("email_allowed", "maybe", "Must be a valid boolean."),
    ("sms_allowed", 2, "Must be a valid boolean."),
    ("call_allowed", None, "Must be a valid boolean."),
    ("gender", "other", "“other” is not a valid choice."),
    ("gender", "MALE", "“MALE” is not a valid choice."),
    ("gender", 1, "Not a valid string."),
    ("date_of_birth", "15/06/1990", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ("date_of_birth", 19900615, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ("date_of_birth", "2026-06-16", "Date of birth cannot be in the future."),
    ("date_of_birth", "2013-06-16", "Age must be between 13 and 120 years."),
    ("date_of_birth", "1905-06-15", "Age must be between 13 and 120 years."),
    ("phone", "12345", "Enter a valid phone number."),
    ("phone", "+90 555 111 22", "Enter a valid phone number."),
    ("phone", 5321234567, "Not a valid string."),
    ("phone", "+905554445566", "A user with this phone number already exists."),
    ("phone", "0555 444 55 66", "A user with this phone number already exists."),
    ("language_code", "de", "“de” is not a valid choice."),
    ("language_code", None, "This field may not be null."),
    ("attributes", [1, 2], "Expected a dictionary of items."),
    ("attributes", "{}", "Expected a dictionary of items."),
    ("attributes", {"logged_ip": "1.2.3.4"}, "The attribute “logged_ip” is managed by the server."),
    ("attributes", {"register_client_type": "x"}, "The attribute “register_client_type” is managed by the server."),
    (
        "attributes",
        {"kvkk_flat_page_version": "9"},
        "The attribute “kvkk_flat_page_version” is managed by the server.",
    ),
    ("attributes", {"k" * 65: 1}, "Attribute names must have 1 to 64 characters."),
    ("attributes", {"nested": {"a": 1}}, "The attribute “nested” must be a string, number, boolean or null."),
    ("attributes", {"list": [1]}, "The attribute “list” must be a string, number, boolean or null."),
    ("attributes", {"long": "x" * 256}, "The attribute “long” is longer than 255 characters."),
    ("avatar", "data:image/png;base64,AAAA", "The submitted data was not a file. Check the encoding type on the form."),
]


def ids(table):
    return [f"{field}-{i}" for i, (field, _, _) in enumerate(table)]


@pytest.mark.parametrize(("field", "value", "message"), INVALID, ids=ids(INVALID))
def test_a_broken_rule_is_a_400_on_that_field_and_saves_nothing(
    api, app, make_user, customer, frozen, field, value, message
):
    make_user(email="other@example.com", phone="+905554445566")
    api.login()
    before = stored(app)
    response = api.patch("/users/profile/", json={"first_name": "Changed", field: value})
    assert response.status_code == 400
    body = response.get_json()
    assert body == {field: [message]}
    after = stored(app)
    assert after.first_name == before.first_name == "Demo"
    assert (after.phone, after.attributes, after.sms_allowed) == (before.phone, before.attributes, before.sms_allowed)


@pytest.mark.config(PROFILE_MIN_AGE=18, PROFILE_MAX_AGE=99)
@pytest.mark.parametrize(
    ("born", "ok"), [("2008-06-16", False), ("2008-06-15", True), ("1927-06-15", True), ("1926-06-15", False)]
)
def test_the_age_range_is_configurable(api, customer, frozen, born, ok):
    api.login()
    response = api.patch("/users/profile/", json={"date_of_birth": born})
    if ok:
        assert response.status_code == 200
        assert response.get_json()["date_of_birth"] == born
    else:
        assert response.get_json() == {"date_of_birth": ["Age must be between 18 and 99 years."]}


VALID = [
    ("first_name", "  Ayşe  ", "Ayşe"),
    ("last_name", "Öztürk-Yılmaz", "Öztürk-Yılmaz"),
    ("first_name", "x" * 50, "x" * 50),
    ("last_name", "", ""),
    ("gender", "female", "female"),
    ("gender", None, None),
    ("date_of_birth", "2013-06-15", "2013-06-15"),
    ("date_of_birth", "1906-06-16", "1906-06-16"),
    ("date_of_birth", None, None),
    ("phone", "0532 123 45 67", NEW_PHONE),
    ("phone", "+90 (532) 123-4567", NEW_PHONE),
    ("phone", "5321234567", NEW_PHONE),
    ("phone", PHONE, PHONE),  # the user's own number is not "taken"
    ("language_code", "tr", "tr"),
]


@pytest.mark.parametrize(("field", "value", "expected"), VALID, ids=ids(VALID))
def test_valid_values_are_stored_normalised(api, app, customer, frozen, kvkk_off, field, value, expected):
    api.login()
    response = api.patch("/users/profile/", json={field: value})
    assert response.status_code == 200
    assert response.get_json()[field] == expected
    stored_value = getattr(stored(app), field)
    assert (stored_value.isoformat() if hasattr(stored_value, "isoformat") else stored_value) == expected


def test_partial_update_leaves_other_fields_alone(api, app, customer):
    api.login()
    api.patch("/users/profile/", json={"gender": "male", "date_of_birth": "1990-01-02"})
    response = api.patch("/users/profile/", json={"first_name": "Only"})
    body = response.get_json()
    assert (body["first_name"], body["last_name"], body["gender"], body["date_of_birth"]) == (
        "Only", "Customer", "male", "1990-01-02",
    )


def test_unknown_and_read_only_fields_are_ignored(api, app, customer):
    api.login()
    response = api.patch(
        "/users/profile/",
        json={"first_name": "New", "id": 999, "email": "evil@example.com", "date_joined": "2000-01-01T00:00:00Z",
              "is_staff": True, "role": "admin", "password": "x"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["email"], body["first_name"]) == (customer.id, "demo@example.com", "New")
    user = stored(app)
    assert (user.email, user.role) == ("demo@example.com", "customer")


def test_the_body_must_be_an_object(api, customer):
    api.login()
    response = api.patch("/users/profile/", json=["first_name"])
    assert response.status_code == 400
    assert response.get_json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


def test_attributes_are_merged_into_the_stored_object(api, app, customer):
    api.login()
    api.patch("/users/profile/", json={"attributes": {"confirm": True, "shoe_size": 42}})
    response = api.patch("/users/profile/", json={"attributes": {"shoe_size": 43, "nickname": None}})
    assert response.get_json()["attributes"] == {"confirm": True, "shoe_size": 43, "nickname": None}


def test_server_managed_attributes_are_shown_but_not_settable(api, app, customer, kvkk_off):
    api.login()
    api.patch("/users/profile/", json={"email_allowed": True})
    body = api.get("/users/profile/").get_json()
    assert body["attributes"] == {"kvkk_flat_page_version": "1"}
    response = api.patch("/users/profile/", json={"attributes": {"kvkk_flat_page_version": "1"}})
    assert response.status_code == 400


def test_a_phone_cannot_be_removed(api, app, customer):
    api.login()
    response = api.patch("/users/profile/", json={"phone": None})
    assert response.status_code == 400
    assert response.get_json() == {"phone": ["This field may not be blank."]}
    assert stored(app).phone == PHONE


def test_several_broken_rules_answer_together(api, customer):
    api.login()
    response = api.patch("/users/profile/", json={"first_name": "x" * 60, "gender": "x", "sms_allowed": "perhaps"})
    assert set(response.get_json()) == {"first_name", "gender", "sms_allowed"}


# --- consents without confirmation ----------------------------------------------


def test_with_kvkk_off_consents_apply_at_once_and_are_recorded(api, app, customer, kvkk_off):
    api.login()
    response = api.patch(
        "/users/profile/",
        json={"email_allowed": True, "sms_allowed": False, "call_allowed": True},
        headers={"User-Agent": "Storefront/2.0"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["email_allowed"], body["sms_allowed"], body["call_allowed"]) == (True, False, True)
    rows = consent_rows(app)
    # sms_allowed did not change, so it has no row.
    assert [(r.channel, r.granted, r.source, r.actor_id) for r in rows] == [
        ("email", True, "api", customer.id),
        ("call", True, "api", customer.id),
    ]
    assert all(r.user_agent == "Storefront/2.0" and r.client_ip == "127.0.0.1" for r in rows)
    assert all(r.code_reference is None and r.notice_version == "1" for r in rows)


def test_without_the_setting_at_all_changes_apply_at_once(api, app, customer):
    api.login()
    response = api.patch("/users/profile/", json={"sms_allowed": True})
    assert response.status_code == 200
    assert stored(app).sms_allowed is True


def test_withdrawing_is_as_easy_as_granting(api, app, customer, kvkk_off):
    api.login()
    api.patch("/users/profile/", json={"sms_allowed": True})
    response = api.patch("/users/profile/", json={"sms_allowed": False})
    assert response.get_json()["sms_allowed"] is False
    assert [(r.channel, r.granted) for r in consent_rows(app)] == [("sms", True), ("sms", False)]


# --- avatar ----------------------------------------------------------------------


def upload(api, data: bytes, filename="me.png", **fields):
    # Encoded in memory: the test client would spool a big body to a file it never closes.
    boundary, body = encode_multipart(MultiDict({"avatar": FileStorage(io.BytesIO(data), filename), **fields}))
    return api.patch("/users/profile/", data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_valid_image_round_trips_reencoded(api, app, client, customer, media_dir, fmt):
    api.login()
    original = image_bytes(fmt, size=(40, 30))
    response = upload(api, original, filename="photo.bin")
    assert response.status_code == 200
    url = response.get_json()["avatar"]
    assert url.startswith("http://localhost/media/avatars/")
    assert url.endswith("." + fmt.lower())
    with client.get(url) as served:
        assert served.status_code == 200
        assert served.headers["Content-Type"] == f"image/{fmt.lower()}"
        assert served.headers.getlist("X-Content-Type-Options") == ["nosniff"]
        # the picture's own, stricter policy, not the pages' one beside it
        assert served.headers.getlist("Content-Security-Policy") == ["default-src 'none'; sandbox"]
        with Image.open(io.BytesIO(served.data)) as image:
            assert (image.format, image.size) == (fmt, (40, 30))
    assert api.get("/users/profile/").get_json()["avatar"] == url
    assert len(list((media_dir / "avatars").iterdir())) == 1


def test_reencoding_drops_metadata(api, client, customer):
    api.login()
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    original = image_bytes("JPEG", exif=exif.tobytes())
    assert b"secret description" in original
    url = upload(api, original, filename="me.jpg").get_json()["avatar"]
    with client.get(url) as served:
        assert b"secret description" not in served.data


def test_a_non_image_is_refused(api, app, customer, media_dir):
    api.login()
    response = upload(api, b"<html><script>alert(1)</script></html>", filename="me.png", first_name="Nope")
    assert response.status_code == 400
    assert response.get_json() == {
        "avatar": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]
    }
    assert (stored(app).avatar, stored(app).first_name) == (None, "Demo")
    assert not (media_dir / "avatars").exists() or not list((media_dir / "avatars").iterdir())


def test_an_image_of_another_format_is_refused(api, customer):
    api.login()
    response = upload(api, image_bytes("GIF"), filename="me.gif")
    assert response.get_json() == {"avatar": ["Only PNG, JPEG and WebP images are accepted."]}


def test_a_truncated_image_is_refused(api, customer):
    api.login()
    data = image_bytes("PNG", size=(200, 200))
    response = upload(api, data[: len(data) // 2])
    assert response.status_code == 400


def test_an_image_over_2_mb_is_refused(api, app, customer):
    api.login()
    big = image_bytes("PNG", size=(10, 10)) + b"\0" * (2 * 1024 * 1024)
    response = upload(api, big)
    assert response.status_code == 400
    assert response.get_json() == {"avatar": ["The image is larger than 2 MB."]}


def test_an_image_over_4096_pixels_a_side_is_refused(api, customer):
    api.login()
    tall = image_bytes("PNG", size=(1, 4097), color=(0, 0, 0))
    response = upload(api, tall)
    assert response.get_json() == {"avatar": ["The image must be at most 4096 pixels on each side."]}


def test_avatar_null_removes_the_picture_and_its_file(api, customer, client, media_dir):
    api.login()
    url = upload(api, image_bytes()).get_json()["avatar"]
    response = api.patch("/users/profile/", json={"avatar": None})
    assert response.get_json()["avatar"] is None
    assert client.get(url).status_code == 404
    assert list((media_dir / "avatars").iterdir()) == []


def test_an_empty_file_input_keeps_the_picture(api, customer):
    api.login()
    url = upload(api, image_bytes()).get_json()["avatar"]
    response = upload(api, b"", filename="", first_name="Same picture")
    assert response.status_code == 200
    assert response.get_json()["avatar"] == url


def test_a_new_picture_replaces_the_old_file(api, customer, client, media_dir):
    api.login()
    first = upload(api, image_bytes(color=(1, 2, 3))).get_json()["avatar"]
    second = upload(api, image_bytes(color=(3, 2, 1))).get_json()["avatar"]
    assert first != second
    assert client.get(first).status_code == 404
    with client.get(second) as served:
        assert served.status_code == 200


@pytest.mark.parametrize("name", ["../../etc/passwd", "x.png", "0" * 32 + ".svg", "0" * 32 + ".png"])
def test_only_stored_avatar_names_are_served(client, name):
    assert client.get(f"/media/avatars/{name}").status_code == 404


def test_multipart_patch_takes_other_fields_too(api, customer):
    api.login()
    response = upload(api, image_bytes(), first_name="Multi", attributes='{"confirm": true}')
    body = response.get_json()
    assert (body["first_name"], body["attributes"]) == ("Multi", {"confirm": True})
    assert body["avatar"] is not None


# --- KVKK confirmation ------------------------------------------------------------

PENDING_KEYS = {"email_allowed", "sms_allowed", "call_allowed", "avatar", "email", "date_of_birth", "language_code",
                "date_joined"}


def refusal(response) -> tuple[int, str, str]:
    body = response.get_json()
    assert set(body) == {"non_field_errors", "error_code"}
    return response.status_code, body["error_code"], body["non_field_errors"]


def test_a_consent_change_waits_for_a_code(api, app, client, customer, kvkk_on):
    api.login()
    response = api.patch("/users/profile/", json={"sms_allowed": True, "first_name": "Later"})
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) == PENDING_KEYS
    assert (body["sms_allowed"], body["email_allowed"], body["call_allowed"]) == (True, False, False)
    assert body["email"] == "demo@example.com"
    user = stored(app)
    assert (user.sms_allowed, user.first_name) == (False, "Demo")
    assert consent_rows(app) == []
    [sms] = outbox(client, PHONE)
    assert re.search(r"\b\d{6}\b", sms["body"])


def test_the_same_patch_with_the_code_applies_everything_together(api, app, client, customer, kvkk_on):
    api.login()
    change = {"sms_allowed": True, "call_allowed": True, "first_name": "Confirmed"}
    api.patch("/users/profile/", json=change)
    response = api.patch("/users/profile/", json={**change, "code": last_code(client)})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == PROFILE_KEYS
    assert (body["sms_allowed"], body["call_allowed"], body["first_name"]) == (True, True, "Confirmed")
    rows = consent_rows(app)
    assert [(r.channel, r.granted, r.source) for r in rows] == [("sms", True, "api"), ("call", True, "api")]
    assert rows[0].code_reference.startswith("otp:") and rows[0].code_reference == rows[1].code_reference


def test_a_phone_change_sends_the_code_to_the_new_phone_and_notifies_the_old(api, app, client, customer, kvkk_on):
    api.login()
    response = api.patch("/users/profile/", json={"phone": "0532 123 45 67"})
    assert response.status_code == 202
    assert stored(app).phone == PHONE
    assert outbox(client, PHONE) == []
    code = last_code(client, NEW_PHONE)
    response = api.patch("/users/profile/", json={"phone": "+905321234567", "code": code})
    assert response.status_code == 200
    assert response.get_json()["phone"] == NEW_PHONE
    assert stored(app).phone == NEW_PHONE
    [notice] = outbox(client, PHONE)
    assert notice["purpose"] == "phone_replaced"
    assert notice["body"] == "Portal: This number was removed from your account. If this wasn't you, call us."


def test_resend_sends_a_new_code_and_the_old_one_stops_working(api, app, client, customer, kvkk_on, frozen):
    api.login()
    change = {"call_allowed": True}
    api.patch("/users/profile/", json=change)
    first = last_code(client)
    clock.advance(seconds=61)
    response = api.patch("/users/profile/", json={**change, "resend": True})
    assert (response.status_code, response.get_json()) == (200, {"message": "success"})
    second = last_code(client)
    assert len(outbox(client, PHONE)) == 2
    if first != second:  # the old code is dead: now it is simply not the code
        old = api.patch("/users/profile/", json={**change, "code": first})
        assert refusal(old)[:2] == (406, "sms_verification_100_2")
    assert api.patch("/users/profile/", json={**change, "code": second}).status_code == 200
    assert stored(app).call_allowed is True


def test_resend_within_the_cooldown_is_a_429(api, client, customer, kvkk_on, frozen):
    api.login()
    api.patch("/users/profile/", json={"call_allowed": True})
    clock.advance(seconds=10)
    response = api.patch("/users/profile/", json={"call_allowed": True, "resend": True})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "50"
    assert "detail" in response.get_json()
    assert len(outbox(client, PHONE)) == 1


def test_a_wrong_code_is_refused(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"sms_allowed": True})
    response = api.patch("/users/profile/", json={"sms_allowed": True, "code": wrong(last_code(client))})
    assert refusal(response) == (406, "sms_verification_100_2", "Verification codes do not match.")
    assert stored(app).sms_allowed is False


def test_other_data_than_the_code_was_sent_for_is_refused(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"sms_allowed": True})
    code = last_code(client)
    response = api.patch("/users/profile/", json={"sms_allowed": True, "call_allowed": True, "code": code})
    assert refusal(response) == (
        406,
        "kvkk_service_100_2",
        "Mismatch confirmation data {phone}, {sms_allowed}, {email_allowed}, {call_allowed}, {email}.",
    )
    user = stored(app)
    assert (user.sms_allowed, user.call_allowed) == (False, False)


def test_another_phone_than_the_code_was_sent_to_is_refused(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"phone": NEW_PHONE})
    code = last_code(client, NEW_PHONE)
    response = api.patch("/users/profile/", json={"phone": "+905329998877", "code": code})
    assert refusal(response) == (406, "sms_verification_100_1", "Phone numbers do not match.")
    assert stored(app).phone == PHONE


def test_an_expired_code_is_refused(api, app, client, customer, kvkk_on, frozen):
    api.login()
    api.patch("/users/profile/", json={"sms_allowed": True})
    code = last_code(client)
    clock.advance(seconds=181)
    response = api.patch("/users/profile/", json={"sms_allowed": True, "code": code})
    assert refusal(response) == (406, "sms_verification_100_4", "Sms otp code expired. Please resend code.")
    assert stored(app).sms_allowed is False


def test_a_code_without_a_pending_change_is_expired(api, customer, kvkk_on):
    api.login()
    response = api.patch("/users/profile/", json={"sms_allowed": True, "code": "123456"})
    assert refusal(response)[:2] == (406, "sms_verification_100_4")


def test_five_wrong_codes_kill_the_code(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"call_allowed": True})
    code = last_code(client)
    for _ in range(5):
        api.patch("/users/profile/", json={"call_allowed": True, "code": wrong(code)})
    response = api.patch("/users/profile/", json={"call_allowed": True, "code": code})
    assert refusal(response) == (406, "sms_verification_100_5", "Too many attempts. Please resend code.")
    assert stored(app).call_allowed is False


def test_a_used_code_cannot_confirm_again(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"sms_allowed": True})
    code = last_code(client)
    assert api.patch("/users/profile/", json={"sms_allowed": True, "code": code}).status_code == 200
    response = api.patch("/users/profile/", json={"sms_allowed": True, "call_allowed": True, "code": code})
    assert response.status_code == 406
    assert stored(app).call_allowed is False


def test_a_user_without_a_phone_must_give_one_to_grant(api, app, make_user, kvkk_on):
    make_user(email="nophone@example.com")
    api.login("nophone@example.com")
    response = api.patch("/users/profile/", json={"sms_allowed": True})
    assert (response.status_code, response.get_json()) == (
        400,
        {"phone": ["A mobile phone number is needed to send you the verification code."]},
    )
    assert stored(app, "nophone@example.com").sms_allowed is False


def test_a_user_without_a_phone_withdraws_at_once(api, app, make_user, kvkk_on):
    make_user(email="nophone@example.com", email_allowed=True)
    api.login("nophone@example.com")
    response = api.patch("/users/profile/", json={"email_allowed": False})
    assert response.status_code == 200
    assert set(response.get_json()) == PROFILE_KEYS
    assert response.get_json()["email_allowed"] is False
    [row] = consent_rows(app)
    assert (row.channel, row.granted, row.iys_type, row.status, row.recipient, row.iys_source) == (
        "email", False, "EPOSTA", "RET", "nophone@example.com", "HS_MOBIL"
    )
    assert row.code_reference is None


def test_a_withdrawal_sends_no_code_and_ignores_the_cooldown(api, app, client, customer, kvkk_on):
    api.login()
    assert api.patch("/users/profile/", json={"sms_allowed": True}).status_code == 202
    api.patch("/users/profile/", json={"sms_allowed": True, "code": last_code(client)})
    sent = len(outbox(client, PHONE))
    # Within the resend cooldown: a withdrawal still applies at once, and sends nothing.
    response = api.patch("/users/profile/", json={"sms_allowed": False})
    assert response.status_code == 200
    assert response.get_json()["sms_allowed"] is False
    assert len(outbox(client, PHONE)) == sent
    assert [(r.channel, r.status) for r in consent_rows(app)] == [("sms", "ONAY"), ("sms", "RET")]


def test_withdrawals_sent_with_a_grant_apply_at_once_and_the_grant_waits(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"sms_allowed": True})
    api.patch("/users/profile/", json={"sms_allowed": True, "code": last_code(client)})
    change = {"sms_allowed": False, "call_allowed": True}
    response = api.patch("/users/profile/", json=change)
    assert response.status_code == 202
    assert (stored(app).sms_allowed, stored(app).call_allowed) == (False, False)
    response = api.patch("/users/profile/", json={**change, "code": last_code(client)})
    assert response.status_code == 200
    assert [(r.channel, r.granted) for r in consent_rows(app)] == [("sms", True), ("sms", False), ("call", True)]


def test_a_user_without_a_phone_can_confirm_on_a_new_one(api, app, client, make_user, kvkk_on):
    make_user(email="nophone@example.com")
    api.login("nophone@example.com")
    change = {"sms_allowed": True, "phone": NEW_PHONE}
    assert api.patch("/users/profile/", json=change).status_code == 202
    assert api.patch("/users/profile/", json={**change, "code": last_code(client, NEW_PHONE)}).status_code == 200
    user = stored(app, "nophone@example.com")
    assert (user.sms_allowed, user.phone) == (True, NEW_PHONE)


def test_non_sensitive_changes_apply_at_once_with_kvkk_on(api, app, client, customer, kvkk_on):
    api.login()
    response = api.patch("/users/profile/", json={"first_name": "Now", "sms_allowed": False, "phone": PHONE})
    assert response.status_code == 200
    assert stored(app).first_name == "Now"
    assert outbox(client) == []


def test_with_kvkk_off_a_phone_change_applies_at_once(api, app, client, customer, kvkk_off):
    api.login()
    response = api.patch("/users/profile/", json={"phone": NEW_PHONE})
    assert response.status_code == 200
    assert stored(app).phone == NEW_PHONE
    assert [m["purpose"] for m in outbox(client)] == ["phone_replaced"]
