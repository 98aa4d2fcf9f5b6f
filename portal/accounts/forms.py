from wtforms import PasswordField
from wtforms.validators import DataRequired, Email, Length

from portal.forms import PortalForm, TextField
from portal.i18n import lazy_gettext as _l


class SecretField(TextField, PasswordField):
    """A password input: never trimmed, never rendered back."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, strip=False, **kwargs)


class LoginForm(PortalForm):
    email = TextField(_l("Email"), [DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"})
    password = SecretField(
        _l("Password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )


class ChangePasswordForm(PortalForm):
    current_password = SecretField(
        _l("Current password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
    new_password = SecretField(
        _l("New password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "new-password"}
    )


class ChangeEmailForm(PortalForm):
    email = TextField(_l("New email"), [DataRequired(), Length(max=254), Email()], render_kw={"autocomplete": "email"})
    password = SecretField(
        _l("Password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )


class EndOtherSessionsForm(PortalForm):
    """No fields: the POST itself (with its CSRF token) is the request."""
