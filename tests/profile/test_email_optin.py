"""Email double opt-in (issue 20): a grant of the email consent waits for a link sent
to the address, on both faces; the consent starts (ONAY for that address) only when
it is opened. The links are read from the development outbox, as a customer reads
their mailbox."""

from __future__ import annotations

from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.profile.models import ConsentRecord
from tests.conftest import DEMO_PASSWORD, page
from tests.mail.conftest import free_port, smtp_settings
from tests.mail.outbox import link_in, mails
from tests.profile.conftest import PHONE, last_code
from tests.profile.conftest import outbox as sms_outbox

EMAIL = "demo@example.com"
SENT = "We sent a confirmation link to demo@example.com. Email messages start when you open it."


def stored(app, email: str = EMAIL) -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
        return user


def records(app) -> list[ConsentRecord]:
    with app.app_context():
        rows = list(db.session.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars())
        db.session.expunge_all()
        return rows


def optin_path(client, to: str = EMAIL) -> str:
    [mail] = [m for m in mails(client, to) if m["template"] == "email_optin"]
    return link_in(mail, "optin-link")


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1]


def confirm_api(app, path: str):
    return app.test_client().post(f"/users/consents/email-confirm/{token_of(path)}/")


# --- the API face --------------------------------------------------------------------------


def test_api_grant_sends_a_link_and_the_link_turns_the_consent_on(api, app, client, customer, kvkk_on):
    api.login()
    response = api.patch("/users/profile/", json={"email_allowed": True})
    assert response.status_code == 202
    body = response.get_json()
    assert (body["email_allowed"], body["email_confirmation_sent_to"], body["detail"]) == (True, EMAIL, SENT)
    assert stored(app).email_allowed is False  # nothing yet
    assert records(app) == []
    assert sms_outbox(client) == []  # no SMS code for the email consent
    [mail] = mails(client, EMAIL)
    assert (mail["template"], mail["subject"]) == ("email_optin", "Confirm that you want our emails")
    path = optin_path(client)

    opened = confirm_api(app, path)
    assert opened.status_code == 200
    assert opened.get_json() == {
        "detail": "Thank you: you will receive our emails at demo@example.com.",
        "email": EMAIL,
        "email_allowed": True,
    }
    assert api.get("/users/profile/").get_json()["email_allowed"] is True
    [record] = records(app)
    assert (record.channel, record.granted, record.iys_type, record.status, record.recipient) == (
        "email", True, "EPOSTA", "ONAY", EMAIL,
    )
    assert (record.source, record.iys_source) == ("api", "HS_MOBIL")  # where the customer asked
    assert record.code_reference.startswith("email-link:")  # the evidence: the link
    assert token_of(path) not in record.code_reference  # a digest, never the link itself

    again = confirm_api(app, path)  # single use
    assert (again.status_code, list(again.get_json())) == (400, ["token"])
    assert len(records(app)) == 1


def test_a_customer_without_a_phone_can_grant_email(api, app, client, make_user, kvkk_on):
    make_user(email="nophone@example.com")
    api.login("nophone@example.com")
    response = api.patch("/users/profile/", json={"email_allowed": True})
    assert response.status_code == 202
    assert response.get_json()["email_confirmation_sent_to"] == "nophone@example.com"
    assert confirm_api(app, optin_path(client, "nophone@example.com")).status_code == 200
    assert stored(app, "nophone@example.com").email_allowed is True


def test_resend_sends_a_new_link(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"email_allowed": True})
    response = api.patch("/users/profile/", json={"email_allowed": True, "resend": True})
    assert (response.status_code, response.get_json()) == (200, {"message": "success"})
    assert len(mails(client, EMAIL)) == 2


def test_email_with_sms_the_code_confirms_sms_and_the_link_email(api, app, client, customer, kvkk_on):
    """One request, two confirmations: the SMS code for SMS, the link for email."""
    api.login()
    change = {"email_allowed": True, "sms_allowed": True, "first_name": "Both"}
    response = api.patch("/users/profile/", json=change)
    assert response.status_code == 202
    body = response.get_json()
    assert (body["email_allowed"], body["sms_allowed"], body["email_confirmation_sent_to"]) == (True, True, EMAIL)
    assert len(sms_outbox(client, PHONE)) == 1 and len(mails(client, EMAIL)) == 1

    response = api.patch("/users/profile/", json={**change, "code": last_code(client)})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["sms_allowed"], body["email_allowed"], body["first_name"]) == (True, False, "Both")
    assert len(mails(client, EMAIL)) == 1  # the code sends no second link
    assert [(r.channel, r.status) for r in records(app)] == [("sms", "ONAY")]

    assert confirm_api(app, optin_path(client)).status_code == 200
    assert [(r.channel, r.status) for r in records(app)] == [("sms", "ONAY"), ("email", "ONAY")]
    assert records(app)[0].code_reference.startswith("otp:")


def test_other_fields_apply_at_once_while_email_waits(api, app, client, customer, kvkk_on):
    api.login()
    response = api.patch("/users/profile/", json={"email_allowed": True, "first_name": "Now"})
    assert response.status_code == 202
    user = stored(app)
    assert (user.first_name, user.email_allowed) == ("Now", False)


def test_with_kvkk_confirmation_off_email_is_granted_at_once(api, app, client, customer, kvkk_off):
    api.login()
    response = api.patch("/users/profile/", json={"email_allowed": True})
    assert (response.status_code, response.get_json()["email_allowed"]) == (200, True)
    assert mails(client, EMAIL) == []


