"""The console and acting as a customer, through the HTML face."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.agents.models import ActingSession, AuditEvent
from tests.conftest import DEMO_PASSWORD, page
from tests.test_sql_counts import counting_statements


def trail(sql, customer_id):
    def read(session):
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.customer_id == customer_id).order_by(AuditEvent.id)
        ).scalars()
        return [(row.action, row.details.get("why") or row.details.get("endpoint")) for row in rows]

    return sql(read)


def acting_rows(sql):
    return sql(lambda s: s.execute(select(ActingSession.customer_id)).scalars().all())


# --- who may use the console ---------------------------------------------------------


def test_console_requires_login(client):
    response = client.get("/agent/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_console_refuses_customers(auth, customer):
    auth.login()
    response = auth.client.get("/agent/")
    assert response.status_code == 403
    assert page(response).find(id="error-message").text == "You do not have permission to open this page."


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_staff_see_the_console_in_navigation(make_user, console, role):
    make_user(email=f"{role}@example.com", role=role)
    console.login(f"{role}@example.com")
    doc = page(console.client.get("/agent/"))
    assert doc.find(id="search-form") is not None
    assert doc.select_one('nav a[href="/agent/"]')["aria-current"] == "page"


def test_search_and_paging(console, agent, make_user):
    for n in range(23):
        make_user(email=f"c{n:02d}@example.com", first_name="Zeynep", last_name=f"Çelik{n:02d}")
    console.login()
    doc = page(console.client.get("/agent/?q=zeynep"))
    assert doc.find(id="results-title").text == "23 customers found"
    assert len(doc.select("#search-results tbody tr")) == 20
    assert doc.find(id="page-prev") is None
    doc = page(console.client.get(doc.find(id="page-next")["href"]))
    assert [row.select("td")[1].text for row in doc.select("#search-results tbody tr")] == [
        "c20@example.com",
        "c21@example.com",
        "c22@example.com",
    ]
    assert doc.find(id="page-next") is None and doc.find(id="page-prev") is not None


def test_search_by_phone_in_national_format(console, agent, customer):
    console.login()
    doc = page(console.client.get("/agent/", query_string={"q": "0 (555) 111 22 33"}))
    link = doc.select_one(f"#result-{customer.id} a")
    assert link["href"] == f"/agent/customers/{customer.id}"


def test_bad_page_number_is_a_400_not_a_500(console, agent):
    console.login()
    response = console.client.get("/agent/?q=a&page=abc")
    assert response.status_code == 400
    assert page(response).find(id="error-summary") is not None


def test_customer_page(console, agent, customer):
    console.login()
    doc = page(console.client.get(f"/agent/customers/{customer.id}"))
    assert doc.find(id="customer-email").text == "demo@example.com"
    assert doc.find(id="customer-phone").text == "0555 111 22 33"
    assert doc.find(id="consent-sms").text == "off"
    assert doc.find(id="consent-history-empty") is not None
    assert doc.find(id="customer-segment").text == "none"  # no segment defined at all
    assert doc.find(id="customer-loyalty").text == "no card"
    assert doc.find(id="audit-empty") is not None
    assert doc.find("form", id="act-form").find("input", attrs={"name": "reason"}) is not None


def test_staff_have_no_customer_page(console, agent, admin):
    console.login()
    assert console.client.get(f"/agent/customers/{admin.id}").status_code == 404


# --- starting: every refusal ---------------------------------------------------------


def test_customer_trying_to_start_is_refused(sql, auth, customer, make_user):
    other = make_user(email="other@example.com")
    auth.login()
    response = auth.post(f"/agent/customers/{other.id}/act", {"reason": "x"}, token_from="/account/profile")
    assert response.status_code == 403
    assert acting_rows(sql) == []


@pytest.mark.parametrize("target", ["agent2", "admin"])
def test_agent_targeting_staff_is_refused(sql, console, agent, admin, make_user, target):
    other = admin if target == "admin" else make_user(email="agent2@example.com", role="agent")
    console.login()
    response = console.auth.post(f"/agent/customers/{other.id}/act", {"reason": "x"}, token_from="/agent/")
    assert response.status_code == 403
    assert page(response).find(id="error-message").text == (
        "You can only act as a customer, never as an agent or an admin."
    )
    assert acting_rows(sql) == []


def test_inactive_target_is_refused(sql, console, agent, make_user):
    gone = make_user(email="gone@example.com", is_active=False)
    console.login()
    assert page(console.client.get(f"/agent/customers/{gone.id}")).find(id="act-unavailable") is not None
    response = console.auth.post(f"/agent/customers/{gone.id}/act", {"reason": "x"}, token_from="/agent/")
    assert response.status_code == 403
    assert acting_rows(sql) == []


def test_start_by_get_is_405(console, agent, customer):
    console.login()
    assert console.client.get(f"/agent/customers/{customer.id}/act").status_code == 405


def test_start_without_csrf_is_403(sql, console, agent, customer):
    console.login()
    response = console.client.post(f"/agent/customers/{customer.id}/act", data={"reason": "T-1"})
    assert response.status_code == 403
    assert page(response).find(id="error-page")["data-status"] == "403"
    assert acting_rows(sql) == []


def test_start_needs_a_reason(sql, console, agent, customer):
    console.login()
    response = console.act(customer.id, reason="   ")
    assert response.status_code == 400
    assert page(response).find(id="reason-error").text == "Say why: a ticket number or a sentence."
    assert acting_rows(sql) == []


# --- acting ----------------------------------------------------------------------------


def test_start_switches_to_the_customer_with_a_new_session_id(sql, console, agent, customer):
    console.login()
    before = console.session_id()
    response = console.act(customer.id, reason="Ticket T-7")
    assert response.status_code == 303 and response.headers["Location"] == "/account/profile"
    assert console.session_id() != before
    doc = page(console.client.get("/account/profile"))
    assert doc.find(id="profile-email").text == "demo@example.com"
    banner = doc.find(id="acting-banner")
    assert banner.find(id="acting-banner-customer").text == "You are acting as Demo Customer (demo@example.com)."
    assert banner.find(id="acting-banner-reason").text == "Reason: Ticket T-7."
    # The customer's own navigation: no console link while acting.
    assert doc.select_one('nav a[href="/agent/"]') is None


def test_banner_cannot_be_closed_and_offers_stop(acting):
    banner = page(acting.client.get("/account/profile")).find(id="acting-banner")
    buttons = banner.find_all("button")
    assert [b["id"] for b in buttons] == ["acting-stop"]
    form = banner.find("form", id="acting-stop-form")
    assert (form["method"], form["action"]) == ("post", "/agent/acting/stop")
    assert form.find("input", attrs={"name": "csrf_token"})["value"]


# 09:15 UTC + 30 minutes, shown in the shop's time zone (PORTAL_TIMEZONE, Istanbul: UTC+3).
@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Ends at 3/4/30, 12:45\u202fPM."), ("tr", "4.03.2030 12:45")]
)
def test_banner_ends_at_in_the_agents_language(console, make_user, language, expected):
    make_user(email="agent@example.com", role="agent", language_code=language)
    target = make_user(email="c@example.com", language_code="tr" if language == "en" else "en")
    clock.freeze(datetime(2030, 3, 4, 9, 15, tzinfo=UTC))
    console.login()
    console.act(target.id)
    ends = page(console.client.get("/account/profile")).find(id="acting-banner-ends").text
    assert expected in ends


def test_acting_agent_sees_their_own_language_and_the_customer_gets_theirs(sql, console, make_user):
    """Issue 21, defect 6: banner, navigation and refusals in the agent's language;
    the SMS to the customer in the customer's."""
    from tests.otp.conftest import last_sms

    make_user(email="agent@example.com", role="agent", language_code="en")
    target = make_user(email="c@example.com", language_code="tr", phone="+905551112299")
    set_kvkk(sql, True)
    console.login()
    console.act(target.id)
    profile = page(console.client.get("/account/profile"))
    assert profile.html["lang"] == "en"
    assert profile.find(id="acting-banner") is not None
    assert profile.find("nav").find("a", href="/account/consents").text.strip() == "Consents"  # the acting menu
    refused = console.client.get("/agent/")
    assert (refused.status_code, page(refused).html["lang"]) == (403, "en")
    assert page(refused).find(id="error-message").text == "Not available while acting as a customer. Stop acting first."
    # Recorded from the call (no code); the customer is told by SMS, in Turkish.
    console.auth.post(
        "/account/consents", {"sms_allowed": "y", "call_reference": "CALL-7"}, token_from="/account/consents"
    )
    assert sql(lambda s: last_sms("+905551112299").body).startswith("Portal: Telefonda ileti izni verdiniz.")


