"""The one form layer both faces use.

A form is built from the request the same way for an HTML post and for a JSON
body (Flask-Security-Too's approach): the fields and validators below are the
field rules of the API and of the pages alike. ``PortalForm.from_request``
handles what only JSON has: non-object bodies, wrong JSON types, and partial
updates (``PATCH`` validates only the fields that were sent).
"""

from __future__ import annotations

import re
from typing import Any

from flask import has_request_context, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import BooleanField, DateField, Field, FieldList, FormField, StringField
from wtforms.validators import DataRequired, InputRequired

from portal import stale_forms, widgets
from portal.errors import FieldErrors
from portal.i18n import lazy_gettext as _l
from portal.inputs import text_problem


class JSONMultiDict(MultiDict):
    """Form data that came from a JSON body: values keep their JSON types."""


def json_formdata(payload: Any) -> JSONMultiDict:
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        message = _l("Invalid data. Expected a dictionary, but got %(kind)s.", kind=kind)
        raise FieldErrors({"non_field_errors": [str(message)]})
    # A list of pairs, so that a JSON list stays one value instead of many.
    return JSONMultiDict(list(payload.items()))


# One wording per message (issue 21, defect 12): every email field, both faces.
VALID_EMAIL = _l("Enter a valid email address.")

# What a page says when a required field is left empty: the field by name (issue 21,
# defect 12), by the fields' names shared across the forms (the API's). The JSON face
# keeps "This field is required.", the vendor's documented message (docs/api.md).
REQUIRED_MESSAGES = {
    "first_name": _l("Enter your first name."),
    "last_name": _l("Enter your last name."),
    "email": _l("Enter your email address."),
    "emailConfirm": _l("Enter your new email address again."),
    "password": _l("Enter your password."),
    "current_password": _l("Enter your current password."),
    "old_password": _l("Enter your current password."),
    "new_password": _l("Enter a new password."),
    "new_password1": _l("Enter a new password."),
    "new_password2": _l("Enter the new password again."),
    "phone": _l("Enter your phone number."),
    "date_of_birth": _l("Enter your date of birth."),
}

# Each field class's widget and its faster copy (a handful: one per widget class in use).
_FASTER_WIDGETS: dict[Any, Any] = {}

# ``PortalForm()`` without formdata: read the request (a sentinel, since None means "no data").
REQUEST = object()


def _request_formdata() -> MultiDict | None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if request.is_json:
        return json_formdata(request.get_json())
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    return request.form


