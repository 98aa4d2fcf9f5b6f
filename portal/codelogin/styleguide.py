"""Style guide entries for sign-in by SMS code."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.codelogin.forms import PhoneStepForm
from portal.errors import NotAcceptable
from portal.styleguide import entry, fixtures


@entry("codelogin/phone.html", "empty", note="Step one: the phone number.")
def phone_empty():
    return {"form": PhoneStepForm(formdata=None)}


@entry("codelogin/phone.html", "field errors", note="A number that is not a phone number.")
def phone_errors():
    return {"form": fixtures.submitted(PhoneStepForm, {"phone": "12"})}


@entry(
    "codelogin/phone.html", "rate limited (429)", note="Too many codes for this number (any number, account or not)."
)
def phone_rate_limited():
    form = PhoneStepForm(formdata=None, data={"phone": "+905551112233"})
    form.phone.errors = [fixtures.rate_limited(45).message]
    return {"form": form}


def _code(**step) -> dict:
    return fixtures.code_step(action="/account/login/sms/verify", confirms=_("your sign-in"), **step)


@entry(
    "codelogin/code.html",
    "code sent",
    note="Step two: the code step (the same page whether or not the number has an account).",
)
def code_sent():
    return _code(issued=fixtures.challenge(purpose="login"))


@entry("codelogin/code.html", "field errors", note="A wrong code.")
def code_wrong():
    return _code(
        issued=fixtures.challenge(purpose="login", resend_in=0),
        code="123456",
        error=NotAcceptable("sms_verification_100_2", _("Verification codes do not match.")),
    )