def html_pages(app):
    """Every GET page of the portal that takes no URL arguments."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            yield rule.rule


def test_banner_on_every_portal_page_while_acting(app, acting):
    checked = []
    for path in html_pages(app):
        response = acting.client.get(path, follow_redirects=True)
        if response.mimetype != "text/html":
            continue
        assert page(response).find(id="acting-banner") is not None, path
        checked.append(path)
    # The customer's pages, refused pages (403) and the error pages all carry it.
    assert {"/account/profile", "/account/security", "/agent/"} <= set(checked)
    assert page(acting.client.get("/no-such-page")).find(id="acting-banner") is not None


def test_no_banner_when_not_acting(console, agent):
    console.login()
    assert page(console.client.get("/agent/")).find(id="acting-banner") is None


def test_stop_returns_to_the_agent_on_the_customer_page(sql, acting, customer):
    during = acting.session_id()
    response = acting.stop()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/agent/customers/{customer.id}"
    assert acting.session_id() != during
    doc = page(acting.client.get(response.headers["Location"]))
    assert doc.find(id="acting-banner") is None
    assert doc.find(id="nav-user").text == "Ayla Agent"
    actions = [row["data-action"] for row in doc.select("#audit-trail tbody tr")]
    assert actions == ["stop", "start"]


def test_the_old_session_id_is_dead_after_start_and_stop(app, acting, customer):
    during = acting.session_id()
    acting.stop()
    replay = app.test_client()
    replay.set_cookie("osessionid", during)
    assert replay.get("/account/profile").status_code == 302  # to login: nobody


@pytest.mark.config(AGENT_ACTING_MAX_MINUTES=10)
def test_acting_ends_automatically_after_the_maximum(sql, console, agent, customer):
    clock.freeze()
    console.login()
    console.act(customer.id)
    clock.advance(minutes=9, seconds=59)
    assert page(console.client.get("/account/profile")).find(id="acting-banner") is not None
    during = console.session_id()
    clock.advance(seconds=1)
    response = console.client.get("/account/profile")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/agent/customers/{customer.id}"
    assert console.session_id() != during
    doc = page(console.client.get(response.headers["Location"]))
    assert doc.find(id="acting-banner") is None
    assert "time limit" in doc.find(id="flashes").text
    assert trail(sql, customer.id) == [("start", None), ("stop", "expired")]
    times = sql(lambda s: s.execute(select(ActingSession.started_at, ActingSession.ended_at)).one())
    assert times.ended_at == times.started_at + timedelta(minutes=10)


@pytest.mark.config(AGENT_ACTING_MAX_MINUTES=10)
def test_a_write_after_the_maximum_does_not_run_as_the_customer(sql, console, agent, customer):
    clock.freeze()
    console.login()
    console.act(customer.id)
    token = console.auth.csrf_token("/account/profile")
    clock.advance(minutes=11)
    response = console.client.post("/account/logout", data={"csrf_token": token})
    assert response.status_code == 303  # back to the console, not logged out, nothing run
    assert trail(sql, customer.id) == [("start", None), ("stop", "expired")]
    assert page(console.client.get("/agent/")).find(id="nav-user").text == "Ayla Agent"


def test_logout_while_acting_ends_acting_and_logs_the_agent_out(sql, acting, customer):
    response = acting.auth.logout()
    assert response.status_code == 302
    assert trail(sql, customer.id) == [("start", None), ("stop", "logout")]
    assert acting.client.get("/agent/").status_code == 302  # to login: the agent is out too
    assert acting.client.get("/account/profile").status_code == 302


def test_customer_deactivated_while_acting(sql, acting, customer):
    sql(lambda s: setattr(s.get(User, customer.id), "is_active", False))
    response = acting.client.get("/account/profile")
    assert response.headers["Location"] == f"/agent/customers/{customer.id}"
    assert trail(sql, customer.id) == [("start", None), ("stop", "invalid")]


def test_agent_demoted_while_acting_loses_everything(sql, acting, agent, customer):
    sql(lambda s: setattr(s.get(User, agent.id), "role", "customer"))
    assert acting.client.get("/account/profile").status_code == 302  # to login
    assert trail(sql, customer.id) == [("start", None), ("stop", "invalid")]


# --- refused while acting (HTML face) --------------------------------------------------

REFUSED_POSTS = [
    (
        "/account/security/password",
        {"current_password": DEMO_PASSWORD, "new_password": "a-new-password-1"},
        "account_security.change_password",
    ),
    (
        "/account/security/email",
        {"email": "taken-over@example.com", "password": DEMO_PASSWORD},
        "account_security.change_email",
    ),
    ("/account/security/sessions", {}, "account_security.end_other_sessions"),
]


@pytest.mark.parametrize(("path", "data", "endpoint"), REFUSED_POSTS)
def test_account_security_is_refused_while_acting(app, sql, acting, customer, path, data, endpoint):
    customer_elsewhere = app.test_client()
    customer_elsewhere.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    response = acting.auth.post(path, data, token_from="/account/profile")
    assert response.status_code == 403
    assert page(response).find(id="error-message").text == (
        "Customer service cannot do this while acting as a customer: the customer must do it themselves."
    )
    assert page(response).find(id="acting-banner") is not None
    assert sql(lambda s: s.get(User, customer.id).email) == "demo@example.com"
    assert customer_elsewhere.get("/users/user/").status_code == 200  # their other session lives
    login = app.test_client().post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    assert login.status_code == 200  # the password is unchanged
    assert trail(sql, customer.id) == [("start", None), ("write", endpoint)]  # the attempt is on the record


def test_security_page_is_refused_while_acting(acting):
    assert acting.client.get("/account/security").status_code == 403


@pytest.mark.parametrize("path", ["/agent/", "/agent/customers/{id}"])
def test_console_pages_are_refused_while_acting(acting, customer, path):
    response = acting.client.get(path.format(id=customer.id))
    assert response.status_code == 403
    message = page(response).find(id="error-message").text
    assert message == "Not available while acting as a customer. Stop acting first."


def test_cannot_start_again_while_acting(sql, acting, make_user, customer):
    other = make_user(email="other@example.com")
    response = acting.auth.post(f"/agent/customers/{other.id}/act", {"reason": "x"}, token_from="/account/profile")
    assert response.status_code == 403
    assert acting_rows(sql) == [customer.id]


# --- the audit trail of a whole session and what the customer sees -------------------


def test_audit_rows_for_a_whole_session(sql, acting, agent, customer):
    acting.auth.post("/account/security/sessions", token_from="/account/profile")
    acting.stop()
    rows = sql(lambda s: s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all())
    assert [(r.action, r.agent_id, r.customer_id, r.reason, r.client_ip) for r in rows] == [
        ("start", agent.id, customer.id, "Ticket T-1042: cannot change SMS consent", "127.0.0.1"),
        ("write", agent.id, customer.id, "Ticket T-1042: cannot change SMS consent", "127.0.0.1"),
        ("stop", agent.id, customer.id, "Ticket T-1042: cannot change SMS consent", "127.0.0.1"),
    ]
    assert rows[1].details == {
        "method": "POST",
        "endpoint": "account_security.end_other_sessions",
        "path": "/account/security/sessions",
        "status": 403,
    }
    assert rows[2].details == {"why": "stop"}
    assert len({r.acting_session_id for r in rows}) == 1
    doc = page(acting.client.get(f"/agent/customers/{customer.id}"))
    cells = doc.select_one(f"#audit-{rows[1].id}").select("td")
    assert cells[1].text == "Ayla Agent"
    assert cells[2].text == "Tried to change the security settings; refused (403)."
    assert cells[4].text == "127.0.0.1"
    start = doc.select_one(f"#audit-{rows[0].id}").select_one("td.audit-action")
    ends = (rows[0].created_at + timedelta(minutes=30)).astimezone(ZoneInfo("Europe/Istanbul")).strftime("%H:%M")
    assert start.text == f"Started acting as the customer, until {ends}."
    assert doc.select_one(f"#audit-{rows[2].id}").select_one("td.audit-action").text == "Stopped acting."


def test_a_long_audit_trail_is_shown_a_page_at_a_time(sql, console, agent, customer):
    def add(session):
        now = clock.now()
        session.add_all(
            AuditEvent(agent_id=agent.id, customer_id=customer.id, action="write", reason=f"T-{n}",
                       created_at=now + timedelta(seconds=n), details={"method": "POST", "path": "/x", "status": 200})
            for n in range(45)
        )  # fmt: skip
        session.commit()
        return session.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc())).scalars().all()

    newest_first = sql(add)
    console.login()

    def shown(doc):
        return [int(row["id"].removeprefix("audit-")) for row in doc.select("#audit-trail tbody tr")]

    doc = page(console.client.get(f"/agent/customers/{customer.id}"))
    assert shown(doc) == newest_first[:20]
    assert doc.find(id="audit-newest") is None
    older = doc.find(id="audit-older")
    assert older["href"] == f"/agent/customers/{customer.id}?before={newest_first[19]}#audit-title"

    doc = page(console.client.get(older["href"]))
    assert shown(doc) == newest_first[20:40]
    assert doc.find(id="audit-newest")["href"] == f"/agent/customers/{customer.id}#audit-title"
    doc = page(console.client.get(doc.find(id="audit-older")["href"]))
    assert shown(doc) == newest_first[40:]
    assert doc.find(id="audit-older") is None and doc.find(id="audit-newest") is not None

    # An edited link (not a number, or past the oldest event) gets a page that still works.
    assert shown(page(console.client.get(f"/agent/customers/{customer.id}?before=x"))) == newest_first[:20]
    doc = page(console.client.get(f"/agent/customers/{customer.id}?before={newest_first[-1]}"))
    assert doc.find(id="audit-trail") is None
    assert doc.find(id="audit-empty").find(id="audit-newest") is not None


def test_customer_sees_that_customer_service_accessed_the_account(client, acting, auth):
    acting.stop()
    acting.auth.logout()
    auth.login()
    notice = page(client.get("/account/profile")).find(id="customer-service-access")
    assert notice.find("h2").text == "Customer service accessed your account"
    assert len(notice.select("li time[datetime]")) == 2  # from and until


def assert_profile_without_notice_or_its_query(app, client) -> None:
    """The logged-in customer's profile shows no access notice and never asks for the acting sessions."""
    client.get("/account/profile")  # warm-up
    with counting_statements(app) as statements:
        doc = page(client.get("/account/profile"))
    assert doc.find(id="profile-form") is not None
    assert doc.find(id="customer-service-access") is None
    assert not [s for s in statements if "acting_sessions" in s], "\n".join(statements)


