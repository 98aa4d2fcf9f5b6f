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


# --- behind a reverse proxy (TRUSTED_PROXIES) -----------------------------------------
PROXY = "10.0.0.2"


def _fail_through_proxy(client, client_address):
    """A wrong password from ``client_address``, as the proxy passes it on."""
    return client.post(
        "/users/login/",
        json={"email": f"nobody-{client_address}@example.com", "password": "wrong-password!"},
        environ_base={"REMOTE_ADDR": PROXY},
        headers={"X-Forwarded-For": client_address},
    )


@pytest.mark.config(TRUSTED_PROXIES=1, LOGIN_FAILURES_PER_ADDRESS="3 per minute")
def test_behind_a_trusted_proxy_each_client_address_is_limited_on_its_own(client):
    for _ in range(3):
        assert _fail_through_proxy(client, "198.51.100.1").status_code == 400
    assert _fail_through_proxy(client, "198.51.100.1").status_code == 429
    # another customer behind the same proxy is not locked out
    assert _fail_through_proxy(client, "203.0.113.9").status_code == 400


@pytest.mark.config(TRUSTED_PROXIES=1, LOGIN_FAILURES_PER_ADDRESS="3 per minute")
def test_a_client_cannot_choose_its_address_by_sending_the_header_itself(client):
    """The trusted proxy appends the address it saw: one hop means the last one."""
    for n in range(4):
        response = client.post(
            "/users/login/",
            json={"email": "nobody@example.com", "password": "wrong-password!"},
            environ_base={"REMOTE_ADDR": PROXY},
            headers={"X-Forwarded-For": f"192.0.2.{n}, 198.51.100.1"},
        )
    assert response.status_code == 429


@pytest.mark.config(LOGIN_FAILURES_PER_ADDRESS="3 per minute")
def test_without_trusted_proxies_the_forwarded_header_is_ignored(client):
    for _ in range(3):
        assert _fail_through_proxy(client, "198.51.100.1").status_code == 400
    # every client is the proxy's address: the second one is limited too
    assert _fail_through_proxy(client, "203.0.113.9").status_code == 429
