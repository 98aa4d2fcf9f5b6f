"""The component gallery's demo form: one field for each macro in ``_macros.html``."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import VALID_EMAIL, PortalForm, StrictBooleanField, TextField
from portal.i18n import lazy_gettext as _l
from portal.styleguide.fixtures import submitted


class ComponentsForm(PortalForm):
    first_name = TextField(_l("First name"), [DataRequired(), Length(max=50)])
    email = TextField(_l("Email"), [DataRequired(), Email(message=VALID_EMAIL)])
    gender = RadioField(
        _l("Gender"),
        [InputRequired()],
        choices=[SelectChoice("female", _l("Female")), SelectChoice("male", _l("Male"))],
    )
    channels = SelectMultipleField(
        _l("How may we contact you?"),
        choices=[
            SelectChoice("email", _l("Email")),
            SelectChoice("sms", _l("SMS")),
            SelectChoice("call", _l("Phone call")),
        ],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    language = SelectField(_l("Language"), choices=[SelectChoice("en", "English"), SelectChoice("tr", "Türkçe")])
    sms_allowed = StrictBooleanField(_l("Send me offers by SMS"))
    remember = StrictBooleanField(_l("Remember me on this device"))
    code = TextField(_l("Verification code"), [DataRequired(), Length(min=6, max=6)])


def components_context(form: ComponentsForm | None) -> dict:
    """``form=None`` means: the form as posted with mistakes, and a flash of each kind."""
    if form is None:
        form = submitted(ComponentsForm, {"email": "not-an-email", "language": "tr", "code": "12"})
        form.add_errors({"sms_allowed": [_("Confirm this change with the code we send by SMS.")]})
        flash(_("Your changes were saved."), "success")
        flash(_("We sent a code to your phone."), "info")
        flash(_("Your session ends soon."), "warning")
        flash(_("Something went wrong on our side. Please try again in a moment."), "error")
    steps = [_("Your details"), _("Confirm your phone"), _("Done")]
    return {"form": form, "steps": steps, "current_step": 2}