def test_customer_never_accessed_sees_no_notice_and_costs_no_query(app, client, auth, customer):
    auth.login()
    assert_profile_without_notice_or_its_query(app, client)


def test_access_long_ago_shows_no_notice_and_costs_no_query(app, client, acting, auth, customer):
    acting.stop()
    acting.auth.logout()
    clock.freeze(clock.now() + timedelta(days=91))
    auth.login()
    assert_profile_without_notice_or_its_query(app, client)


def test_access_within_90_days_still_shows_the_notice(client, acting, auth):
    acting.stop()
    acting.auth.logout()
    clock.freeze(clock.now() + timedelta(days=89))
    auth.login()
    notice = page(client.get("/account/profile")).find(id="customer-service-access")
    assert len(notice.select("li time[datetime]")) == 2


# --- consents while acting: no code, the recorded call's reference, on the record ---


def set_kvkk(sql, enabled: bool) -> None:
    from portal.settings.services import KVKK_CONFIRMATION_ENABLED, set_setting

    sql(lambda s: set_setting(KVKK_CONFIRMATION_ENABLED, enabled))


def sms_to(sql, to: str) -> list:
    from portal.otp.models import SmsMessage

    return sql(lambda s: [(m.purpose, m.body) for m in s.execute(select(SmsMessage).where(SmsMessage.to == to))
                          .scalars()])


