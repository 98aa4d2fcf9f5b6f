"""Style guide entries for the sign-up wizard (steps 1-3)."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.errors import NotAcceptable
from portal.loyalty.models import ACTIVE, PENDING
from portal.loyalty.styleguide import link
from portal.signup.forms import RegisterDetailsForm
from portal.signup.views import STEPS, STEPS_WITHOUT_CODE
from portal.styleguide import entry, fixtures

# --- step 1: details --------------------------------------------------------------------


def _register(
    form=None, *, configured: bool = True, password_kept: bool = False, phone_verification: bool = True
) -> dict:
    form = form or RegisterDetailsForm(formdata=None)
    if not configured:
        del form.add_loyalty
    if phone_verification:
        phone_help = _("We send a code to this number to confirm it.")
    else:
        phone_help = _("If you ask for a loyalty card, we send a code to this number to confirm it.")
    return {
        "form": form,
        "steps": STEPS if phone_verification else STEPS_WITHOUT_CODE,
        "password_kept": password_kept,
        "phone_help": phone_help,
    }


@entry("signup/register.html", "empty", note="Step 1 of 3, with the loyalty card option.")
def register_empty():
    return _register()


@entry("signup/register.html", "field errors", note="Step 1 submitted with missing and invalid details.")
def register_errors():
    data = {"first_name": "", "last_name": "Yılmaz", "email": "ayse@", "password": "", "phone": "", "date_of_birth": ""}
    return _register(fixtures.submitted(RegisterDetailsForm, data))


@entry("signup/register.html", "email taken", note="The address has an account: the way in is offered.")
def register_email_taken():
    data = {"first_name": "Ayşe", "last_name": "Yılmaz", "email": "demo@example.com", "phone": "+905551112233"}
    form = RegisterDetailsForm(formdata=None, data=data)
    form.email.errors = [_("A user with this email address already exists.")]
    form.email_taken = True
    return _register(form)


@entry("signup/register.html", "password kept", note="Back from step 2: the password need not be typed again.")
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


@entry("signup/register.html", "rate limited (429)", note="The code could not be sent yet.")
def register_rate_limited():
    form = RegisterDetailsForm(formdata=None)
    form.form_errors.append(fixtures.rate_limited(120).message)
    return _register(form)


@entry("signup/register.html", "loyalty not configured", note="No loyalty service: no card option.")
def register_no_loyalty():
    return _register(configured=False)


@entry(
    "signup/register.html",
    "phone verification off",
    note="PHONE_VERIFICATION off: step 1 of 2; only a card still has the code step.",
)
def register_without_phone_verification():
    return _register(phone_verification=False)


# --- step 2: the code ----------------------------------------------------------------------


def _register_code(**step) -> dict:
    return {"steps": STEPS, **fixtures.code_step(action="/account/register/code", phone_in_full=True, **step)}


@entry("signup/register_code.html", "code sent", note="Step 2 of 3.")
def register_code_sent():
    return _register_code(issued=fixtures.challenge(purpose="register"))


@entry("signup/register_code.html", "field errors", note="A malformed code.")
def register_code_errors():
    return _register_code(issued=fixtures.challenge(purpose="register", resend_in=0), code="12")


def _register_code_dead(error: NotAcceptable) -> dict:
    """A code that can no longer be used: the step offers only a new one."""
    return _register_code(
        issued=fixtures.challenge(purpose="register", seconds_left=0, resend_in=0, status="expired"),
        code="123456",
        error=error,
    )


@entry("signup/register_code.html", "code expired")
def register_code_expired():
    return _register_code_dead(NotAcceptable("sms_verification_100_4", _("Sms otp code expired. Please resend code.")))


@entry("signup/register_code.html", "too many attempts")
def register_code_too_many():
    return _register_code_dead(NotAcceptable("sms_verification_100_5", _("Too many attempts. Please resend code.")))


@entry("signup/register_code.html", "rate limited (429)", note="A resend asked for during the cooldown.")
def register_code_rate_limited():
    return _register_code(issued=fixtures.challenge(purpose="register"), error=fixtures.rate_limited(45))


# --- step 3: welcome ---------------------------------------------------------------------


@entry("signup/welcome.html", "card ready", logged_in=True, note="Step 3 of 3.")
def welcome_card():
    return {"steps": STEPS, "link": link(ACTIVE)}


@entry("signup/welcome.html", "loyalty pending", logged_in=True)
def welcome_pending():
    return {"steps": STEPS, "link": link(PENDING)}


@entry("signup/welcome.html", "no card", logged_in=True, note="Signed up without a loyalty card.")
def welcome_no_card():
    return {"steps": STEPS, "link": None}


@entry(
    "signup/welcome.html",
    "phone verification off",
    logged_in=True,
    note="PHONE_VERIFICATION off, no card: step 2 of 2, straight from the details.",
)
def welcome_without_phone_verification():
    return {"steps": STEPS_WITHOUT_CODE, "link": None}
