from wtforms import PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from portal.forms import VALID_EMAIL, PortalForm, TextField
from portal.i18n import lazy_gettext as _l

# "Enter a valid email address.", the wording of every email field (WTForms says "Invalid email address.").
EMAIL_RULE = Email(message=VALID_EMAIL)


class SecretField(TextField, PasswordField):
    """A password input: never trimmed, never rendered back."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, strip=False, **kwargs)


class LoginForm(PortalForm):
    email = TextField(_l("Email"), [DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"})
    password = SecretField(
        _l("Password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
    # The second factor, for accounts with two-factor sign-in (the JSON face sends it
    # with the password; the pages ask for it on a second step). See docs/two-factor.md.
    otp = TextField(_l("Code"), [Optional(), Length(max=32)])


class ChangePasswordForm(PortalForm):
    current_password = SecretField(
        _l("Current password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
    new_password = SecretField(
        _l("New password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "new-password"}
    )


class StorefrontChangePasswordForm(PortalForm):
    """``POST /users/password/change/`` as the storefront client sends it (Django's field names)."""

    old_password = SecretField(_l("Current password"), [DataRequired(), Length(max=128)])
    new_password1 = SecretField(_l("New password"), [DataRequired(), Length(max=128)])
    new_password2 = SecretField(
        _l("New password again"),
        [
            DataRequired(),
            Length(max=128),
            EqualTo("new_password1", message=_l("The two password fields didn't match.")),
        ],
    )


class ChangeEmailForm(PortalForm):
    """The vendor's names (``emailConfirm`` too), on both faces."""

    email = TextField(
        _l("New email"), [DataRequired(), Length(max=254), EMAIL_RULE], render_kw={"autocomplete": "email"}
    )
    emailConfirm = TextField(  # noqa: N815 - the storefront client's field name
        _l("New email again"),
        [DataRequired(), Length(max=254), EqualTo("email", message=_l("The two email fields didn't match."))],
        render_kw={"autocomplete": "email"},
    )
    password = SecretField(
        _l("Password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )


class EndOtherSessionsForm(PortalForm):
    """No fields: the POST itself (with its CSRF token) is the request."""


class PasswordResetRequestForm(PortalForm):
    email = TextField(_l("Email"), [DataRequired(), Length(max=254), EMAIL_RULE], render_kw={"autocomplete": "email"})


class PasswordResetForm(PortalForm):
    """The new password twice (the vendor's names). The password rules need the
    account's address, so the service checks them (``password_problems``)."""

    new_password1 = SecretField(
        _l("New password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "new-password"}
    )
    new_password2 = SecretField(
        _l("New password again"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "new-password"}
    )


class ResendConfirmationForm(PortalForm):
    email = TextField(_l("Email"), [DataRequired(), Length(max=254), EMAIL_RULE], render_kw={"autocomplete": "email"})