def test_consent_change_while_acting_takes_the_call_reference_never_a_code(sql, acting, agent, customer):
    from portal.profile.models import ConsentRecord

    set_kvkk(sql, True)
    doc = page(acting.client.get("/account/consents"))
    assert doc.find("input", attrs={"name": "call_reference"}) is not None
    response = acting.auth.post("/account/consents", {"sms_allowed": "y"}, token_from="/account/consents")
    assert response.status_code == 400
    assert page(response).find(id="call_reference-error").get_text(strip=True) == (
        "Give the reference of the recorded call."
    )
    response = acting.auth.post(
        "/account/consents", {"sms_allowed": "y", "call_reference": "REC-0042"}, token_from="/account/consents"
    )
    assert response.headers["Location"] == "/account/consents"  # applied: no code step
    records = sql(lambda s: s.execute(select(ConsentRecord)).scalars().all())
    assert [
        (r.user_id, r.channel, r.granted, r.source, r.actor_id, r.iys_source, r.call_reference) for r in records
    ] == [(customer.id, "sms", True, "call_center", agent.id, "HS_CAGRI_MERKEZI", "REC-0042")]
    assert records[0].code_reference is None
    # The customer gets no code, only the confirmation of the grant with how to undo it.
    assert [purpose for purpose, _ in sms_to(sql, "+905551112233")] == ["consent_by_phone"]
    # A withdrawal likewise.
    acting.auth.post(
        "/account/consents", {"call_reference": "REC-0043"}, token_from="/account/consents"
    )
    assert sql(lambda s: s.get(User, customer.id).sms_allowed) is False
    acting.stop()
    doc = page(acting.client.get(f"/agent/customers/{customer.id}"))
    row = doc.find(id=f"consent-{records[0].id}")
    assert (row["data-channel"], row["data-source"]) == ("sms", "call_center")
    assert row.find(class_="consent-actor").text == "Ayla Agent"
    assert row.find(class_="consent-call").text == "REC-0042"
    writes = [w for w in trail(sql, customer.id) if w[0] == "write"]
    assert writes == [("write", "profile.consents")] * 3


