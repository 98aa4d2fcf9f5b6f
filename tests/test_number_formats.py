"""Numbers as people read them on pages: phones in the national format of their
country, loyalty card numbers in groups of four; the JSON face keeps API_PHONE_FORMAT."""

from __future__ import annotations

from flask import render_template_string

from tests.conftest import page


def test_phone_filter_national_for_the_default_region_international_for_others(app):
    with app.test_request_context():
        source = "{{ a|phone }}|{{ b|phone }}|{{ c|phone }}|{{ d|phone }}"
        shown = render_template_string(source, a="+905551112233", b="+4930123456", c="not a phone", d=None)
    assert shown.split("|") == ["0555 111 22 33", "+49 30 123456", "not a phone", ""]


def test_card_number_filter_groups_of_four(app):
    with app.test_request_context():
        shown = render_template_string(
            "{{ a|card_number }}|{{ b|card_number }}|{{ c|card_number }}",
            a="6001234567890123",
            b="6001-2345 678",
            c="LC-0001",
        )
    assert shown.split("|") == ["6001 2345 6789 0123", "6001 2345 678", "LC-0001"]


def test_profile_page_shows_the_phone_nationally_and_the_api_keeps_its_format(auth, api, customer):
    auth.login()
    doc = page(auth.client.get("/account/profile"))
    assert doc.find(id="profile-phone").get_text(strip=True) == "0555 111 22 33"
    assert doc.find("input", attrs={"name": "phone"})["value"] == "0555 111 22 33"
    api.login()
    assert api.get("/users/profile/").get_json()["phone"] == "+905551112233"  # the test config: API_PHONE_FORMAT e164
