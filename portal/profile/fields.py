"""The field rules of a customer's profile, as WTForms fields and validators.

These are the API's rules (``PATCH /users/profile/``) and the pages' rules at
once; registration and the loyalty flows import them from here so that a name,
a phone or a date of birth means the same thing everywhere.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from typing import Any

import phonenumbers
from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from wtforms import Field, FileField, SelectField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import Length, StopValidation, ValidationError

from portal import clock, inputs
from portal.accounts.models import GENDERS, User
from portal.extensions import db
from portal.forms import ISODateField, TextField, from_json
from portal.i18n import lazy_gettext as _l

NAME_MAX_LENGTH = 50
SERVER_MANAGED_ATTRIBUTES = ("register_client_type", "logged_ip", "kvkk_flat_page_version")
ATTRIBUTE_KEY_MAX_LENGTH = 64
AVATAR_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}


# --- validators -------------------------------------------------------------


class NoControlCharacters:
    """Refuse control characters (tabs, newlines, NUL, bidi overrides…) in a one-line text."""

    def __init__(self, message=None):
        self.message = message or _l("Control characters are not allowed.")

    def __call__(self, form, field):
        if field.data and any(unicodedata.category(ch) in ("Cc", "Cf") for ch in field.data):
            raise ValidationError(self.message)


def normalise_phone(raw: str, region: str | None = None) -> str | None:
    """The E.164 form of a valid phone number, or None if it is not a valid number."""
    region = region or current_app.config["DEFAULT_PHONE_REGION"]
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Number types that can receive an SMS. FIXED_LINE_OR_MOBILE is where the metadata
# cannot tell the two apart (the US, for one); premium-rate, shared-cost, satellite
# (region "001"), VoIP and fixed-line numbers are refused (issue 17: SMS pumping).
SMS_NUMBER_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def sms_capable_problem(e164: str) -> str | None:
    """Why a valid E.164 number may not be a customer's phone (not a mobile of an
    allowed region, ``SMS_ALLOWED_REGIONS``), or None."""
    number = phonenumbers.parse(e164, None)
    allowed = current_app.config["SMS_ALLOWED_REGIONS"]
    if phonenumbers.region_code_for_number(number) not in allowed:
        return str(_l("Phone numbers from this country are not accepted."))
    if phonenumbers.number_type(number) not in SMS_NUMBER_TYPES:
        return str(_l("Enter a mobile phone number."))
    return None


class ValidPhone:
    """A mobile number (``phonenumbers``' number type) of an allowed region
    (``SMS_ALLOWED_REGIONS``; default region from config); the data becomes E.164.
    Every flow that sends a code to a phone takes it through this rule."""

    def __init__(self, message=None):
        self.message = message or _l("Enter a valid phone number.")

    def __call__(self, form, field):
        if not field.data:
            return
        normalised = normalise_phone(field.data)
        if normalised is None:
            raise StopValidation(self.message)
        problem = sms_capable_problem(normalised)
        if problem is not None:
            raise StopValidation(problem)
        field.data = normalised


class UniquePhone:
    """No other user has this number. The form's ``exclude_user_id`` is the user themself."""

    def __init__(self, message=None):
        self.message = message or _l("A user with this phone number already exists.")

    def __call__(self, form, field):
        if not field.data:
            return
        query = select(User.id).where(User.phone == field.data)
        exclude = getattr(form, "exclude_user_id", None)
        if exclude is not None:
            query = query.where(User.id != exclude)
        if db.session.execute(query.limit(1)).first() is not None:
            raise ValidationError(self.message)


class AgeRange:
    """A date of birth that is not in the future and gives an age within the configured range."""

    def __call__(self, form, field):
        born: date | None = field.data
        if born is None:
            return
        today = clock.now().date()
        if born > today:
            raise ValidationError(_l("Date of birth cannot be in the future."))
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        low, high = current_app.config["PROFILE_MIN_AGE"], current_app.config["PROFILE_MAX_AGE"]
        if not low <= age <= high:
            raise ValidationError(_l("Age must be between %(low)d and %(high)d years.", low=low, high=high))


def check_attributes(value: dict[str, Any]) -> list[str]:
    """The problems with a customer-supplied ``attributes`` object (empty when fine)."""
    config = current_app.config
    problems = []
    if len(value) > config["PROFILE_ATTRIBUTES_MAX_KEYS"]:
        problems.append(_l("At most %(n)d attributes are allowed.", n=config["PROFILE_ATTRIBUTES_MAX_KEYS"]))
    for key, item in value.items():
        if key in SERVER_MANAGED_ATTRIBUTES:
            problems.append(_l("The attribute “%(key)s” is managed by the server.", key=key))
        elif not key or len(key) > ATTRIBUTE_KEY_MAX_LENGTH:
            problems.append(_l("Attribute names must have 1 to %(n)d characters.", n=ATTRIBUTE_KEY_MAX_LENGTH))
        elif item is not None and not isinstance(item, (str, int, float, bool)):
            problems.append(_l("The attribute “%(key)s” must be a string, number, boolean or null.", key=key))
        elif isinstance(item, str) and len(item) > config["PROFILE_ATTRIBUTE_VALUE_MAX_LENGTH"]:
            problems.append(
                _l(
                    "The attribute “%(key)s” is longer than %(n)d characters.",
                    key=key,
                    n=config["PROFILE_ATTRIBUTE_VALUE_MAX_LENGTH"],
                )
            )
    return [str(p) for p in problems]


# --- fields -----------------------------------------------------------------


class NotNull:
    """A value that was sent may be blank but not JSON ``null``."""

    def __call__(self, form, field):
        if field.raw_data and field.data is None:
            raise StopValidation(_l("This field may not be null."))


class NameField(TextField):
    """A first or last name: trimmed, at most 50 characters, one line."""

    def __init__(self, label=None, validators=None, **kwargs):
        rules = [NotNull(), Length(max=NAME_MAX_LENGTH), NoControlCharacters()]
        super().__init__(label, list(validators or []) + rules, **kwargs)


class PhoneField(TextField):
    """A phone number, stored and answered in E.164; unique among users."""

    def __init__(self, label=None, validators=None, unique: bool = True, **kwargs):
        rules = [ValidPhone()] + ([UniquePhone()] if unique else [])
        kwargs.setdefault("render_kw", {"autocomplete": "tel", "inputmode": "tel"})
        super().__init__(label, list(validators or []) + rules, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data == "":
            self.data = None  # an empty input is no number, never a blank one


class ChoiceOrNullField(SelectField):
    """One of ``choices`` (or null when ``nullable``).

    JSON must send a string (or null); on a page the empty option means null.
    """

    def __init__(self, label=None, validators=None, nullable: bool = True, null_label=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.nullable = nullable
        self.null_label = null_label

    def iter_choices(self):
        choices = list(super().iter_choices())
        if self.nullable:
            # str(): the lazy label is translated once here, not each time the widget reads it.
            label = str(self.null_label) if self.null_label is not None else "—"
            choices.insert(0, Choice(value="", label=label or "—", selected=self.data is None, render_kw={}))
        return choices

    def process_data(self, value):
        self.data = value or None

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        value = valuelist[0]
        if value is None or value == "":
            self.data = None
        elif not isinstance(value, str):
            self.data = None
            raise ValueError(_l("Not a valid string."))
        else:
            self.data = value

    def pre_validate(self, form):
        if self.data is None:
            if not self.nullable:
                raise StopValidation(_l("This field may not be null."))
            return
        if self.data not in [choice.value for choice in self.choices or []]:
            raise StopValidation(_l("“%(value)s” is not a valid choice.", value=self.data))


# Lazy labels, translated when a page shows them; built once, not for every form.
# Capitalised as the style guide writes options (issue 21, defect 12); the JSON face's
# ``genders`` keep the vendor's documented lowercase labels (portal.profile.serializers).
_GENDER_LABELS = {"female": _l("Female"), "male": _l("Male")}
_GENDER_NULL_LABEL = _l("Prefer not to say")


# WTForms only reads its choices, so every form can share these.
_GENDER_CHOICES = tuple(SelectChoice(value, _GENDER_LABELS[value]) for value in GENDERS)


def gender_choices() -> list[SelectChoice]:
    return list(_GENDER_CHOICES)


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in current_app.config["LANGUAGES"].items()]


class GenderField(ChoiceOrNullField):
    """``male``, ``female`` or null."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("null_label", _GENDER_NULL_LABEL)
        super().__init__(label, validators, choices=gender_choices(), **kwargs)


LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?")


def primary_language(tag: str | None) -> str:
    """The language of a tag (``tr`` of ``tr-TR``), lower case."""
    return re.split(r"[-_]", tag or "", maxsplit=1)[0].lower()


class LanguageField(ChoiceOrNullField):
    """A language tag whose language is one of the configured ``LANGUAGES``
    (``tr``, ``tr-tr``, ``en-GB``), kept as sent: the vendor's clients send
    region tags and expect them back. The page's select offers the languages."""

    def __init__(self, label=None, validators=None, **kwargs):
        # The list itself, not the function: WTForms calls a choices callable through
        # inspect.signature whenever a render or a validation reads it.
        super().__init__(label, validators, nullable=False, choices=language_choices(), **kwargs)

    def iter_choices(self):
        choices = super().iter_choices()
        if self.data and not any(choice.selected for choice in choices):
            language = primary_language(self.data)  # a stored ``tr-tr`` selects Türkçe
            choices = [choice._replace(selected=choice.value == language) for choice in choices]
        return choices

    def pre_validate(self, form):
        if self.data is None:
            raise StopValidation(_l("This field may not be null."))
        spoken = {choice.value for choice in self.choices}
        if not LANGUAGE_TAG.fullmatch(self.data) or primary_language(self.data) not in spoken:
            raise StopValidation(_l("“%(value)s” is not a valid choice.", value=self.data))


class BirthDateField(ISODateField):
    """``YYYY-MM-DD``, not in the future, an age within ``PROFILE_MIN_AGE``–``PROFILE_MAX_AGE``."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, list(validators or []) + [AgeRange()], **kwargs)


class AttributesField(Field):
    """A JSON object of scalar values (a JSON string of one on a form post)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        value = valuelist[0]
        if isinstance(value, str) and not from_json(self):
            try:
                value = inputs.loads(value) if value.strip() else {}
            except inputs.JSONInputError as error:
                self.data = None
                raise ValueError(error.errors["non_field_errors"][0]) from None
            except ValueError:
                self.data = None
                raise ValueError(_l("Value must be valid JSON.")) from None
        if not isinstance(value, dict):
            self.data = None
            raise ValueError(_l("Expected a dictionary of items."))
        self.data = value

    def pre_validate(self, form):
        if self.data is not None:
            problems = check_attributes(self.data)
            if problems:
                raise StopValidation(problems[0])


class AvatarField(FileField):
    """PNG, JPEG or WebP, at most ``AVATAR_MAX_BYTES`` and ``AVATAR_MAX_SIDE`` px a side.

    The data is the uploaded bytes once they decoded as an image; JSON ``null``
    (or the page's removal checkbox) asks for no avatar. Storing re-encodes the
    image (see ``portal.profile.avatars``), so nothing but pixels is kept.
    """

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        value = valuelist[0]
        if value is None:
            self.data = None
            return
        if not isinstance(value, FileStorage):
            self.data = None
            raise ValueError(_l("The submitted data was not a file. Check the encoding type on the form."))
        self.data = value.stream.read(current_app.config["AVATAR_MAX_BYTES"] + 1)
        if not self.data:
            self.data = None
            if value.filename:
                raise ValueError(_l("The submitted file is empty."))
            # A file input left empty: nothing was sent (a PATCH keeps the picture).
            self.raw_data = []

    def pre_validate(self, form):
        if self.data is None:
            return
        problem = image_problem(self.data)
        if problem:
            raise StopValidation(problem)


def image_problem(data: bytes) -> str | None:
    """Why these bytes are not an acceptable avatar, or None."""
    config = current_app.config
    if len(data) > config["AVATAR_MAX_BYTES"]:
        return str(_l("The image is larger than %(mb)s MB.", mb=config["AVATAR_MAX_BYTES"] // (1024 * 1024)))
    invalid = str(_l("Upload a valid image. The file you uploaded was either not an image or a corrupted image."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in AVATAR_FORMATS:
                return str(_l("Only PNG, JPEG and WebP images are accepted."))
            side = config["AVATAR_MAX_SIDE"]
            if image.width > side or image.height > side:
                return str(_l("The image must be at most %(side)d pixels on each side.", side=side))
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return invalid
    return None