def test_no_code_step_is_shown_while_acting(sql, acting, customer):
    """Even a change left waiting for a code (say, by the customer before) is never shown to an agent."""
    with acting.client.session_transaction() as state:
        state["profile_pending"] = {"changes": {"sms_allowed": True}, "done": "profile.consents"}
    response = acting.client.get("/account/profile/confirm")
    assert response.status_code == 403
    assert page(response).find(id="error-message").text == (
        "Customer service never asks for a code sent to the customer. Record the change with the call reference."
    )
    assert page(response).find("input", attrs={"name": "code"}) is None


def test_phone_change_is_refused_while_acting_on_the_phone_field_keeping_the_other_edits(sql, acting, customer):
    details = {"first_name": "Demet", "last_name": "Customer", "phone": "+905329998877", "language_code": "en"}
    response = acting.auth.post("/account/profile", details, token_from="/account/profile")
    assert response.status_code == 403
    doc = page(response)
    assert doc.find(id="error-message") is None  # the form, not a bare refusal page
    assert " ".join(doc.find(id="phone-error").get_text().split()) == (
        "Customer service cannot change the phone number: the customer must do it."
        " The stored number was put back: save again to keep your other changes."
    )
    assert doc.find("a", attrs={"href": "#phone"}) is not None  # in the error summary
    assert doc.find("input", id="first_name")["value"] == "Demet"  # the other edit is kept in the form
    assert doc.find("input", id="phone")["value"] == "+905551112233"
    assert sql(lambda s: s.get(User, customer.id).phone) == "+905551112233"
    assert sql(lambda s: s.get(User, customer.id).first_name) == "Demo"  # nothing of the request applied

    response = acting.auth.post(
        "/account/profile", {**details, "phone": doc.find("input", id="phone")["value"]}, token_from="/account/profile"
    )
    assert response.status_code == 302
    assert sql(lambda s: s.get(User, customer.id).first_name) == "Demet"


