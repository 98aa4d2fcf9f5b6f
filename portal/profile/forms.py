"""The profile forms. ``ProfileForm`` is ``PATCH /users/profile/``; the pages use
its parts (``DetailsForm``, ``ConsentsForm``, ``AvatarForm``) with the same fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length

from portal.forms import PortalForm, StrictBooleanField, TextField
from portal.profile.fields import (
    AttributesField,
    AvatarField,
    BirthDateField,
    GenderField,
    LanguageField,
    NameField,
    PhoneField,
)

CONSENT_FIELDS = ("email_allowed", "sms_allowed", "call_allowed")
SENSITIVE_FIELDS = ("phone", *CONSENT_FIELDS)


class _UserForm(PortalForm):
    def __init__(self, *args, user_id: int | None = None, **kwargs):
        # UniquePhone ignores the user's own number.
        self.exclude_user_id = user_id
        super().__init__(*args, **kwargs)


class DetailsForm(_UserForm):
    first_name = NameField(_l("First name"), render_kw={"autocomplete": "given-name"})
    last_name = NameField(_l("Last name"), render_kw={"autocomplete": "family-name"})
    phone = PhoneField(_l("Mobile phone"))
    gender = GenderField(_l("Gender"))
    date_of_birth = BirthDateField(_l("Date of birth"), render_kw={"autocomplete": "bday"})
    language_code = LanguageField(_l("Language"))


class ConsentsForm(_UserForm):
    email_allowed = StrictBooleanField(_l("Email"))
    sms_allowed = StrictBooleanField(_l("SMS messages"))
    call_allowed = StrictBooleanField(_l("Phone calls"))


class AvatarForm(_UserForm):
    avatar = AvatarField(_l("Choose a new picture"), render_kw={"accept": "image/png,image/jpeg,image/webp"})
    remove_avatar = StrictBooleanField(_l("Remove the current picture"))


class ProfileForm(DetailsForm, ConsentsForm):
    """Every field ``PATCH /users/profile/`` accepts; unknown and read-only ones are ignored."""

    attributes = AttributesField(_l("Attributes"))
    avatar = AvatarField(_l("Profile picture"))
    code = TextField(_l("Code"), [Length(max=16)])
    resend = StrictBooleanField(_l("Resend"))

    def changes(self) -> dict:
        """The cleaned profile changes (without ``code`` and ``resend``)."""
        return {name: field.data for name, field in self._fields.items() if name not in ("code", "resend")}
