"""Sign-up forms. The profile fields and their rules come from
``portal.profile.fields`` (one set for every face); this adds email, password
and the registration switches."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from portal.accounts.forms import SecretField
from portal.accounts.password_rules import NewPassword
from portal.accounts.services import user_by_email
from portal.forms import VALID_EMAIL, PortalForm, StrictBooleanField, TextField
from portal.i18n import lazy_gettext as _l
from portal.profile.fields import (
    AttributesField,
    BirthDateField,
    GenderField,
    LanguageField,
    NameField,
    PhoneField,
)
from portal.signup.services import POLICY_FIELDS

REQUIRED = _l("This field is required.")
NOT_DETAILS = ("password", "code", "resend", "add_loyalty")


def normalise_new_email(raw: str) -> str:
    """email-validator's normal form (no DNS lookups), lower-cased like every stored email."""
    return validate_email(raw, check_deliverability=False).normalized.lower()


class NewEmail:
    """A valid address, normalised; no account may have it yet."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalise_new_email(field.data)
        except EmailNotValidError:
            raise StopValidation(VALID_EMAIL) from None
        if user_by_email(field.data) is not None:
            form.email_taken = True  # the page offers "log in instead" and "forgot your password?"
            raise ValidationError(_l("A user with this email address already exists."))


def _default_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class RegisterDetailsForm(PortalForm):
    """Every field of ``POST /users/register-with-loyalty/`` except the code step's."""

    email_taken = False  # set by NewEmail when an account has the address

    first_name = NameField(_l("First name"), [DataRequired(REQUIRED)], render_kw={"autocomplete": "given-name"})
    last_name = NameField(_l("Last name"), [DataRequired(REQUIRED)], render_kw={"autocomplete": "family-name"})
    email = TextField(
        _l("Email"), [DataRequired(REQUIRED), Length(max=254), NewEmail()], render_kw={"autocomplete": "email"}
    )
    password = SecretField(
        _l("Password"),
        [DataRequired(REQUIRED), NewPassword()],
        render_kw={"autocomplete": "new-password"},
    )
    phone = PhoneField(_l("Mobile phone"), [DataRequired(REQUIRED)])
    date_of_birth = BirthDateField(_l("Date of birth"), [DataRequired(REQUIRED)], render_kw={"autocomplete": "bday"})
    gender = GenderField(_l("Gender"))
    language_code = LanguageField(_l("Language"), default=_default_language)
    email_allowed = StrictBooleanField(_l("Send me offers and news by email."))
    sms_allowed = StrictBooleanField(_l("Send me offers and news by SMS."))
    call_allowed = StrictBooleanField(_l("Call me about offers and campaigns."))
    attributes = AttributesField(_l("Attributes"))
    # The storefront's policy boxes, recorded in ``attributes`` when sent (the pages have none).
    confirm = StrictBooleanField(_l("I accept the membership agreement."))
    kvkk_confirm = StrictBooleanField(_l("I have read the KVKK notice."))
    add_loyalty = StrictBooleanField(_l("Create my loyalty card"))

    def details(self) -> dict:
        """The cleaned registration data, without the password and the card wish."""
        sent = self.sent_fields()
        return {
            name: field.data
            for name, field in self._fields.items()
            if name not in NOT_DETAILS and (name not in POLICY_FIELDS or name in sent)
        }

    @property
    def loyalty_card(self) -> bool:
        """Whether a card was asked for (the page has no box while the loyalty service is off)."""
        return "add_loyalty" in self and bool(self.add_loyalty.data)


class RegisterForm(RegisterDetailsForm):
    """The JSON face: the details plus the code step's ``code`` and ``resend``."""

    code = TextField(_l("Code"), [Length(max=16)])
    resend = StrictBooleanField(_l("Resend"))
