"""Style guide entries for the privacy page and the deletion by code."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.errors import NotAcceptable
from portal.privacy.forms import EraseCodeRequestForm, ErasePasswordForm
from portal.styleguide import entry, fixtures


def _privacy(password_form=None, *, has_phone: bool = True) -> dict:
    return {
        "current_user": fixtures.customer(phone="+905551112233" if has_phone else None),
        "password_form": password_form or ErasePasswordForm(formdata=None),
        "code_form": EraseCodeRequestForm(formdata=None),
        "has_phone": has_phone,
    }


@entry("privacy/privacy.html", "empty", logged_in=True, note="Download my data; delete with the password or a code.")
def privacy_empty():
    return _privacy()


@entry("privacy/privacy.html", "no phone", logged_in=True, note="Without a phone only the password confirms.")
def privacy_no_phone():
    return _privacy(has_phone=False)


@entry("privacy/privacy.html", "field errors", logged_in=True, note="Delete my account without the password.")
def privacy_errors():
    return _privacy(fixtures.submitted(ErasePasswordForm, {"password": ""}))


def _code(**step) -> dict:
    return fixtures.code_step(action="/account/privacy/erase/code", **step)


@entry("privacy/erase_code.html", "code sent", logged_in=True, note="The code that confirms the deletion.")
def erase_code_sent():
    return _code(issued=fixtures.challenge(purpose="erase_account"))


@entry("privacy/erase_code.html", "field errors", logged_in=True, note="A wrong code.")
def erase_code_wrong():
    return _code(
        issued=fixtures.challenge(purpose="erase_account", resend_in=0),
        code="123456",
        error=NotAcceptable("sms_verification_100_2", _("Verification codes do not match.")),
    )
