"""The fields of the privacy page and of the agents' erasure, for both faces."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length

from portal.accounts.forms import SecretField
from portal.forms import PortalForm, TextField


class ErasePasswordForm(PortalForm):
    """ "Delete my account", confirmed with the password."""

    password = SecretField(
        _l("Password"), [DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )


class EraseCodeRequestForm(PortalForm):
    """No fields: the POST asks for a code by SMS to confirm the deletion."""


class EraseCustomerForm(PortalForm):
    """Customer service deletes a customer's account: always with a reason."""

    erase_reason = TextField(
        _l("Reason for deleting the account"),
        [DataRequired(message=_l("Say why: a ticket number or a sentence.")), Length(max=200)],
    )
