"""Agents' frictions (issue 21): landing on the console, the acting menu, and the
audit trail as sentences (BeautifulSoup by ids; the layout is in tests/browser)."""

from __future__ import annotations

from portal import clock
from tests.conftest import page

ACTING_MENU = ["/account/profile", "/account/consents", "/account/segments", "/account/loyalty"]


def nav_links(doc) -> list[str]:
    return [a["href"] for a in doc.find("nav").select("ul > li > a")]


def test_staff_land_on_the_console_and_customers_on_their_profile(client, console, agent, admin, customer, auth):
    assert console.login().location == "/agent/"
    assert client.get("/").location == "/agent/"
    assert client.get("/account/login").location == "/agent/"  # already logged in
    auth.logout()
    assert console.login("admin@example.com").location == "/agent/"
    auth.logout()
    assert console.login("demo@example.com").location == "/account/profile"
    assert client.get("/").location == "/account/profile"


def test_an_explicit_next_still_wins_for_staff(client, auth, agent):
    response = auth.post(
        "/account/login?next=/agent/customers/1",
        {"email": "agent@example.com", "password": "portal-demo-2026"},
        token_from="/account/login",
    )
    assert response.location == "/agent/customers/1"


def test_while_acting_the_menu_offers_only_what_an_agent_may_do(client, acting, customer):
    doc = page(client.get("/account/profile"))
    assert nav_links(doc) == ACTING_MENU
    assert doc.find("a", id="nav-acting-profile")["aria-current"] == "page"
    for refused in ("/account/security", "/account/privacy", "/agent/"):
        assert refused not in nav_links(doc)
    assert doc.find(id="acting-stop") is not None  # "Stop acting" stays in the banner

    acting.stop()  # the agent's own menu again (the memo keeps both apart)
    doc = page(client.get("/agent/"))
    assert "/agent/" in nav_links(doc)
    assert doc.find("a", id="nav-acting-profile") is None


def test_the_customer_keeps_the_full_menu_on_the_same_page(client, auth, customer):
    auth.login()
    links = nav_links(page(client.get("/account/profile")))
    assert "/account/security" in links and "/account/consents" in links  # privacy is reached from consents


def test_the_audit_trail_reads_as_sentences(client, acting, customer):
    clock.freeze()
    response = acting.auth.post(
        "/account/consents",
        {"sms_allowed": "y", "email_allowed": "y", "call_reference": "CALL-8"},
        token_from="/account/consents",
    )
    assert response.status_code == 302
    clock.advance(seconds=5)
    acting.auth.post(
        "/account/consents", {"email_allowed": "y", "call_reference": "CALL-9"}, token_from="/account/consents"
    )  # SMS back off
    clock.advance(seconds=5)
    acting.auth.post("/account/security/sessions", token_from="/account/profile")  # refused while acting
    acting.stop()

    doc = page(client.get(f"/agent/customers/{customer.id}"))
    table = doc.find("table", id="audit-trail")
    assert [th.get_text() for th in table.find("thead").find_all("th")] == [
        "Time (Europe/Istanbul)",
        "Agent",
        "What happened",
        "Reason",
        "Client address",
    ]
    rows = table.find("tbody").find_all("tr")
    sentences = [row.find("td", class_="audit-action").get_text() for row in rows]
    assert sentences[0] == "Stopped acting."
    assert sentences[1] == "Tried to change the security settings; refused (403)."
    assert sentences[2] == "Changed SMS consent to off, with call reference CALL-9."
    assert sentences[3] == (
        "Changed email consent to on, with call reference CALL-8;"
        " Changed SMS consent to on, with call reference CALL-8."
    )
    assert sentences[4].startswith("Started acting as the customer, until ")
    for row in rows:  # every cell names its heading for the narrow layout
        assert [td["data-label"] for td in row.find_all("td")] == [
            "Time (Europe/Istanbul)",
            "Agent",
            "What happened",
            "Reason",
            "Client address",
        ]
