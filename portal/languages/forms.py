from flask import current_app
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from portal.forms import PortalForm
from portal.i18n import lazy_gettext as _l


class LanguageForm(PortalForm):
    """One button per language (``name="language"``) and the page to go back to."""

    language = SelectField(_l("Language"), [DataRequired()], choices=[])
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice(code, name) for code, name in current_app.config["LANGUAGES"].items()]
