"""The privacy notice and the one consent text: public pages with the data controller and
the versions from the settings, the same text wherever a consent is given or read out,
linked from sign-up, the consents page, the loyalty step and the footer; both languages."""

from __future__ import annotations

import pytest

from tests.conftest import page

CONTROLLER = {
    "DATA_CONTROLLER_NAME": "Örnek Moda Mağazacılık A.Ş.",
    "DATA_CONTROLLER_ADDRESS": "Bağdat Cad. No: 5, 34710 Kadıköy/İstanbul",
    "DATA_CONTROLLER_EMAIL": "kvkk@ornekmoda.example",
    "DATA_CONTROLLER_MERSIS": "0123456789000015",
    "SMS_BRAND": "OrnekModa",
    "KVKK_NOTICE_VERSION": "7",
    "KVKK_NOTICE_DATE": "2027-03-01",
    "CONSENT_TEXT_VERSION": "4",
    "CONSENT_TEXT_DATE": "2027-02-14",
}
SECTIONS = (
    "notice-controller",
    "notice-data",
    "notice-purposes",
    "notice-legal-bases",
    "notice-recipients",
    "notice-transfers-abroad",
    "notice-collection",
    "notice-retention",
    "notice-rights",
)


def text(doc, element_id: str) -> str:
    element = doc.find(id=element_id)
    assert element is not None, f"no #{element_id}"
    return element.get_text(" ", strip=True)


def consent_text_paragraphs(doc) -> list[str]:
    """What the consent text partial says, paragraph by paragraph (whitespace normalised)."""
    section = doc.find("section", id="consent-text")
    assert section is not None, "no consent text"
    return [" ".join(p.get_text(" ", strip=True).split()) for p in section.find_all("p")]


# --- the privacy notice -----------------------------------------------------------------