def test_customer_page_shows_the_current_segment(app, console, agent, customer):
    from portal.segments.demo import seed_demo

    with app.app_context():
        seed_demo()
    console.login()
    doc = page(console.client.get(f"/agent/customers/{customer.id}"))
    assert doc.find(id="customer-segment").text == "Example.com customers"
    assert doc.find(id="customer-price-list").text == "Euro prices (EUR)"


def test_customer_page_shows_the_loyalty_card(app, console, agent, customer):
    from portal.loyalty.models import ACTIVE, LoyaltyLink

    with app.app_context():
        from portal.extensions import db

        db.session.add(
            LoyaltyLink(
                user_id=customer.id,
                status=ACTIVE,
                idempotency_key="k-1",
                request_body={},
                card_number="LC-0001",
                card_status="gold",
            )
        )
        db.session.commit()
    console.login()
    loyalty = page(console.client.get(f"/agent/customers/{customer.id}")).find(id="customer-loyalty")
    assert loyalty["data-status"] == "active"
    assert loyalty.text.strip() == "active · LC-0001 (gold)"


def test_acting_closed_on_the_server_ends_in_the_browser(sql, acting, customer):
    from portal.agents import services

    acting_id = sql(lambda s: s.execute(select(ActingSession.id)).scalar_one())
    sql(lambda s: services.stop_acting(acting_session_id=acting_id, why="invalid", client_ip=None))
    response = acting.client.get("/account/profile")
    assert response.headers["Location"] == f"/agent/customers/{customer.id}"
    assert trail(sql, customer.id) == [("start", None), ("stop", "invalid")]  # recorded once