def test_mail_server_down_is_a_503_and_nothing_changes(api, app, customer, kvkk_on):
    api.login()
    app.config.update(smtp_settings(free_port()))  # nothing listens there
    response = api.patch("/users/profile/", json={"email_allowed": True, "first_name": "Lost"})
    assert response.status_code == 503
    assert response.get_json() == {
        "detail": "We could not send the email just now, so nothing was changed. Please try again in a few minutes."
    }
    assert "Retry-After" in response.headers
    user = stored(app)
    assert (user.email_allowed, user.first_name) == (False, "Demo")
    assert records(app) == []


def test_the_link_dies_when_the_address_changes(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"email_allowed": True})
    path = optin_path(client)
    api.post("/users/email-change/", json={"email": "new@example.com", "emailConfirm": "new@example.com",
                                          "password": DEMO_PASSWORD})
    change_token = token_of(link_in(mails(client, "new@example.com")[0], "email-change-link"))
    assert app.test_client().get(f"/users/email-set-primary/{change_token}/").status_code == 200
    response = confirm_api(app, path)
    assert (response.status_code, list(response.get_json())) == (400, ["token"])
    user = stored(app, "new@example.com")
    assert user.email_allowed is False
    assert records(app) == []


def test_the_link_expires(api, app, client, customer, kvkk_on):
    clock.freeze(clock.now())
    api.login()
    api.patch("/users/profile/", json={"email_allowed": True})
    path = optin_path(client)
    clock.advance(seconds=app.config["EMAIL_CONFIRMATION_TIMEOUT"] + 1)
    assert confirm_api(app, path).status_code == 400
    assert stored(app).email_allowed is False


def test_a_link_from_before_a_withdrawal_does_not_switch_the_consent_back_on(api, app, client, customer, kvkk_on):
    api.login()
    api.patch("/users/profile/", json={"email_allowed": True})
    first = optin_path(client)
    api.patch("/users/profile/", json={"email_allowed": True, "resend": True})
    second = link_in(mails(client, EMAIL)[0], "optin-link")
    assert confirm_api(app, second).status_code == 200
    assert api.patch("/users/profile/", json={"email_allowed": False}).status_code == 200
    assert confirm_api(app, first).status_code == 400
    assert stored(app).email_allowed is False


# --- the pages -----------------------------------------------------------------------------


def test_page_grant_says_a_link_was_sent_and_the_link_page_confirms(auth, app, client, customer, kvkk_on):
    auth.login()
    response = auth.post("/account/consents", {"email_allowed": "y"})
    assert (response.status_code, response.location) == (302, "/account/consents")
    consents = page(client.get("/account/consents"))
    assert consents.find(id="flashes").get_text(strip=True) == SENT
    assert consents.find(id="email_allowed-state").find("strong").get_text() == "off"
    assert sms_outbox(client) == []
    path = optin_path(client)

    question = client.get(path)  # a mail scanner's GET changes nothing
    assert question.status_code == 200
    doc = page(question)
    assert "demo@example.com" in doc.find(id="email-optin-question").get_text()
    assert stored(app).email_allowed is False

    token = doc.find("form", id="email-optin-form").find("input", attrs={"name": "csrf_token"})["value"]
    done = client.post(path, data={"csrf_token": token})
    assert (done.status_code, done.location) == (303, "/account/consents")
    consents = page(client.get("/account/consents"))
    assert consents.find(id="email_allowed-state").find("strong").get_text() == "on"
    rows = consents.find("table", id="consent-history").find("tbody").find_all("tr")
    assert [(r["data-channel"], r["data-granted"], r["data-source"]) for r in rows] == [("email", "true", "web")]
    [record] = records(app)
    assert (record.iys_source, record.recipient) == ("HS_WEB", EMAIL)

    used = client.get(path)
    assert used.status_code == 400
    assert page(used).find(id="link-invalid") is not None


def test_the_link_page_works_without_a_login(auth, app, client, customer, kvkk_on):
    auth.login()
    auth.post("/account/consents", {"email_allowed": "y"})
    path = optin_path(client)
    visitor = app.test_client()
    token = page(visitor.get(path)).find("input", attrs={"name": "csrf_token"})["value"]
    done = visitor.post(path, data={"csrf_token": token})
    assert done.status_code == 200
    assert page(done).find(id="email-optin-done").get_text(strip=True) == (
        "Thank you: you will receive our emails at demo@example.com."
    )
    assert stored(app).email_allowed is True


def test_page_mail_failure_shows_the_503_and_changes_nothing(auth, app, customer, kvkk_on):
    auth.login()
    app.config.update(smtp_settings(free_port()))
    response = auth.post("/account/consents", {"email_allowed": "y"})
    assert response.status_code == 503
    assert stored(app).email_allowed is False


# --- address changes -----------------------------------------------------------------------


def test_email_change_leaves_no_consent_for_the_new_address(api, app, client, make_user, kvkk_on):
    """The change link proves the mailbox but not a wish for offers there: the customer grants again."""
    make_user(email="fan@example.com", email_allowed=True)
    api.login("fan@example.com")
    api.post("/users/email-change/", json={"email": "new@example.com", "emailConfirm": "new@example.com",
                                          "password": DEMO_PASSWORD})
    change_token = token_of(link_in(mails(client, "new@example.com")[0], "email-change-link"))
    assert app.test_client().get(f"/users/email-set-primary/{change_token}/").status_code == 200
    assert stored(app, "new@example.com").email_allowed is False
    assert [(r.recipient, r.status) for r in records(app)] == [("fan@example.com", "RET")]
    # granting for the new address is the double opt-in, to the new address
    response = api.patch("/users/profile/", json={"email_allowed": True})
    assert response.get_json()["email_confirmation_sent_to"] == "new@example.com"
    assert confirm_api(app, optin_path(client, "new@example.com")).status_code == 200
    assert [(r.recipient, r.status) for r in records(app)] == [
        ("fan@example.com", "RET"), ("new@example.com", "ONAY"),
    ]