@pytest.mark.config(**CONTROLLER)
def test_the_privacy_notice_is_public_and_names_the_controller_and_its_version(client):
    response = client.get("/legal/privacy-notice", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    doc = page(response)
    assert text(doc, "privacy-notice-title") == "Privacy notice"
    assert text(doc, "privacy-notice-version") == "Version 7, in effect since March 1, 2027."
    assert doc.find(id="privacy-notice")["data-version"] == "7"
    assert text(doc, "controller-name") == "Örnek Moda Mağazacılık A.Ş."
    assert text(doc, "controller-address") == "Bağdat Cad. No: 5, 34710 Kadıköy/İstanbul"
    assert doc.find(id="controller-email").find("a")["href"] == "mailto:kvkk@ornekmoda.example"
    assert text(doc, "controller-mersis") == "0123456789000015"
    assert doc.find(id="controller-kep") is None  # optional, unset
    for section in SECTIONS:
        assert doc.find("section", id=section) is not None, section
    # The recipients: the loyalty service, the SMS gateway and İYS.
    for recipient in ("recipient-loyalty", "recipient-sms", "recipient-iys"):
        assert doc.find("li", id=recipient) is not None, recipient
    assert "İYS" in text(doc, "recipient-iys")
    assert text(doc, "no-transfers-abroad") == "We do not transfer your personal data abroad."
    # Article 11: nine rights, and how to use them, with the account's privacy page.
    assert len(doc.find("section", id="notice-rights").find("ol").find_all("li")) == 9
    assert doc.find("a", id="notice-privacy-page-link")["href"] == "/account/privacy"
    assert doc.find("a", id="privacy-notice-consent-link")["href"] == "/legal/commercial-messages"


@pytest.mark.config(**CONTROLLER)
def test_the_privacy_notice_in_turkish(client):
    doc = page(client.get("/legal/privacy-notice", headers={"Accept-Language": "tr"}))
    assert doc.html["lang"] == "tr"
    assert text(doc, "privacy-notice-title") == "Aydınlatma Metni"
    assert text(doc, "privacy-notice-version") == "Sürüm 7, 1 Mart 2027 tarihinden beri geçerli."
    assert text(doc, "controller-title") == "Veri sorumlusu"
    assert text(doc, "controller-name") == "Örnek Moda Mağazacılık A.Ş."
    assert text(doc, "controller-mersis") == "0123456789000015"
    assert text(doc, "notice-rights-title") == "Haklarınız (KVKK madde 11)"
    assert text(doc, "notice-legal-bases-title") == "Hukuki sebepler (KVKK madde 5)"
    assert text(doc, "no-transfers-abroad") == "Kişisel verilerinizi yurt dışına aktarmayız."
    assert "Sadakat programı" in text(doc, "recipient-loyalty")
    assert len(doc.find("section", id="notice-rights").find("ol").find_all("li")) == 9
    assert doc.find("a", id="notice-privacy-page-link")["href"] == "/account/privacy"


@pytest.mark.config(
    DATA_CONTROLLER_KEP="ornekmoda@hs01.kep.tr",
    DATA_TRANSFERS_ABROAD=("Example Cloud Ltd. (Ireland): backups", "Mailer Inc. (USA): email delivery"),
)
def test_the_kep_address_and_transfers_abroad_when_configured(client):
    doc = page(client.get("/legal/privacy-notice", headers={"Accept-Language": "en"}))
    assert text(doc, "controller-kep") == "ornekmoda@hs01.kep.tr"
    assert doc.find(id="no-transfers-abroad") is None
    assert [li.get_text(strip=True) for li in doc.find(id="transfers-abroad").find_all("li")] == [
        "Example Cloud Ltd. (Ireland): backups",
        "Mailer Inc. (USA): email delivery",
    ]
    assert "ornekmoda@hs01.kep.tr" in text(doc, "notice-rights-how")


# --- the consent text -------------------------------------------------------------------


@pytest.mark.config(**CONTROLLER)
def test_the_consent_text_names_the_sender_the_channels_and_the_withdrawal_in_turkish(client):
    response = client.get("/legal/commercial-messages", headers={"Accept-Language": "tr"})
    assert response.status_code == 200
    doc = page(response)
    assert text(doc, "consent-text-title") == "Ticari elektronik ileti onayı"
    assert doc.find(id="consent-text-title").name == "h1"  # the page's own heading here
    body = " ".join(consent_text_paragraphs(doc))
    assert "ticari elektronik ileti" in body
    assert [s.get_text(strip=True) for s in doc.select("#consent-text .legal-text__sender")] == [
        "Örnek Moda Mağazacılık A.Ş."
    ]
    assert "OrnekModa" in body
    for words in ("e-posta", "SMS", "telefon araması", "dilediğim zaman", "ücretsiz", "İletişim izinlerim", "3338"):
        assert words in body, words
    assert text(doc, "consent-text-version") == "Sürüm 4, 14 Şubat 2027 tarihinden beri geçerli."
    assert doc.find(id="consent-text")["data-version"] == "4"
    assert doc.find("a", id="consent-text-notice-link")["href"] == "/legal/privacy-notice"


@pytest.mark.config(**CONTROLLER)
def test_the_consent_text_in_english(client):
    doc = page(client.get("/legal/commercial-messages", headers={"Accept-Language": "en"}))
    body = " ".join(consent_text_paragraphs(doc))
    assert "commercial electronic messages" in body
    assert "ticari elektronik ileti" in body  # the law's term, named
    named = ("Örnek Moda Mağazacılık A.Ş.", "OrnekModa", "email", "SMS", "phone calls", "at any time", "free of charge")
    for words in named:
        assert words in body, words
    assert text(doc, "consent-text-version") == "Version 4, in effect since February 14, 2027."
    assert doc.find(id="consent-text-manage-link") is None  # logged out


@pytest.mark.parametrize("language", ["en", "tr"])
def test_one_consent_text_everywhere(client, auth, customer, language):
    """Sign-up, the consents page, its own page and the style guide show the same words."""
    headers = {"Accept-Language": language}
    places = {
        "signup": page(client.get("/account/register", headers=headers)),
        "own page": page(client.get("/legal/commercial-messages", headers=headers)),
        "style guide": page(client.get(f"/_styleguide/legal-consent_text--logged-out?lang={language}")),
    }
    auth.login()
    auth.client.post("/language", data={"language": language, "csrf_token": auth.csrf_token("/account/profile")})
    places["consents page"] = page(auth.client.get("/account/consents"))
    texts = {where: consent_text_paragraphs(doc) for where, doc in places.items()}
    assert all(paragraphs == texts["signup"] for paragraphs in texts.values()), texts
    assert len(texts["signup"]) >= 3  # the text, its version, the notice link
    assert {doc.html["lang"] for doc in places.values()} == {language}


def test_the_agent_reads_the_same_text_on_the_recorded_line(client, acting, customer):
    doc = page(acting.client.get("/account/consents"))
    assert doc.find(id="consent-text-read-out") is not None
    customers_view = consent_text_paragraphs(doc)
    own = page(client.application.test_client().get("/legal/commercial-messages"))
    assert customers_view == consent_text_paragraphs(own)


# --- links ------------------------------------------------------------------------------


def test_signup_links_the_consent_text_and_the_notice_with_its_version(client, loyalty_service):
    doc = page(client.get("/account/register", headers={"Accept-Language": "en"}))
    consents = doc.find("fieldset", id="consents")
    assert consents.find("section", id="consent-text") is not None
    assert consents.find("a", id="consent-text-notice-link")["href"] == "/legal/privacy-notice"
    assert doc.find("a", id="privacy-notice-full-link")["href"] == "/legal/privacy-notice"
    assert text(doc, "privacy-notice-version") == "Version 1, in effect since December 3, 2026."
    # The loyalty step: what the loyalty service receives.
    loyalty = doc.find("fieldset", id="loyalty-option")
    assert loyalty.find("a", id="loyalty-privacy-notice-link")["href"] == "/legal/privacy-notice#notice-recipients"


def test_the_consents_page_links_the_notice(auth, customer):
    auth.login()
    doc = page(auth.client.get("/account/consents"))
    assert doc.find(id="consent-text-read-out") is None  # only for agents
    assert doc.find("main").find("a", id="consent-text-notice-link")["href"] == "/legal/privacy-notice"


def test_the_loyalty_pages_link_the_notice(app, auth, customer, loyalty_service):
    auth.login()
    doc = page(auth.client.get("/account/loyalty"))
    join_form = doc.find("form", id="loyalty-join-form")
    assert join_form.find("a", id="loyalty-privacy-notice-link")["href"] == "/legal/privacy-notice#notice-recipients"
    doc = page(auth.client.get("/account/loyalty/join"))
    assert doc.find("a", id="loyalty-privacy-notice-link")["href"] == "/legal/privacy-notice#notice-recipients"


@pytest.mark.parametrize("path", ["/account/login", "/legal/privacy-notice", "/account/register"])
def test_the_footer_links_both_texts(client, path):
    footer = page(client.get(path)).find("footer")
    assert footer.find("a", id="footer-privacy-notice")["href"] == "/legal/privacy-notice"
    assert footer.find("a", id="footer-consent-text")["href"] == "/legal/commercial-messages"


def test_the_footer_links_them_for_a_customer_in_turkish(auth, customer):
    auth.login()
    auth.client.post("/language", data={"language": "tr", "csrf_token": auth.csrf_token("/account/profile")})
    footer = page(auth.client.get("/account/profile")).find("footer")
    assert footer.find("a", id="footer-privacy-notice").get_text(strip=True) == "Aydınlatma Metni"
    assert footer.find("a", id="footer-consent-text").get_text(strip=True) == "Ticari elektronik ileti onayı"


@pytest.mark.parametrize(("path", "container"), [("/legal/privacy-notice", "privacy-notice"),
                                                 ("/legal/commercial-messages", "consent-text")])  # fmt: skip
def test_both_languages_have_the_same_parts(client, path, container):
    """The legal words are one template per language: both keep the same element ids."""
    ids = {}
    for language in ("en", "tr"):
        doc = page(client.get(path, headers={"Accept-Language": language}))
        assert doc.html["lang"] == language
        ids[language] = {element["id"] for element in doc.find(id=container).find_all(id=True)}
    assert ids["en"] == ids["tr"]
    assert {f"{container}-title", f"{container}-version"} <= ids["en"]


def test_a_mistyped_date_setting_stops_the_start(database_url):
    from tests.conftest import make_app

    with pytest.raises(RuntimeError, match="CONSENT_TEXT_DATE must be a date written YYYY-MM-DD"):
        make_app(database_url, CONSENT_TEXT_DATE="14.02.2027")
