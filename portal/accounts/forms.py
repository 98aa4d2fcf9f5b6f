from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from portal.forms import PortalForm, TextField


class SecretField(TextField, PasswordField):
    """A password input: never trimmed, never rendered back."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, strip=False, **kwargs)


class LoginForm(PortalForm):
    email = TextField(_l("Email"), [DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"})
    password = SecretField(
        _l("Password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