@pytest.mark.parametrize(("locale", "heading"), [("en", "1,000+ customers found"), ("tr", "1.000+ müşteri bulundu")])
def test_a_search_matching_thousands_says_so_without_counting_them_all(app, console, agent, locale, heading):
    with app.app_context():
        from portal.extensions import db

        db.session.add_all(
            User(email=f"y{n:04d}@example.com", password_hash="x", first_name="Ayşe", last_name="Yılmaz")
            for n in range(1001)
        )
        db.session.get(User, agent.id).language_code = locale
        db.session.commit()
    console.login()
    doc = page(console.client.get("/agent/?q=YILMAZ"))
    assert doc.find(id="results-title").text == heading
    assert len(doc.select("#search-results tbody tr")) == 20
    assert doc.find(id="page-next") is not None
def test_console_and_customer_pages_show_the_portal_time_zone_by_name(sql, console, agent, customer):
    """Issue 21, defect 13: the same event, the same clock time, on both faces, with the zone's name."""
    set_kvkk(sql, False)
    clock.freeze(datetime(2030, 3, 4, 9, 15, tzinfo=UTC))  # 12:15 in Istanbul (UTC+3)
    console.login()
    console.act(customer.id)
    acting = console
    acting.auth.post(
        "/account/consents", {"sms_allowed": "y", "call_reference": "CALL-8"}, token_from="/account/consents"
    )
    mine = page(acting.client.get("/account/consents")).find(id="consent-history")
    assert mine.find("th").text == "When (Europe/Istanbul)"
    assert "12:15" in mine.find("tbody").find("td").text
    acting.stop()
    console = page(acting.client.get(f"/agent/customers/{customer.id}"))
    history = console.find(id="consent-history")
    assert history.find("th").text == "When (Europe/Istanbul)"
    assert history.find("tbody").find("td").text == "2030-03-04 12:15:00"
    trail_table = console.find(id="audit-trail")
    assert trail_table.find("th").text == "Time (Europe/Istanbul)"
    assert {td.text for td in trail_table.select("td.audit-time")} == {"2030-03-04 12:15:00"}
