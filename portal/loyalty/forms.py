"""``PATCH /users/profile-with-loyalty/``: the profile's form, with phone and date of birth required;
``GET /account/loyalty/``: the page asked for."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import DataRequired, NumberRange, Optional

from portal.errors import FieldErrors
from portal.forms import PortalForm
from portal.i18n import lazy_gettext as _l
from portal.loyalty.card import MAX_PAGE_SIZE
from portal.profile.fields import BirthDateField, PhoneField
from portal.profile.forms import ProfileForm

REQUIRED = _l("This field is required.")


class LoyaltyProfileForm(ProfileForm):
    """``PATCH /users/profile-with-loyalty/``: the profile's fields; phone and date of birth required."""

    phone = PhoneField(_l("Mobile phone"), [DataRequired(REQUIRED)])
    date_of_birth = BirthDateField(_l("Date of birth"), [DataRequired(REQUIRED)])

    REQUIRED_FIELDS = ("phone", "date_of_birth")

    def validate_or_raise(self) -> dict:
        """As every form's, and the required fields must be sent (a partial form drops the others)."""
        errors = {} if self.validate() else self.error_dict()
        for name in self.REQUIRED_FIELDS:
            if name not in self:
                errors.setdefault(name, [str(REQUIRED)])
        if errors:
            raise FieldErrors(errors)
        return {name: field.data for name, field in self._fields.items()}


class TransactionPageForm(PortalForm):
    """``GET /account/loyalty/?page=&limit=``, read from the query string (DRF's page and page size)."""

    page = IntegerField(_l("Page"), [Optional(), NumberRange(min=1, max=1_000_000)])
    limit = IntegerField(_l("Page size"), [Optional(), NumberRange(min=1, max=MAX_PAGE_SIZE)])
