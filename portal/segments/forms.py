"""Field rules for segments and price lists, shared by the pages and ``flask segments``."""

from __future__ import annotations

import re

from babel.numbers import list_currencies
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal.forms import ISODateField, PortalForm, StrictBooleanField, TextField
from portal.i18n import lazy_gettext as _l
from portal.segments.models import (
    RULE_ATTRIBUTE_EQUALS,
    RULE_EMAIL_DOMAIN,
    RULE_EVERYONE,
    RULE_LABELS,
    normalise_domain,
)

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


class ChooseSegmentForm(PortalForm):
    """The customer's choice. Which ids are allowed is the service's decision,
    so a tampered choice gets the same refusal as the API."""

    segment = RadioField(_l("Segment"), [DataRequired(message=_l("Choose a segment."))], validate_choice=False)


def iso_currency(form, field) -> None:
    if field.data and field.data.upper() not in list_currencies():
        raise ValidationError(_l("Not an ISO 4217 currency code."))


class PriceListForm(PortalForm):
    name = TextField(_l("Name"), [DataRequired(), Length(max=100)])
    code = TextField(
        _l("Code"),
        [
            DataRequired(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dots, dashes and underscores only.")),
        ],
    )
    currency = TextField(
        _l("Currency"),
        [DataRequired(), Length(min=3, max=3), iso_currency],
        description=_l("The ISO 4217 code, for example TRY, EUR or USD."),
    )
    is_default = StrictBooleanField(_l("The shop's default price list"))

    def service_fields(self) -> dict:
        """The cleaned values, named as ``save_price_list`` takes them."""
        return {
            "name": self.name.data,
            "code": self.code.data,
            "currency": self.currency.data,
            "is_default": bool(self.is_default.data),
        }


class MemberEmailsField(TextAreaField):
    """Email addresses separated by new lines, commas or spaces; ``data`` is a list."""

    def process_formdata(self, valuelist):
        if valuelist:
            raw = valuelist[0] if isinstance(valuelist[0], str) else ""
            self.data = [e.lower() for e in _EMAIL_SEPARATORS.split(raw) if e]

    def _value(self) -> str:
        return "\n".join(self.data or [])

    def pre_validate(self, form) -> None:
        bad = [e for e in self.data or [] if e.count("@") != 1 or len(e) > 254]
        if bad:
            raise ValidationError(_l("Not an email address: %(emails)s", emails=", ".join(bad)))


class SegmentForm(PortalForm):
    name = TextField(_l("Name"), [DataRequired(), Length(max=100)])
    priority = IntegerField(
        _l("Priority"),
        [InputRequired(), NumberRange(min=0, max=1_000_000)],
        description=_l("A lower number wins when a customer has not chosen a segment."),
        default=0,
    )
    is_active = StrictBooleanField(_l("Active"), default=True)
    starts_on = ISODateField(_l("Available from"), [Optional()], description=_l("Leave empty for no start date."))
    ends_on = ISODateField(_l("Available until"), [Optional()], description=_l("Inclusive. Leave empty for no end."))
    price_list = SelectField(_l("Price list"), choices=[])
    rule = SelectField(
        _l("Available to"),
        choices=[SelectChoice(key, label) for key, label in RULE_LABELS.items()],
        default=RULE_EVERYONE,
    )
    # Only attributes customers cannot write (portal.profile.protection): see set_attribute_choices.
    rule_attribute = SelectField(
        _l("Attribute"),
        choices=[],
        description=_l("For the attribute rule: the profile attribute's name."),
        validate_choice=False,  # read only for the attribute rule: validate_rule_attribute
    )
    rule_value = TextField(
        _l("Value"),
        [Length(max=255)],
        description=_l("The email domain (example.com), or the attribute's value (true, false, numbers and text)."),
    )
    members = MemberEmailsField(
        _l("Members"), description=_l("For the members rule: email addresses of the members, one per line.")
    )

    def set_price_lists(self, price_lists, default_label) -> None:
        """The choices of ``price_list``: the shop default ("") and every price list by id."""
        self.price_list.choices = [SelectChoice("", default_label)] + [
            SelectChoice(str(pl.id), f"{pl.name} ({pl.code}, {pl.currency.upper()})") for pl in price_lists
        ]

    def set_attribute_choices(self, names, empty_label) -> None:
        """The choices of ``rule_attribute``: the protected attributes only, which customers
        cannot write (issue 17); anything else a customer could set to join the segment."""
        self.rule_attribute.choices = [SelectChoice("", empty_label)] + [
            SelectChoice(name, name) for name in sorted(names)
        ]

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must not be before the start date."))

    def validate_rule_attribute(self, field) -> None:
        if self.rule.data != RULE_ATTRIBUTE_EQUALS:
            return
        if not field.data:
            raise ValidationError(_l("The attribute rule needs the attribute's name."))
        if field.data not in [choice.value for choice in field.choices or []]:
            raise ValidationError(_l("Not a valid choice."))

    def validate_rule_value(self, field) -> None:
        if self.rule.data == RULE_EMAIL_DOMAIN:
            if not field.data or not _DOMAIN.match(normalise_domain(field.data)):
                raise ValidationError(_l("Enter an email domain such as example.com."))
        elif self.rule.data == RULE_ATTRIBUTE_EQUALS and (field.data is None or field.data == ""):
            raise ValidationError(_l("The attribute rule needs the value to compare with."))

    def service_fields(self) -> dict:
        """The cleaned values, named as ``create_segment``/``update_segment`` take them."""
        return {
            "name": self.name.data,
            "priority": self.priority.data,
            "is_active": bool(self.is_active.data),
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "price_list_id": int(self.price_list.data) if self.price_list.data else None,
            "rule": self.rule.data,
            "rule_attribute": self.rule_attribute.data,
            "rule_value": self.rule_value.data,
            "member_emails": list(self.members.data or []),
        }
