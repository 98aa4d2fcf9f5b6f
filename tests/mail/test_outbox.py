"""The development outbox, and the settings production refuses."""

from __future__ import annotations

import pytest

from bench.servers import DATA_CONTROLLER
from portal import create_app
from portal.mail.services import describe_device
from tests.conftest import SHARED_LIMITS, page


def test_outbox_pages_newest_first(client, customer, make_user):
    make_user(email="second@example.com")
    client.post("/users/password/reset/", json={"email": "demo@example.com"})
    client.post("/users/password/reset/", json={"email": "second@example.com"})
    listed = client.get("/_dev/mail.json").get_json()
    assert [m["to"] for m in listed] == ["second@example.com", "demo@example.com"]
    assert set(listed[0]) == {"id", "to", "subject", "text", "html", "template", "sent_at"}
    doc = page(client.get("/_dev/mail"))
    articles = doc.find(id="mail-outbox").find_all("article")
    assert [a.find(class_="mail-to").text for a in articles] == ["second@example.com", "demo@example.com"]


@pytest.mark.config(DEV_PAGES=False)
def test_no_outbox_pages_without_dev_pages(client):
    assert client.get("/_dev/mail").status_code == 404
    assert client.get("/_dev/mail.json").status_code == 404


def test_production_refuses_the_outbox(database_url):
    settings = {"PORTAL_CONFIG": "production", "SECRET_KEY": "x" * 40, "SMS_BACKEND": "http", **DATA_CONTROLLER}
    with pytest.raises(RuntimeError, match="MAIL_BACKEND=outbox is for development only"):
        create_app({**settings, "RATELIMIT_STORAGE_URI": SHARED_LIMITS, "MAIL_BACKEND": "outbox"})


def test_unknown_backend_is_refused(database_url):
    with pytest.raises(RuntimeError, match="MAIL_BACKEND must be one of outbox, smtp"):
        create_app({"PORTAL_CONFIG": "testing", "MAIL_BACKEND": "carrier-pigeon"})


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox (Windows)"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari (iPhone)",
        ),
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36", "Chrome (Android)"),
        ("", None),
    ],
)
def test_device_from_user_agent(agent, device):
    assert describe_device(agent) == device
