"""Who is calling (portal.accounts.auth): Flask-Login's session protection stays
off by default, and still works when the config turns it on."""

from __future__ import annotations

import pytest

OTHER_BROWSER = {"User-Agent": "another-browser/1.0"}


def test_without_session_protection_another_user_agent_changes_nothing(client, api, customer):
    assert api.login().status_code == 200
    response = client.get("/users/profile/", headers=OTHER_BROWSER)
    assert response.status_code == 200
    assert response.get_json()["email"] == customer.email
    with client.session_transaction() as stored:
        assert stored["_fresh"] is True


@pytest.mark.parametrize("mode", ["basic", "strong"])
def test_session_protection_from_the_config_still_applies(app, client, api, customer, mode):
    app.config["SESSION_PROTECTION"] = mode
    assert api.login().status_code == 200
    assert client.get("/users/profile/").status_code == 200
    with client.session_transaction() as stored:
        assert stored["_fresh"] is True  # the same browser: nothing changes
    # Another browser with the cookie: Flask-Login marks the (permanent) session not fresh.
    assert client.get("/users/profile/", headers=OTHER_BROWSER).status_code == 200
    with client.session_transaction() as stored:
        assert stored["_fresh"] is False
