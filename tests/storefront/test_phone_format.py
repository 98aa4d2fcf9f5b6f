"""``API_PHONE_FORMAT=e164``: E.164 everywhere, national input still accepted."""

from __future__ import annotations

import pytest


@pytest.mark.config(API_PHONE_FORMAT="e164")
def test_phones_in_e164_on_request(storefront, customer):
    storefront.log_in()
    assert storefront.current_user().json()["phone"] == "+905551112233"
    response = storefront.browser("PATCH", "/users/profile/", json={"phone": "05351231212"})
    assert response.json()["phone"] == "+905351231212"
