"""Prometheus metrics at /metrics (portal.metrics): who may read them, and that
the counters move with what customers do (read back from /metrics itself)."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import DEMO_PASSWORD, ApiActions
from tests.profile.conftest import last_code, set_kvkk, wrong

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = "metrics-token-for-tests-8c1f"


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics: {(name, sorted labels): value}."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_nobody_reads_the_metrics_without_a_setting(client):
    assert client.get("/metrics").status_code == 403


@pytest.mark.config(METRICS_ALLOWED_NETWORKS="10.0.0.0/8, 127.0.0.0/8", METRICS_TOKEN=TOKEN)
def test_allowed_networks_or_the_bearer_token(client):
    assert client.get("/metrics").status_code == 200  # the test client calls from 127.0.0.1
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 403
    wrong_token = {"Authorization": "Bearer not-" + TOKEN}
    assert client.get("/metrics", environ_base=OUTSIDE, headers=wrong_token).status_code == 403
    right = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/metrics", environ_base=OUTSIDE, headers=right).status_code == 200


@pytest.mark.config(METRICS_ALLOWED_NETWORKS="127.0.0.1/32", LOGIN_FAILURES_PER_ACCOUNT="2 per minute")
def test_requests_logins_codes_and_sessions_are_counted(app, client, customer):
    set_kvkk(app, True)
    before = scrape(client)
    assert client.get("/account/login").status_code == 200
    api = ApiActions(app.test_client())
    assert api.login(password="wrong-" + DEMO_PASSWORD).status_code == 400
    assert api.login().status_code == 200
    assert api.patch("/users/profile/", json={"sms_allowed": True}).status_code == 202
    code = last_code(client)
    assert api.patch("/users/profile/", json={"sms_allowed": True, "code": wrong(code)}).status_code == 406
    assert api.patch("/users/profile/", json={"sms_allowed": True, "code": code}).status_code == 200
    stranger = ApiActions(app.test_client())
    for _ in range(3):
        stranger.login(email="nobody@example.com", password="not-a-password")
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("portal_http_requests_total", endpoint="accounts.login", method="GET", status="200") == 1
    assert moved("portal_http_requests_total", endpoint="profile_api.update_profile", method="PATCH", status="406") == 1
    assert moved("portal_http_request_duration_seconds_count", endpoint="accounts.login", status="200") == 1
    assert moved("portal_logins_total", outcome="success") == 1
    assert moved("portal_logins_total", outcome="failed") == 3  # the third stranger's was throttled
    assert moved("portal_logins_total", outcome="throttled") == 1
    assert moved("portal_sms_total", gateway="outbox", outcome="sent") == 1
    assert moved("portal_code_checks_total", outcome="sms_verification_100_2") == 1
    assert moved("portal_code_checks_total", outcome="ok") == 1
    # The API login's only: the login page stores no session (its CSRF token is a cookie of its own).
    assert value(after, "portal_sessions_active") == 1
