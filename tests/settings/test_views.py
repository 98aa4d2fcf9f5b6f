import pytest

from portal.extensions import db as _db
from portal.settings import services
from portal.settings.models import Setting
from tests.conftest import page

ADMIN = {"email": "admin@example.com", "role": "admin"}


@pytest.fixture
def admin(make_user):
    return make_user(**ADMIN)


def stored(app, key):
    with app.app_context():
        row = _db.session.get(Setting, key)
        return None if row is None else row.value


def test_customers_are_refused(auth, customer, app):
    auth.login()
    response = auth.client.get("/admin/settings")
    assert response.status_code == 403
    response = auth.post("/admin/settings/kvkk", {"enabled": "y"}, token_from="/account/profile")
    assert response.status_code == 403
    assert stored(app, "KVKK_CONFIRMATION_ENABLED") is None


def test_anonymous_sent_to_login(client):
    response = client.get("/admin/settings")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_admin_turns_kvkk_on_and_off(auth, admin, app):
    auth.login(email=ADMIN["email"])
    response = auth.post("/admin/settings/kvkk", {"enabled": "y"}, token_from="/admin/settings")
    assert response.status_code == 302
    assert stored(app, "KVKK_CONFIRMATION_ENABLED") is True
    doc = page(auth.client.get("/admin/settings"))
    assert doc.find("input", attrs={"name": "enabled"}).has_attr("checked")
    assert doc.find(id="setting-KVKK_CONFIRMATION_ENABLED") is not None

    auth.post("/admin/settings/kvkk", {}, token_from="/admin/settings")
    assert stored(app, "KVKK_CONFIRMATION_ENABLED") is False


def test_admin_sets_loyalty_service_and_key_is_not_shown(auth, admin, app):
    auth.login(email=ADMIN["email"])
    data = {"base_url": "https://loyalty.example.com", "api_key": "very-secret-key", "timeout": "4.5"}
    response = auth.post("/admin/settings/loyalty-service", data, token_from="/admin/settings")
    assert response.status_code == 302
    assert stored(app, "CUSTOMER_LOYALTY_CARD_SERVICE") == {
        "base_url": "https://loyalty.example.com", "api_key": "very-secret-key", "timeout": 4.5,
    }
    doc = page(auth.client.get("/admin/settings"))
    assert doc.find("input", attrs={"name": "api_key"}).get("value") in (None, "")
    assert "very-secret-key" not in doc.get_text()
    assert doc.find("input", attrs={"name": "base_url"})["value"] == "https://loyalty.example.com"

    # an empty key keeps the stored one
    data = {"base_url": "https://other.example.com", "api_key": "", "timeout": "2"}
    auth.post("/admin/settings/loyalty-service", data, token_from="/admin/settings")
    assert stored(app, "CUSTOMER_LOYALTY_CARD_SERVICE")["api_key"] == "very-secret-key"
    assert stored(app, "CUSTOMER_LOYALTY_CARD_SERVICE")["base_url"] == "https://other.example.com"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"base_url": "ftp://x.example.com", "api_key": "k", "timeout": "2"}, "base_url"),
        ({"base_url": "https://x.example.com", "api_key": "", "timeout": "2"}, "api_key"),
        ({"base_url": "https://x.example.com", "api_key": "k", "timeout": "99"}, "timeout"),
        ({"base_url": "https://x.example.com", "api_key": "k", "timeout": "soon"}, "timeout"),
    ],
)
def test_invalid_loyalty_service_is_not_saved(auth, admin, app, data, field):
    auth.login(email=ADMIN["email"])
    response = auth.post("/admin/settings/loyalty-service", data, token_from="/admin/settings")
    assert response.status_code == 400
    doc = page(response)
    assert doc.find(id=f"{field}-error") is not None
    assert doc.find(id="error-summary") is not None
    assert doc.find("input", attrs={"name": "base_url"})["value"] == data["base_url"]
    assert stored(app, "CUSTOMER_LOYALTY_CARD_SERVICE") is None


def test_admin_removes_loyalty_service(auth, admin, app):
    with app.app_context():
        value = {"base_url": "https://a.example", "api_key": "k", "timeout": 1}
        services.set_setting("CUSTOMER_LOYALTY_CARD_SERVICE", value)
    auth.login(email=ADMIN["email"])
    response = auth.post("/admin/settings/loyalty-service/remove", {}, token_from="/admin/settings")
    assert response.status_code == 302
    assert stored(app, "CUSTOMER_LOYALTY_CARD_SERVICE") is None
    doc = page(auth.client.get("/admin/settings"))
    assert doc.find(id="loyalty-service-remove") is None


def test_nav_shows_settings_to_admins_only(auth, admin, customer):
    auth.login()
    doc = page(auth.client.get("/account/profile"))
    assert doc.find("a", href="/admin/settings") is None
    auth.logout()
    auth.login(email=ADMIN["email"])
    doc = page(auth.client.get("/account/profile"))
    assert doc.find("a", href="/admin/settings") is not None
