from wtforms.validators import DataRequired, Length, Optional

from portal.accounts.forms import SecretField
from portal.forms import PortalForm, TextField
from portal.i18n import lazy_gettext as _l

# A TOTP code is 6 digits, a recovery code xxxxx-xxxxx; room for spaces people type.
CODE_MAX_LENGTH = 32


def code_field(label=_l("Code"), required: bool = True) -> TextField:
    first = DataRequired() if required else Optional()
    return TextField(
        label,
        [first, Length(max=CODE_MAX_LENGTH)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "maxlength": CODE_MAX_LENGTH},
    )


class SecondFactorForm(PortalForm):
    """The login's second step: a code from the app, or a recovery code."""

    code = code_field(_l("Code from your authenticator app, or a recovery code"))


class SetupForm(PortalForm):
    code = code_field(_l("Code from your authenticator app"))


class PasswordForm(PortalForm):
    password = SecretField(
        _l("Password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )


class ReauthForm(PortalForm):
    """Either the password or a code (the service says so when both are empty)."""

    password = SecretField(
        _l("Password"), [Optional(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
    code = code_field(_l("Or a code from your authenticator app"), required=False)
