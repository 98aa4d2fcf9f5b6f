"""Login throttling: failures only, per account and per client address."""

import pytest

from tests.conftest import DEMO_PASSWORD, page


def _fail(client, email="demo@example.com", ip="203.0.113.5"):
    return client.post(
        "/users/login/", json={"email": email, "password": "wrong-password!"}, environ_base={"REMOTE_ADDR": ip}
    )


def test_five_failures_lock_the_account_for_the_window(client, customer):
    for _ in range(5):
        assert _fail(client).status_code == 400
    response = _fail(client)
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 300
    assert response.get_json()["detail"]
    # the right password is refused too while the account is throttled
    ok = client.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    assert ok.status_code == 429


def test_successful_logins_never_count(app, customer):
    for _ in range(10):
        credentials = {"email": "demo@example.com", "password": DEMO_PASSWORD}
        response = app.test_client().post("/users/login/", json=credentials)
        assert response.status_code == 200


def test_other_accounts_are_not_affected(client, customer, make_user):
    make_user(email="other@example.com")
    for _ in range(5):
        _fail(client)
    ok = client.post("/users/login/", json={"email": "other@example.com", "password": DEMO_PASSWORD})
    assert ok.status_code == 200


@pytest.mark.config(LOGIN_FAILURES_PER_ADDRESS="3 per minute")
def test_failures_from_one_address_are_limited_across_accounts(client):
    for n in range(3):
        assert _fail(client, email=f"nobody{n}@example.com").status_code == 400
    assert _fail(client, email="someone-else@example.com").status_code == 429
    # another address is not affected
    assert _fail(client, email="someone-else@example.com", ip="198.51.100.7").status_code == 400


def test_html_face_shares_the_account_limit_and_answers_a_friendly_page(client, auth, customer):
    for _ in range(5):
        _fail(client)
    response = auth.login()
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    soup = page(response)
    assert soup.find(id="error-page")["data-status"] == "429"
