from wtforms import IntegerField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import PortalForm, TextField
from portal.i18n import lazy_gettext as _l


class SearchForm(PortalForm):
    """The console search, read from the query string: ``SearchForm(formdata=request.args)``."""

    q = TextField(_l("Email, phone or name"), [Length(max=100)])
    page = IntegerField(_l("Page"), [Optional(), NumberRange(min=1, max=10_000)])


class ActForm(PortalForm):
    reason = TextField(
        _l("Reason"),
        [DataRequired(message=_l("Say why: a ticket number or a sentence.")), Length(max=200)],
    )


class ResetLinkForm(PortalForm):
    """ "Send a password reset link": the agent says why, as for acting (the audit trail keeps it)."""

    reason = TextField(
        _l("Reason"),
        [DataRequired(message=_l("Say why: a ticket number or a sentence.")), Length(max=200)],
        id="reset-reason",  # the customer page holds the acting form's "reason" too
    )
