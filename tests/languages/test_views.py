"""Pages in the customer's language: ``language_code`` when logged in, else the
footer's choice, else ``Accept-Language``; JSON follows ``Accept-Language`` alone."""

from __future__ import annotations

import pytest
from babel.dates import format_timedelta
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import form_token, page

TR = {"Accept-Language": "tr-TR,tr;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def language_code_of(app, user_id: int) -> str:
    # Its own app context: the `db` fixture's would be shared by the client's requests.
    with app.app_context():
        return db.session.execute(select(User.language_code).where(User.id == user_id)).scalar_one()


def text(soup, element_id: str) -> str:
    element = soup.find(id=element_id)
    assert element is not None, f"no #{element_id}"
    return element.get_text(" ", strip=True)


def login_labels(soup) -> tuple[str, str]:
    return (
        soup.find("label", attrs={"for": "email"}).get_text(strip=True),
        soup.find("label", attrs={"for": "password"}).get_text(strip=True),
    )


def test_logged_out_page_follows_accept_language(client):
    soup = page(client.get("/account/login", headers=TR))
    assert soup.html["lang"] == "tr"
    assert soup.h1.get_text(strip=True) == "Hesabınıza giriş yapın"
    assert login_labels(soup) == ("E-posta", "Şifre")
    assert text(soup, "login-submit") == "Giriş yap"
    assert soup.find(id="language-tr")["aria-current"] == "true"
    assert not soup.find(id="language-en").has_attr("aria-current")


def test_pages_vary_by_accept_language(client):
    """So that a shared cache never serves the Turkish page to an English browser."""
    assert "accept-language" in client.get("/account/login", headers=TR).vary


def test_unsupported_language_falls_back_to_english(client):
    soup = page(client.get("/account/login", headers={"Accept-Language": "de-DE,de;q=0.9"}))
    assert soup.html["lang"] == "en"
    assert soup.h1.get_text(strip=True) == "Log in to your account"


def test_wtforms_own_messages_are_turkish(client):
    """WTForms' own messages ("This field is required.") come from its catalogue, via Flask-WTF:
    the JSON face keeps them (the vendor's documented message); the pages name the field."""
    response = client.post("/users/login/", json={}, headers=TR)
    assert response.status_code == 400
    assert response.get_json() == {"email": ["Bu alan zorunludur."], "password": ["Bu alan zorunludur."]}

    token = form_token(client.get("/account/login", headers=TR))
    response = client.post("/account/login", data={"csrf_token": token}, headers=TR)
    soup = page(response)
    assert response.status_code == 400
    assert text(soup, "email-error") == "E-posta adresinizi girin."
    assert text(soup, "error-summary-title") == "Lütfen şunları düzeltin:"
    links = [a.get_text(strip=True) for a in soup.find(id="error-summary").find_all("a")]
    assert links == ["E-posta: E-posta adresinizi girin.", "Şifre: Şifrenizi girin."]


def test_customer_with_turkish_language_code_sees_turkish_whatever_the_browser_says(client, auth, make_user):
    make_user(email="ayse@example.com", first_name="Ayşe", language_code="tr")
    response = auth.login("ayse@example.com", headers=EN, follow_redirects=True)
    soup = page(response)
    assert soup.html["lang"] == "tr"
    assert soup.h1.get_text(strip=True) == "Profiliniz"
    assert text(soup, "flashes") == "Yeniden hoş geldiniz, Ayşe."
    assert text(soup, "logout-button") == "Çıkış yap"
    assert soup.find("nav").find("a", attrs={"aria-current": "page"}).get_text(strip=True) == "Profil"


def test_region_variants_of_language_code_count(client, auth, make_user):
    make_user(email="ayse@example.com", language_code="tr-tr")
    auth.login("ayse@example.com")
    assert page(client.get("/account/profile", headers=EN)).h1.get_text(strip=True) == "Profiliniz"


def test_html_errors_are_translated(client):
    soup = page(client.get("/no-such-page", headers=TR))
    assert soup.h1.get_text(strip=True) == "Sayfa bulunamadı"
    assert text(soup, "error-message") == "Bu adreste bir sayfa yok. Adresi kontrol edin ya da hesabınıza dönün."


@pytest.mark.config(LOGIN_FAILURES_PER_ACCOUNT="1 per 5 minutes")
def test_rate_limited_page_says_when_to_retry_in_the_locale(client, customer):
    token = form_token(client.get("/account/login", headers=TR))
    data = {"email": "demo@example.com", "password": "wrong-password", "csrf_token": token}
    assert client.post("/account/login", data=data, headers=TR).status_code == 400
    response = client.post("/account/login", data=data, headers=TR)
    soup = page(response)
    assert response.status_code == 429
    assert soup.h1.get_text(strip=True) == "Çok fazla deneme"
    wait = format_timedelta(int(response.headers["Retry-After"]), locale="tr")  # e.g. "1 dakika"
    assert text(soup, "error-retry-after") == f"{wait} sonra yeniden deneyebilirsiniz."


class TestJsonFollowsAcceptLanguage:
    def test_bad_credentials(self, client, customer):
        response = client.post("/users/login/", json={"email": "demo@example.com", "password": "nope"}, headers=TR)
        assert response.status_code == 400
        assert response.get_json() == {"non_field_errors": ["Verilen bilgilerle giriş yapılamadı."]}

    def test_bad_credentials_in_english(self, client, customer):
        response = client.post("/users/login/", json={"email": "demo@example.com", "password": "nope"}, headers=EN)
        assert response.get_json() == {"non_field_errors": ["Unable to log in with provided credentials."]}

    def test_wtforms_messages(self, client):
        response = client.post("/users/login/", json={"email": "demo@example.com"}, headers=TR)
        assert response.status_code == 400
        assert response.get_json() == {"password": ["Bu alan zorunludur."]}

    def test_not_the_customers_language_code(self, client, api, make_user):
        make_user(email="ayse@example.com", language_code="tr")
        api.login("ayse@example.com")
        assert api.get("/users/user/").status_code == 200
        response = client.get("/users/no-such-endpoint/", headers=EN)
        assert response.get_json() == {"detail": "Not found."}
        response = client.get("/users/no-such-endpoint/", headers=TR)
        assert response.get_json() == {"detail": "Bulunamadı."}

    def test_unauthenticated(self, client):
        response = client.get("/users/user/", headers=TR)
        assert response.status_code == 401
        assert response.get_json() == {"detail": "Kimlik doğrulama bilgileri sağlanmadı."}

    def test_csrf_failure(self, api, customer):
        api.login()
        api.csrf()  # the cookie is there, the header is not
        response = api.client.post("/users/logout/", headers=TR)
        assert response.status_code == 403
        assert response.get_json() == {"detail": "CSRF doğrulaması başarısız: CSRF anahtarı eksik."}

    def test_method_not_allowed(self, client):
        response = client.delete("/csrf_token/", headers=TR)
        assert response.status_code == 405
        assert response.get_json() == {"detail": '"DELETE" yöntemine izin verilmiyor.'}


class TestLanguageSwitch:
    def choose(self, client, language: str, next_path: str = "/account/login", headers=EN):
        token = form_token(client.get(next_path, headers=headers))
        return client.post(
            "/language", data={"language": language, "next": next_path, "csrf_token": token}, headers=headers
        )

    def test_footer_offers_every_language_as_a_button(self, client):
        soup = page(client.get("/account/login", headers=EN))
        switch = soup.find(id="language-switch")
        assert switch.name == "form" and switch["method"] == "post" and switch["action"] == "/language"
        assert switch.find("input", attrs={"name": "csrf_token"}) is not None
        assert switch.find("input", attrs={"name": "next"})["value"] == "/account/login"
        buttons = {b["value"]: (b.get_text(strip=True), b["lang"]) for b in switch.find_all("button")}
        assert buttons == {"en": ("English", "en"), "tr": ("Türkçe", "tr")}

    def test_logged_out_choice_is_kept_in_the_session(self, client):
        response = self.choose(client, "tr")
        assert response.status_code == 302
        assert response.headers["Location"] == "/account/login"
        soup = page(client.get("/account/login", headers=EN))
        assert soup.h1.get_text(strip=True) == "Hesabınıza giriş yapın"
        self.choose(client, "en", headers=EN)
        assert page(client.get("/account/login", headers=TR)).h1.get_text(strip=True) == "Log in to your account"

    def test_logged_in_choice_is_saved_on_the_account(self, app, client, auth, customer):
        auth.login()
        response = self.choose(client, "tr", next_path="/account/profile")
        assert response.headers["Location"] == "/account/profile"
        assert page(client.get("/account/profile", headers=EN)).h1.get_text(strip=True) == "Profiliniz"
        assert language_code_of(app, customer.id) == "tr"
        # A new session (another device) starts in Turkish too.
        auth.logout()
        auth.login(headers=EN)
        assert page(client.get("/account/profile", headers=EN)).h1.get_text(strip=True) == "Profiliniz"

    def test_redirects_only_to_this_site(self, client):
        token = form_token(client.get("/account/login"))
        response = client.post(
            "/language", data={"language": "tr", "next": "https://evil.example/", "csrf_token": token}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/"

    def test_unknown_language_is_refused(self, app, client, auth, customer):
        auth.login()
        response = self.choose(client, "de", next_path="/account/profile")
        assert response.status_code == 400
        assert language_code_of(app, customer.id) == "en"

    def test_needs_the_csrf_token(self, client):
        client.get("/account/login")
        response = client.post("/language", data={"language": "tr", "next": "/account/login"})
        assert response.status_code == 403


def test_each_language_is_parsed_once_and_serves_every_request(app):
    """The selector's code becomes a Babel Locale once per language (portal.i18n):
    every later request in that language gets that same Locale, and the other
    language its own."""
    from babel import Locale
    from flask_babel import get_locale

    seen = []
    for headers in (TR, EN, TR, EN):
        with app.test_request_context("/account/login", headers=headers):
            seen.append(get_locale())
    assert [str(locale) for locale in seen] == ["tr", "en", "tr", "en"]
    assert seen[0] is seen[2] and seen[1] is seen[3]
    assert seen[0] == Locale.parse("tr")


def test_a_selector_without_an_answer_leaves_the_choice_to_flask_babel():
    from portal.i18n import _parsed_once

    assert _parsed_once(lambda: None)() is None
    assert str(_parsed_once(lambda: "tr")()) == "tr"
