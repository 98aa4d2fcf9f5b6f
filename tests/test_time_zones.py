"""Issue 21, defect 13 (the leftovers): the admin settings page and the development
SMS and mail outboxes show times in the portal's time zone, named, not UTC, as the
customer pages and the console do (Flask-Babel's ``datetimeformat`` and ``time_zone``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal import clock
from portal.otp.services import send_code
from tests.conftest import page
from tests.otp.conftest import PHONE

# 09:15 UTC is 12:15 in Istanbul (PORTAL_TIMEZONE's default, UTC+3).
AT = datetime(2030, 3, 4, 9, 15, tzinfo=UTC)


@pytest.fixture
def frozen(app):
    clock.freeze(AT)
    yield
    clock.unfreeze()


def text(element) -> str:
    return " ".join(element.get_text().split())


def test_sms_outbox_page_shows_the_portal_time_zone(app, client, frozen):
    with app.app_context():
        send_code(purpose="register", subject="register:a@example.com", phone=PHONE, payload={}, client_ip=None)
    soup = page(client.get("/_dev/sms"))
    table = soup.find(id="sms-outbox-table")
    assert text(table.find("th")) == "Sent (Europe/Istanbul)"
    assert text(table.find("tbody").find("td")) == "2030-03-04 12:15:00"
    assert "UTC" not in text(table)
    # The JSON keeps UTC (ISO 8601 with Z), for scripts.
    assert client.get("/_dev/sms.json").get_json()[0]["sent_at"].startswith("2030-03-04T09:15:00")


def test_mail_outbox_page_shows_the_portal_time_zone(client, customer, frozen):
    client.post("/users/password/reset/", json={"email": "demo@example.com"})
    article = page(client.get("/_dev/mail")).find(id="mail-outbox").find("article")
    line = article.find("time").find_parent("p")
    assert text(article.find("time")) == "2030-03-04 12:15:00"
    assert text(line) == "demo@example.com · 2030-03-04 12:15:00 (Europe/Istanbul)"


def test_settings_page_shows_the_portal_time_zone(auth, make_user, frozen):
    make_user(email="admin@example.com", role="admin")
    auth.login(email="admin@example.com")
    auth.post("/admin/settings/kvkk", {"enabled": "y"}, token_from="/admin/settings")
    table = page(auth.client.get("/admin/settings")).find(id="settings-table")
    assert [text(th) for th in table.select("thead th")][-1] == "Last changed (Europe/Istanbul)"
    changed = table.find(id="setting-KVKK_CONFIRMATION_ENABLED").select("td")[-1]
    assert text(changed).startswith("2030-03-04 12:15 · ")
    assert "UTC" not in text(table)
