"""Style guide entries for the signup wizard (steps 1-3), the loyalty page and joining."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from portal.errors import NotAcceptable
from portal.loyalty.forms import RegisterDetailsForm
from portal.loyalty.models import ACTIVE, FAILED, PENDING, LoyaltyLink
from portal.loyalty.views import STEPS
from portal.styleguide import entry, fixtures

STATUSES = {"active": ACTIVE, "pending": PENDING, "failed": FAILED}


def link(status: str = ACTIVE, **fields) -> LoyaltyLink:
    """A transient card link as ``portal.loyalty.services.link_for`` returns it."""
    values = {
        "id": 1,
        "user_id": 1,
        "status": status,
        "card_number": "6001 2345 6789" if status == ACTIVE else None,
        "card_status": "ACTIVE" if status == ACTIVE else None,
        "needs_push": False,
        "last_synced_at": datetime(2026, 5, 4, 9, 0, tzinfo=UTC) if status == ACTIVE else None,
    }
    values.update(fields)
    return LoyaltyLink(**values)


# --- step 1: details --------------------------------------------------------------------


def _register(form=None, *, configured: bool = True, password_kept: bool = False) -> dict:
    form = form or RegisterDetailsForm(formdata=None)
    if not configured:
        del form.add_loyalty
    return {"form": form, "steps": STEPS, "password_kept": password_kept}


@entry("loyalty/register.html", "empty", note="Step 1 of 3, with the loyalty card option.")
def register_empty():
    return _register()


@entry("loyalty/register.html", "field errors", note="Step 1 submitted with missing and invalid details.")
def register_errors():
    data = {"first_name": "", "last_name": "Yılmaz", "email": "ayse@", "password": "", "phone": "", "date_of_birth": ""}
    return _register(fixtures.submitted(RegisterDetailsForm, data))


@entry("loyalty/register.html", "password kept", note="Back from step 2: the password need not be typed again.")
def register_password_kept():
    form = RegisterDetailsForm(
        formdata=None,
        data={
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "email": "ayse.yilmaz@example.com",
            "phone": "+905551112233",
        },
    )
    return _register(form, password_kept=True)


@entry("loyalty/register.html", "rate limited (429)", note="The code could not be sent yet.")
def register_rate_limited():
    form = RegisterDetailsForm(formdata=None)
    form.form_errors.append(fixtures.rate_limited(120).message)
    return _register(form)


@entry("loyalty/register.html", "loyalty not configured", note="No loyalty service: no card option.")
def register_no_loyalty():
    return _register(configured=False)


# --- step 2: the code ----------------------------------------------------------------------


def _register_code(**step) -> dict:
    return {"steps": STEPS, **fixtures.code_step(action="/account/register/code", **step)}


@entry("loyalty/register_code.html", "code sent", note="Step 2 of 3.")
def register_code_sent():
    return _register_code(issued=fixtures.challenge(purpose="register"))


@entry("loyalty/register_code.html", "field errors", note="A malformed code.")
def register_code_errors():
    return _register_code(issued=fixtures.challenge(purpose="register", resend_in=0), code="12")


@entry("loyalty/register_code.html", "code expired")
def register_code_expired():
    return _register_code(
        issued=fixtures.challenge(purpose="register", seconds_left=0, resend_in=0, status="expired"),
        code="123456",
        error=NotAcceptable("sms_verification_100_4", _("Sms otp code expired. Please resend code.")),
    )


@entry("loyalty/register_code.html", "too many attempts")
def register_code_too_many():
    return _register_code(
        issued=fixtures.challenge(purpose="register", seconds_left=0, resend_in=0, status="expired"),
        code="123456",
        error=NotAcceptable("sms_verification_100_5", _("Too many attempts. Please resend code.")),
    )


@entry("loyalty/register_code.html", "rate limited (429)", note="A resend asked for during the cooldown.")
def register_code_rate_limited():
    return _register_code(issued=fixtures.challenge(purpose="register"), error=fixtures.rate_limited(45))


# --- step 3: welcome ---------------------------------------------------------------------


@entry("loyalty/welcome.html", "card ready", logged_in=True, note="Step 3 of 3.")
def welcome_card():
    return {"steps": STEPS, "link": link(ACTIVE)}


@entry("loyalty/welcome.html", "loyalty pending", logged_in=True)
def welcome_pending():
    return {"steps": STEPS, "link": link(PENDING)}


@entry("loyalty/welcome.html", "no card", logged_in=True, note="Signed up without a loyalty card.")
def welcome_no_card():
    return {"steps": STEPS, "link": None}


# --- the loyalty page ---------------------------------------------------------------------


def _loyalty(card=None, *, configured: bool = True, can_join: bool = True) -> dict:
    return {"link": card, "configured": configured, "statuses": STATUSES, "can_join": can_join}


@entry("loyalty/loyalty.html", "active", logged_in=True)
def loyalty_active():
    return _loyalty(link(ACTIVE))


@entry("loyalty/loyalty.html", "loyalty pending", logged_in=True, note="The service has not answered yet.")
def loyalty_pending():
    return _loyalty(link(PENDING))


@entry("loyalty/loyalty.html", "failed", logged_in=True, note="The service refused the details.")
def loyalty_failed():
    return _loyalty(link(FAILED, last_error="invalid phone"))


@entry("loyalty/loyalty.html", "empty", logged_in=True, note="No card yet: the join button.")
def loyalty_none():
    return _loyalty()


@entry("loyalty/loyalty.html", "no phone", logged_in=True, note="No card and no phone number to confirm with.")
def loyalty_no_phone():
    return {**_loyalty(can_join=False), "current_user": fixtures.customer(phone=None)}


@entry("loyalty/loyalty.html", "not configured", logged_in=True)
def loyalty_not_configured():
    return _loyalty(configured=False)


# --- joining -------------------------------------------------------------------------------


def _join(**step) -> dict:
    return fixtures.code_step(action="/account/loyalty/join", **step)


@entry("loyalty/join.html", "empty", logged_in=True, note="Before a code is sent.")
def join_start():
    return _join()


@entry("loyalty/join.html", "rate limited (429)", logged_in=True, note="The code could not be sent yet.")
def join_rate_limited():
    return _join(error=fixtures.rate_limited(45))


@entry("loyalty/join.html", "code sent", logged_in=True)
def join_code_sent():
    return _join(issued=fixtures.challenge(purpose="loyalty_join"))


@entry("loyalty/join.html", "field errors", logged_in=True, note="A wrong code.")
def join_wrong_code():
    return _join(
        issued=fixtures.challenge(purpose="loyalty_join", resend_in=0),
        code="123456",
        error=NotAcceptable("sms_verification_100_2", _("Verification codes do not match.")),
    )
