"""Acting as a customer through the JSON API: it works as the customer, and the
account-security actions are refused with a JSON 403."""

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.agents.models import AuditEvent
from portal.otp.models import SmsMessage
from tests.conftest import DEMO_PASSWORD, ApiActions
from tests.loyalty.conftest import loyalty_service, loyalty_sim  # noqa: F401 (fixtures: the real simulator)

REFUSED = "Customer service cannot do this while acting as a customer: the customer must do it themselves."


@pytest.fixture
def acting_api(acting, client):
    return ApiActions(client)


def test_the_api_answers_as_the_customer_while_acting(acting_api):
    response = acting_api.get("/users/user/")
    assert response.status_code == 200
    assert response.get_json()["email"] == "demo@example.com"


@pytest.mark.parametrize(
    ("path", "body", "endpoint"),
    [
        (
            "/users/password/change/",
            {"current_password": DEMO_PASSWORD, "new_password": "a-new-password-1"},
            "account_security_api.change_password",
        ),
        (
            "/users/email-change/",
            {"email": "taken-over@example.com", "emailConfirm": "taken-over@example.com", "password": DEMO_PASSWORD},
            "email_flows_api.email_change",
        ),
        ("/users/sessions/end-others/", {}, "account_security_api.end_other_sessions"),
    ],
)
def test_account_security_is_refused_while_acting(app, sql, acting_api, customer, path, body, endpoint):
    customer_elsewhere = app.test_client()
    login = customer_elsewhere.post("/users/login/", json={"email": "demo@example.com", "password": DEMO_PASSWORD})
    assert login.status_code == 200
    response = acting_api.post(path, json=body)
    assert response.status_code == 403
    assert response.get_json() == {"detail": REFUSED}
    assert sql(lambda s: s.get(User, customer.id).email) == "demo@example.com"
    assert customer_elsewhere.get("/users/user/").status_code == 200
    assert acting_api.get("/users/user/").get_json()["email"] == "demo@example.com"  # still acting
    writes = sql(lambda s: s.execute(select(AuditEvent.details).where(AuditEvent.action == "write")).scalars().all())
    assert writes == [{"method": "POST", "endpoint": endpoint, "path": path, "status": 403}]


@pytest.mark.parametrize("path", ["/agent/", "/agent/customers/{id}"])
def test_console_is_refused_as_json_while_acting(acting_api, customer, path):
    response = acting_api.get(path.format(id=customer.id), headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json() == {"detail": "Not available while acting as a customer. Stop acting first."}


@pytest.mark.config(AGENT_ACTING_MAX_MINUTES=5)
def test_a_call_after_the_maximum_is_refused_not_run_as_the_agent(app, sql, console, agent, customer):
    clock.freeze()
    console.login()
    console.act(customer.id)
    api = ApiActions(console.client)
    token = api.csrf()
    clock.advance(minutes=6)
    response = console.client.post("/users/sessions/end-others/", headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert response.get_json() == {
        "detail": "Acting as the customer ended: the time limit was reached. You are back in your own session."
    }
    assert api.get("/users/user/").get_json()["email"] == "agent@example.com"
    actions = sql(lambda s: s.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all())
    assert actions == ["start", "stop"]


def test_stop_as_json(sql, acting_api, customer):
    response = acting_api.post("/agent/acting/stop", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json() == {"detail": "Stopped acting as the customer.", "customer_id": customer.id}
    assert acting_api.get("/users/user/").get_json()["email"] == "agent@example.com"
    again = acting_api.post("/agent/acting/stop", headers={"Accept": "application/json"})
    assert again.status_code == 400


def test_logout_through_the_api_while_acting(sql, acting_api, customer):
    assert acting_api.post("/users/logout/").status_code == 200
    assert acting_api.get("/users/user/").status_code == 401
    why = sql(lambda s: s.execute(select(AuditEvent.details).where(AuditEvent.action == "stop")).scalar_one())
    assert why == {"why": "logout"}


def test_consent_change_through_the_api_is_recorded_as_call_center(sql, acting_api, agent, customer):
    from portal.profile.models import ConsentRecord

    response = acting_api.patch("/users/profile/", json={"email_allowed": True})
    assert (response.status_code, response.get_json()) == (
        400, {"call_reference": ["Give the reference of the recorded call."]}
    )
    response = acting_api.patch("/users/profile/", json={"email_allowed": True, "call_reference": "REC-9"})
    assert response.status_code == 200
    assert response.get_json()["email_allowed"] is True
    record = sql(lambda s: s.execute(select(ConsentRecord)).scalar_one())
    assert (record.channel, record.granted, record.source, record.actor_id) == ("email", True, "call_center", agent.id)
    assert (record.call_reference, record.iys_source) == ("REC-9", "HS_CAGRI_MERKEZI")
    writes = sql(lambda s: s.execute(select(AuditEvent.details).where(AuditEvent.action == "write")).scalars().all())
    write = writes[-1]
    assert write == {
        "method": "PATCH",
        "endpoint": "profile_api.update_profile",
        "path": "/users/profile/",
        "status": 200,
        # The consent change the request made, copied for the trail's sentence (issue 21).
        "consents": [
            {"id": record.id, "channel": "email", "granted": True, "by_code": False, "call_reference": "REC-9"}
        ],
    }


@pytest.fixture(params=["/users/profile/", "/users/profile-with-loyalty/"])
def profile_path(request):
    if "loyalty" in request.param:
        request.getfixturevalue("loyalty_service")  # the loyalty endpoints answer 406 without it
    return request.param


def test_phone_change_through_the_api_is_refused_while_acting(sql, acting_api, customer, profile_path):
    response = acting_api.patch(profile_path, json={"phone": "+905329998877", "date_of_birth": "1990-01-02"})
    assert response.status_code == 403
    assert response.get_json() == {
        "detail": "Customer service cannot change the phone number: the customer must do it."
    }
    assert sql(lambda s: s.get(User, customer.id).phone) == "+905551112233"
    assert sql(lambda s: s.get(User, customer.id).date_of_birth) is None  # nothing of the request applied
    assert sql(lambda s: s.execute(select(SmsMessage)).first()) is None  # no code went anywhere


def test_an_api_token_cannot_start_acting(app, sql, agent, customer):
    key = app.test_client().post(
        "/users/login/", json={"email": "agent@example.com", "password": DEMO_PASSWORD}
    ).get_json()["key"]
    client = app.test_client()
    response = client.post(
        f"/agent/customers/{customer.id}/act", data={"reason": "T-1"}, headers={"Authorization": f"Token {key}"}
    )
    assert response.status_code == 403
    assert sql(lambda s: s.execute(select(AuditEvent)).first()) is None
    assert client.get("/users/user/").status_code == 401  # no session was handed out