class PortalForm(FlaskForm):
    class Meta:
        # CSRF is checked once per request for both faces (portal.security).
        csrf = False
        # Whether the data came as a JSON body (set by ``PortalForm.__init__``); fields
        # read it through ``field.meta`` (``from_json``).
        is_json = False

        def bind_field(self, form, unbound_field, options):
            # A field without a widget of its own gets its class's widget with the faster
            # html_params (portal.widgets); WTForms binds it as usual.
            if "widget" not in unbound_field.kwargs:
                default = getattr(unbound_field.field_class, "widget", None)
                widget = _FASTER_WIDGETS.get(default)
                if widget is None:
                    widget = _FASTER_WIDGETS[default] = widgets.faster(default)
                if widget is not default:
                    options = {**options, "widget": widget}
            return super().bind_field(form, unbound_field, options)

    def __init__(self, formdata: Any = REQUEST, **kwargs: Any) -> None:
        """Without ``formdata``, the request's: a JSON body (any method that sends one), the
        files and form of a POST, PUT, PATCH or DELETE, else nothing."""
        if formdata is REQUEST:
            formdata = _request_formdata()
        from_page = formdata is None and has_request_context() and request.method == "GET"
        meta = dict(kwargs.pop("meta", None) or {}, is_json=isinstance(formdata, JSONMultiDict))
        super().__init__(formdata=formdata, meta=meta, **kwargs)
        if from_page:
            # What was typed into this page's form before it went stale (portal.stale_forms).
            stale_forms.restore(self, obj=kwargs.get("obj"), data=kwargs.get("data"))

    @property
    def is_json(self) -> bool:
        return self.meta.is_json

    @classmethod
    def from_request(cls, *, partial: bool = False, **kwargs) -> PortalForm:
        """Build the form from this request; with ``partial``, keep only the fields sent."""
        form = cls(**kwargs)
        if partial:
            sent = form.sent_fields()
            for name in [field.short_name for field in form if field.short_name not in sent]:
                del form[name]
        return form

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if field.process_errors:
                # A value of the wrong type: say that alone (DataRequired would overwrite it).
                field.errors = list(field.process_errors)
                valid = False
            elif field.raw_data and not field.errors and not isinstance(field, FormField):
                # NUL characters and lone surrogates, in any string sent (portal.inputs), when
                # the field's own rules found nothing (names say "control characters" already):
                # refused before a service or the database ever sees them.
                problem = text_problem(field.raw_data)
                if problem is not None:
                    field.errors = [problem]
                    valid = False
        if not valid:
            if not self.is_json:
                name_required_fields(self)
            plain_errors(self)
        return valid

    def sent_fields(self) -> set[str]:
        return {field.short_name for field in self if field.raw_data}

    def error_dict(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for name, messages in self.errors.items():
            if name is None:
                errors.setdefault("non_field_errors", []).extend(str(m) for m in messages)
            else:
                errors[name] = [str(m) for m in _flatten(messages)]
        return errors

    def validate_or_raise(self) -> dict[str, Any]:
        """Validate, raise ``FieldErrors`` (400) or return the cleaned data."""
        if not self.validate():
            raise FieldErrors(self.error_dict())
        return {field.short_name: field.data for field in self}

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Put a service's ``FieldErrors`` back onto the form, for the HTML face (as plain text)."""
        for name, messages in errors.items():
            plain = [str(m) for m in messages]
            if name in self and self[name].type != "FieldList":
                self[name].errors = [str(m) for m in self[name].errors] + plain
            else:
                self.form_errors.extend(plain)


def name_required_fields(form) -> None:
    """On the pages, a required field left empty says which field (``REQUIRED_MESSAGES``)."""
    for field in form:
        message = REQUIRED_MESSAGES.get(field.short_name)
        if message is None or not field.errors:
            continue
        if not any(isinstance(rule, DataRequired | InputRequired) for rule in field.validators):
            continue
        sent = [value for value in (field.raw_data or []) if isinstance(value, str) and value.strip()]
        if not sent:
            field.errors = [str(message)]


def plain_errors(form) -> None:
    """Make every error message of ``form`` (and of its sub-forms) a plain ``str``.

    Why (issue 17): a lazy message is markup to Jinja (Flask-Babel's ``LazyString``
    has ``__html__``), so one that quotes the submitted value (``“%(value)s” is not
    a valid choice.``) would put what was typed into the page unescaped. A plain
    string is escaped like any other text. The lists are changed in place: a
    ``FieldList``'s and a ``FormField``'s errors refer to them.
    """
    for field in form:
        if isinstance(field, FormField):
            plain_errors(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    plain_errors(entry.form)
                elif isinstance(entry.errors, list):
                    entry.errors[:] = [str(m) for m in entry.errors]
        elif isinstance(field.errors, list):
            field.errors[:] = [str(m) for m in field.errors]
        elif isinstance(field.errors, tuple):
            field.errors = [str(m) for m in field.errors]
    form.form_errors[:] = [str(m) for m in form.form_errors]


def _flatten(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flatten(value)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _flatten(value)
    else:
        yield messages


def from_json(field: Field) -> bool:
    return bool(getattr(field.meta, "is_json", False))


class TextField(StringField):
    """A string, trimmed unless ``strip=False``. JSON must send a string (or null)."""

    def __init__(self, label=None, validators=None, strip: bool = True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.strip = strip

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        value = valuelist[0]
        if value is None:
            self.data = None
            return
        if not isinstance(value, str):
            self.data = None
            raise ValueError(_l("Not a valid string."))
        self.data = value.strip() if self.strip else value


# What the vendor's REST framework accepts for a boolean (any case), and nothing else.
TRUE_TEXTS = frozenset({"true", "1", "yes", "on"})
FALSE_TEXTS = frozenset({"false", "0", "no", "off"})


def parse_boolean(value: Any) -> bool | None:
    """``true``/``false``, ``1``/``0`` and the strings ``"true"``, ``"false"``, ``"1"``,
    ``"0"``, ``"yes"``, ``"no"``, ``"on"``, ``"off"`` (any case); None for anything else."""
    if isinstance(value, bool):
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
    return None


class StrictBooleanField(BooleanField):
    """A checkbox on the pages; in the API one of the values ``parse_boolean`` knows.

    A page's checkbox sends its own value (``y``) when ticked and nothing when not;
    any other value is read as the API reads it.
    """

    def process_formdata(self, valuelist):
        if not valuelist:
            self.data = False
            return
        value = valuelist[0]
        if not from_json(self) and value in ("", "y"):
            self.data = value == "y"
            return
        parsed = parse_boolean(value)
        if parsed is None:
            self.data = None
            raise ValueError(_l("Must be a valid boolean."))
        self.data = parsed


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class ISODateField(DateField):
    """``YYYY-MM-DD``; a wrong JSON type is a field error, never a crash."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        value = valuelist[0]
        if value is None or value == "":
            self.data = None
            return
        # ASCII digits only: strptime's %Y reads any Unicode digit ("１９９０"), and
        # accepts "1990-1-2"; a date means one spelling everywhere.
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value.strip()):
            self.data = None
            raise ValueError(_l("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."))
        try:
            super().process_formdata([value.strip()])
        except ValueError:
            raise ValueError(_l("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")) from None
