"""The fields of sign-in by code, for both faces."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import PortalForm, TextField
from portal.profile.fields import PhoneField


class CodeLoginForm(PortalForm):
    """``{phone}`` asks for a code; ``{phone, code}`` signs in (``otp``: the
    authenticator code of an account with two-factor sign-in, as on /users/login/)."""

    # Any format the profile accepts; not ``unique``: the number is looked up, not claimed.
    phone = PhoneField(_l("Phone number"), [DataRequired()], unique=False)
    code = TextField(_l("Verification code"), [Optional(), Length(max=32)])
    otp = TextField(_l("Code"), [Optional(), Length(max=32)])


class PhoneStepForm(PortalForm):
    """The first page: the phone number alone."""

    phone = PhoneField(_l("Phone number"), [DataRequired()], unique=False)
