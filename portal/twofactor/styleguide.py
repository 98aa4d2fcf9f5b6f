"""Style guide entries for the two-factor pages and the security page's section."""

from flask import flash
from flask_babel import gettext as _

from portal.accounts.styleguide import _security
from portal.styleguide import entry
from portal.styleguide.fixtures import submitted
from portal.twofactor.forms import PasswordForm, ReauthForm, SecondFactorForm, SetupForm
from portal.twofactor.qr import qr_svg
from portal.twofactor.services import TwoFactorStatus

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - a made-up key for the style guide
URI = f"otpauth://totp/Portal:ayse.yilmaz%40example.com?secret={SECRET}&issuer=Portal"
CODES = ["3f9a1-0c7be", "a41d2-9e0f3", "77b0c-d2e18", "0e5f4-4a9c1", "c8d13-b7f02",
         "5a0e9-13d6c", "9bc47-e0a25", "e2f81-6c3d9", "41a7d-f85b0", "b96c2-2d4e7"]  # fmt: skip


@entry("twofactor/login_code.html", "empty", note="After a right password, for an account with two-factor sign-in.")
def login_code_empty():
    return {"form": SecondFactorForm(formdata=None)}


@entry("twofactor/login_code.html", "wrong code")
def login_code_wrong():
    form = submitted(SecondFactorForm, {"code": "123456"})
    form.add_errors({"code": [_("The code is not correct.")]})
    return {"form": form}


def _setup(**context) -> dict:
    context.setdefault("form", SetupForm(formdata=None))
    return {"secret": SECRET, "qr_svg": qr_svg(URI), "required": False, **context}


@entry("twofactor/setup.html", "empty", logged_in=True)
def setup_empty():
    return _setup()


@entry("twofactor/setup.html", "required for staff", logged_in=True, note="A staff user's first login.")
def setup_required():
    flash(_("Set up two-factor sign-in before you continue: it is required for staff accounts."), "warning")
    return _setup(required=True)


@entry("twofactor/setup.html", "wrong code", logged_in=True)
def setup_wrong_code():
    form = submitted(SetupForm, {"code": "123456"})
    form.add_errors({"code": [_("The code is not correct. Check the time on your phone and try again.")]})
    return _setup(form=form)


@entry("twofactor/recovery_codes.html", "shown once", logged_in=True)
def recovery_codes():
    flash(_("Two-factor sign-in is on."), "success")
    return {"codes": CODES}


@entry("twofactor/reauth.html", "password only", logged_in=True)
def reauth_password():
    return {"form": ReauthForm(formdata=None), "has_code": False}


@entry("twofactor/reauth.html", "password or code, wrong", logged_in=True)
def reauth_wrong():
    form = submitted(ReauthForm, {"password": "wrong"})
    form.add_errors({"password": [_("The password is not correct.")]})
    return {"form": form, "has_code": True}


def _security_two_factor(enabled: bool, required: bool = False, left: int = 10, **forms) -> dict:
    forms.setdefault("two_factor_disable_form", PasswordForm(formdata=None, prefix="disable"))
    forms.setdefault("two_factor_regenerate_form", PasswordForm(formdata=None, prefix="regenerate"))
    return _security(
        two_factor=TwoFactorStatus(enabled=enabled, recovery_codes_left=left if enabled else 0),
        two_factor_required=required,
        **forms,
    )


@entry("accounts/security.html", "two-factor off", logged_in=True)
def security_two_factor_off():
    return _security_two_factor(False)


@entry("accounts/security.html", "two-factor on", logged_in=True)
def security_two_factor_on():
    return _security_two_factor(True, left=7)


@entry("accounts/security.html", "two-factor required", logged_in=True, note="Staff: no way to turn it off.")
def security_two_factor_required():
    return _security_two_factor(True, required=True, left=1)


@entry("accounts/security.html", "two-factor wrong password", logged_in=True)
def security_two_factor_wrong_password():
    form = submitted(PasswordForm, {"disable-password": "wrong"}, prefix="disable")
    form.add_errors({"password": [_("The password is not correct.")]})
    return _security_two_factor(True, two_factor_disable_form=form)
