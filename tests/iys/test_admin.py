"""The İYS admin page: what waits, what failed, when push and pull last ran (named time zone)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.servers import DATA_CONTROLLER
from portal import clock
from portal.iys import services
from tests.conftest import DEMO_PASSWORD, page
from tests.iys.conftest import PHONE, change_consents


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.com", role="admin")


def text_of(soup, element_id: str) -> str:
    return soup.find(id=element_id).get_text(" ", strip=True)


def test_counts_and_times(app, client, auth, runner, iys, admin, make_user):
    fan = make_user(email="fan@example.com", phone=PHONE)
    auth.login(email="admin@example.com", password=DEMO_PASSWORD)
    before = page(client.get("/admin/iys"))
    assert before.find(id="iys-enabled") is not None
    assert (text_of(before, "iys-pending"), text_of(before, "iys-failed")) == ("0", "0")
    assert (text_of(before, "iys-last-push"), text_of(before, "iys-last-pull")) == ("never", "never")

    clock.freeze(datetime(2026, 6, 15, 9, 0, tzinfo=UTC))
    change_consents(app, fan.id, email_allowed=True, sms_allowed=True, call_allowed=True)
    with app.app_context():
        iys_client = services.client()
        iys_client.authenticate()
    iys.fail("500", count=1)
    with app.app_context():
        services.push(iys=iys_client)  # the first fails; the other two are sent
    clock.advance(minutes=30)
    change_consents(app, fan.id, email_allowed=False)  # pending: waits for nothing, not pushed yet
    assert runner.invoke(args=["iys", "pull"]).exit_code == 0

    after = page(client.get("/admin/iys"))
    assert (text_of(after, "iys-pending"), text_of(after, "iys-failed"), text_of(after, "iys-rejected")) == (
        "1", "1", "0")
    assert after.find(id="iys-last-push").find("time")["datetime"] == "2026-06-15T09:00:00+00:00"
    assert after.find(id="iys-last-pull").find("time")["datetime"] == "2026-06-15T09:30:00+00:00"
    assert "12:30" in text_of(after, "iys-last-pull")  # Europe/Istanbul, named in the label
    labels = [dt.get_text(strip=True) for dt in after.find(id="iys-status").find_all("dt")]
    assert "Last pull (Europe/Istanbul)" in labels


def test_off_without_iys_url(client, auth, admin, app):
    auth.login(email="admin@example.com", password=DEMO_PASSWORD)
    soup = page(client.get("/admin/iys"))
    assert soup.find(id="iys-disabled") is not None and soup.find(id="iys-enabled") is None


def test_linked_from_the_settings_page(client, auth, admin):
    auth.login(email="admin@example.com", password=DEMO_PASSWORD)
    link = page(client.get("/admin/settings")).find("a", id="iys-status-link")
    assert link["href"] == "/admin/iys"
    assert client.get(link["href"]).status_code == 200


def test_customers_are_refused(client, auth, customer):
    auth.login()
    assert client.get("/admin/iys").status_code == 403


def test_turkish_page(client, auth, make_user):
    make_user(email="yonetici@example.com", role="admin", language_code="tr")
    auth.login(email="yonetici@example.com", password=DEMO_PASSWORD)
    soup = page(client.get("/admin/iys"))
    assert soup.find("h1", id="iys-title").get_text(strip=True) == "İYS eşitlemesi"
    assert text_of(soup, "iys-last-push") == "hiç"


def test_production_refuses_a_half_configured_iys(database_url):
    from portal import create_app

    settings = {"PORTAL_CONFIG": "production", "SECRET_KEY": "x" * 40, "SMS_BACKEND": "http", **DATA_CONTROLLER,
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0", "IYS_URL": "http://iys.example.com"}
    with pytest.raises(RuntimeError, match=r"IYS_URL\) but these are empty: IYS_CODE, .*IYS_PASSWORD.*must be https"):
        create_app(settings)
