"""The profile forms. ``ProfileForm`` is ``PATCH /users/profile/``; the pages use
its parts (``DetailsForm``, ``ConsentsForm``, ``AvatarForm``) with the same fields."""

from __future__ import annotations

import json
from typing import Any

from wtforms import FieldList, FormField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from portal.forms import PortalForm, StrictBooleanField, TextField
from portal.i18n import lazy_gettext as _l
from portal.profile.fields import (
    ATTRIBUTE_KEY_MAX_LENGTH,
    SERVER_MANAGED_ATTRIBUTES,
    AttributesField,
    AvatarField,
    BirthDateField,
    ChoiceOrNullField,
    GenderField,
    LanguageField,
    NameField,
    PhoneField,
)


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
    # Only while an agent acts for the customer (the service requires it then):
    # the recorded call the customer stated the change on.
    call_reference = TextField(_l("Call reference"), [Length(max=64)])

    def consent_changes(self) -> dict:
        return {name: self[name].data for name in ("email_allowed", "sms_allowed", "call_allowed")}


class WithdrawForm(PortalForm):
    """``POST /consents/withdraw/`` (the shop's own systems): whose consent, which channel."""

    recipient = TextField(_l("Recipient"), [DataRequired(), Length(max=254)])
    channel = ChoiceOrNullField(
        _l("Channel"),
        [Optional(), AnyOf(("email", "sms", "call", "all"))],
        choices=[SelectChoice(value, value) for value in ("email", "sms", "call", "all")],
    )
    source = ChoiceOrNullField(
        _l("Source"),
        [Optional(), AnyOf(("HS_WEB", "HS_MOBIL"))],
        choices=[SelectChoice(value, value) for value in ("HS_WEB", "HS_MOBIL")],
    )


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
        return {
            name: field.data for name, field in self._fields.items() if name not in ("code", "resend", "call_reference")
        }

    def confirmation(self) -> dict:
        """The ``code`` and ``resend`` (or, for an agent, ``call_reference``) the services take, as sent."""
        return {
            "code": self.code.data if "code" in self else None,
            "resend": bool(self.resend.data) if "resend" in self else False,
            "call_reference": self.call_reference.data if "call_reference" in self else None,
        }


class AttributeRowForm(PortalForm):
    """One of the customer's own attributes on the profile page: a name and a value."""

    key = TextField(_l("Name"), [Length(max=ATTRIBUTE_KEY_MAX_LENGTH)])
    value = TextField(_l("Value"), [Length(max=255)])


def attribute_text(value: Any) -> str:
    """How a stored attribute value is shown in a text box."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


class AttributesForm(_UserForm):
    """The page's editor for ``attributes``: every row the customer keeps, plus an
    empty one to add. Server-managed attributes are neither shown nor changeable."""

    # Labels of our own (the rows show only their key and value boxes): without one,
    # WTForms translates a default label through Flask-WTF, which loads WTForms'
    # catalogue from disk on every GET of the profile page.
    attributes = FieldList(
        FormField(AttributeRowForm, _l("Attributes")), _l("Attributes"), min_entries=1, max_entries=50
    )

    @classmethod
    def for_user(cls, user) -> AttributesForm:
        rows = [
            {"key": key, "value": attribute_text(value)}
            for key, value in sorted((user.attributes or {}).items())
            if key not in SERVER_MANAGED_ATTRIBUTES
        ]
        return cls(formdata=None, data={"attributes": [*rows, {"key": "", "value": ""}]})

    def attribute_values(self, stored: dict[str, Any]) -> dict[str, Any]:
        """The rows as an ``attributes`` object. A value left as it was shown keeps
        its stored type (a number stays a number); anything typed is text."""
        values: dict[str, Any] = {}
        for row in self.attributes:
            key = (row.key.data or "").strip()
            if not key:
                continue
            text = row.value.data or ""
            if key in stored and attribute_text(stored[key]) == text:
                values[key] = stored[key]
            else:
                values[key] = text
        return values

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        seen: set[str] = set()
        for row in self.attributes:
            key = (row.key.data or "").strip()
            if key in seen:
                row.key.errors = [*row.key.errors, _l("This name is used twice.")]
                valid = False
            elif key in SERVER_MANAGED_ATTRIBUTES:
                row.key.errors = [*row.key.errors, _l("The attribute “%(key)s” is managed by the server.", key=key)]
                valid = False
            elif not key and (row.value.data or "").strip():
                row.key.errors = [*row.key.errors, _l("Give this value a name.")]
                valid = False
            if key:
                seen.add(key)
        if not valid:
            # WTForms caches errors as each sub-form finishes; collect them again with ours.
            for row in self.attributes:
                row.form._errors = None
            self.attributes.errors = [row.errors for row in self.attributes if row.errors]
            self._errors = None
        return valid
