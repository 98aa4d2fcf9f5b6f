"""The profile page's forms, as Flask-WTF's documentation writes them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, DateField, FieldList, Form, FormField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

GENDER_CHOICES = [
    SelectChoice("", _l("Prefer not to say")),
    SelectChoice("female", _l("Female")),
    SelectChoice("male", _l("Male")),
]
LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("tr", "Türkçe")]


class DetailsForm(FlaskForm):
    first_name = StringField(_l("First name"), [Length(max=50)], render_kw={"autocomplete": "given-name"})
    last_name = StringField(_l("Last name"), [Length(max=50)], render_kw={"autocomplete": "family-name"})
    phone = StringField(_l("Mobile phone"), render_kw={"autocomplete": "tel", "inputmode": "tel"})
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, filters=[lambda value: value or ""])
    date_of_birth = DateField(_l("Date of birth"), [Optional()], render_kw={"autocomplete": "bday"})
    language_code = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class AvatarForm(FlaskForm):
    avatar = FileField(
        _l("Choose a new picture"),
        [FileAllowed(["png", "jpg", "jpeg", "webp"])],
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )
    remove_avatar = BooleanField(_l("Remove the current picture"))


class AttributeRowForm(Form):
    key = StringField(_l("Name"), [Length(max=64)])
    value = StringField(_l("Value"), [Length(max=255)])


class AttributesForm(FlaskForm):
    attributes = FieldList(FormField(AttributeRowForm), min_entries=1, max_entries=50)

    @classmethod
    def for_user(cls, user) -> AttributesForm:
        rows = [{"key": key, "value": str(value)} for key, value in sorted((user.attributes or {}).items())
                if key not in ("register_client_type", "logged_ip", "kvkk_flat_page_version")]
        return cls(formdata=None, data={"attributes": [*rows, {"key": "", "value": ""}]})
