"""The one form layer both faces use.

A form is built from the request the same way for an HTML post and for a JSON
body (Flask-Security-Too's approach): the fields and validators below are the
field rules of the API and of the pages alike. ``PortalForm.from_request``
handles what only JSON has: non-object bodies, wrong JSON types, and partial
updates (``PATCH`` validates only the fields that were sent).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import BooleanField, DateField, Field, StringField

from portal import widgets
from portal.errors import FieldErrors
from portal.i18n import lazy_gettext as _l


class JSONMultiDict(MultiDict):
    """Form data that came from a JSON body: values keep their JSON types."""


def json_formdata(payload: Any) -> JSONMultiDict:
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        message = _l("Invalid data. Expected a dictionary, but got %(kind)s.", kind=kind)
        raise FieldErrors({"non_field_errors": [str(message)]})
    # A list of pairs, so that a JSON list stays one value instead of many.
    return JSONMultiDict(list(payload.items()))


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
        meta = dict(kwargs.pop("meta", None) or {}, is_json=isinstance(formdata, JSONMultiDict))
        super().__init__(formdata=formdata, meta=meta, **kwargs)

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
        """Put a service's ``FieldErrors`` back onto the form, for the HTML face."""
        for name, messages in errors.items():
            if name in self and self[name].type != "FieldList":
                self[name].errors = list(self[name].errors) + list(messages)
            else:
                self.form_errors.extend(messages)


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


class StrictBooleanField(BooleanField):
    """A checkbox on the pages; a JSON boolean (nothing else) in the API."""

    def process_formdata(self, valuelist):
        if not valuelist:
            self.data = False
            return
        value = valuelist[0]
        if from_json(self):
            if not isinstance(value, bool):
                self.data = None
                raise ValueError(_l("Must be a valid boolean."))
            self.data = value
        else:
            self.data = value not in self.false_values


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
        if not isinstance(value, str):
            self.data = None
            raise ValueError(_l("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."))
        try:
            super().process_formdata([value.strip()])
        except ValueError:
            raise ValueError(_l("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")) from None
