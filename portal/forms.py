"""The one form layer both faces use.

A form is built from the request the same way for an HTML post and for a JSON
body (Flask-Security-Too's approach): the fields and validators below are the
field rules of the API and of the pages alike. ``PortalForm.from_request``
handles what only JSON has: non-object bodies, wrong JSON types, and partial
updates (``PATCH`` validates only the fields that were sent).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from flask import request
from flask.globals import _cv_app
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, Field, FieldList, FormField, StringField
from wtforms.fields.core import Flags, Label

from portal import widgets
from portal.errors import FieldErrors
from portal.inputs import text_problem
from portal.templating import request_translations


class JSONMultiDict(MultiDict):
    """Form data that came from a JSON body: values keep their JSON types."""


def json_formdata(payload: Any) -> JSONMultiDict:
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        message = _l("Invalid data. Expected a dictionary, but got %(kind)s.", kind=kind)
        raise FieldErrors({"non_field_errors": [str(message)]})
    # A list of pairs, so that a JSON list stays one value instead of many.
    return JSONMultiDict(list(payload.items()))


class LazyText(LazyString):
    """``lazy_gettext(message)`` translated with the catalogue the templates' ``_()`` uses.

    Why (issue 9): a ``LazyString`` finds Flask-Babel's domain, locale and catalogue
    again each time it is read (~12 us here); a page reads 10 to 20 labels and option
    labels. This one asks ``portal.templating`` for the request's catalogue (kept
    per locale, so ``force_locale()`` still works) and looks the message up: the
    same text, translated at the same moment (when read), in about half the time.
    """

    def __init__(self, message: str):
        super().__init__(_gettext, message)
        # The last catalogue read from and its text, as one tuple: a label is read on every
        # page in the same language mostly, and a catalogue's text for a message never changes.
        self._last = (None, message)

    def __str__(self) -> str:
        # The request's catalogue, remembered for the locale in force (two dict look-ups).
        translations = request_translations()
        last = self._last
        if last[0] is translations:
            return last[1]
        text = translations.ugettext(self._args[0])
        self._last = (translations, text)
        return text

    # As LazyString: the text as translated (what markupsafe's escape() reads, directly).
    __html__ = __str__

    @classmethod
    def of(cls, text: Any) -> Any:
        """``text`` as a ``LazyText`` if it is a plain ``lazy_gettext(message)``; else ``text``."""
        if type(text) is LazyString and text._func is _gettext and len(text._args) == 1 and not text._kwargs:
            return cls(text._args[0])
        return text


class PortalForm(FlaskForm):
    class Meta:
        # CSRF is checked once per request for both faces (portal.security).
        csrf = False

        def wrap_formdata(self, form, formdata):
            if formdata is not _Auto:
                form.is_json = isinstance(formdata, JSONMultiDict)
                return formdata
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                if request.is_json:
                    form.is_json = True
                    return json_formdata(request.get_json())
                if request.files:
                    from werkzeug.datastructures import CombinedMultiDict

                    return CombinedMultiDict((request.files, request.form))
                return request.form
            return None

        # Fields are bound by copying a prototype (see ``_bind_from_prototype``); a form
        # whose fields read the request or the database in ``__init__`` sets this False.
        reuse_bound_fields = True

        def bind_field(self, form, unbound_field, options):
            if self.reuse_bound_fields:
                return _bind_from_prototype(self, form, unbound_field, options)
            return _bind(form, unbound_field, options)

        def render_field(self, field, render_kw):
            # The same tags as WTForms' widgets, without their slow attribute formatting.
            return widgets.render_field(field, render_kw)

    is_json = False

    def __init__(self, formdata=_Auto, obj=None, prefix="", data=None, meta=None, **kwargs):
        """WTForms' ``Form.__init__``, with the bound fields copied from this form's template.

        Why (issue 9): binding goes through ``BaseForm.__init__`` and ``Meta.bind_field``
        once per field (an options dict, a prototype key, a look-up); a page builds four
        forms of a dozen fields. The fields a form class binds, for one prefix and one
        set of translations, are the same each time, so their prototypes are kept per app
        in one list and copied in one pass (``_copy_field``, as ``bind_field`` does). The
        rest is ``Form.__init__`` as written: a meta of its own, the same attributes, then
        ``process()``. A ``meta`` other than a sub-form's ``_parent_form`` and a form that
        binds its own way (``reuse_bound_fields = False``) go through WTForms as before.
        """
        cls = type(self)
        meta_class = cls._wtforms_meta
        if (
            (meta is not None and (type(meta) is not dict or meta.keys() - {"_parent_form"}))
            or meta_class.bind_field is not PortalForm.Meta.bind_field
            or not meta_class.reuse_bound_fields
            or meta_class.csrf
        ):
            super().__init__(formdata=formdata, obj=obj, prefix=prefix, data=data, meta=meta, **kwargs)
            return
        # BaseForm.__init__
        if prefix and prefix[-1] not in "-_;:/.":
            prefix += "-"
        meta_obj = meta_class()
        if meta:
            meta_obj.update_values(meta)
        self.meta = meta_obj
        self._parent_form = getattr(meta_obj, "_parent_form", None)
        self._form_error_key = ""
        self._prefix = prefix
        translations = meta_obj.get_translations(self)
        fields = _bind_from_template(self, meta_obj, prefix, translations)
        self._fields = fields
        self.form_errors = []
        # Form.__init__: the fields as attributes (hiding the class's unbound ones), then process.
        self.__dict__.update(fields)
        self.process(formdata, obj, data=data, **kwargs)

    @classmethod
    def from_request(cls, *, partial: bool = False, **kwargs) -> PortalForm:
        """Build the form from this request; with ``partial``, keep only the fields sent."""
        form = cls(**kwargs)
        if partial:
            sent = form.sent_fields()
            for name in [name for name in form._fields if name not in sent]:
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
            plain_errors(self)
        return valid

    def sent_fields(self) -> set[str]:
        return {name for name, field in self._fields.items() if field.raw_data}

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
        return {name: field.data for name, field in self._fields.items()}

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Put a service's ``FieldErrors`` back onto the form, for the HTML face (as plain text)."""
        for name, messages in errors.items():
            plain = [str(m) for m in messages]
            if name in self._fields and self._fields[name].type != "FieldList":
                self._fields[name].errors = [str(m) for m in self._fields[name].errors] + plain
            else:
                self.form_errors.extend(plain)


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


def _bind(form, unbound_field, options) -> Field:
    """WTForms' own binding (``DefaultMeta.bind_field``), with the label as a ``LazyText``."""
    field = unbound_field.bind(form=form, **options)
    field.label.text = LazyText.of(field.label.text)  # read by the field macros
    return field


# Per app: at most this many prototypes (field × name × prefix × id); emptied when full,
# so that names taken from form data (``attributes-7-``…) cannot grow it without end.
PROTOTYPES_MAX = 2048


def _bind_from_prototype(meta, form, unbound_field, options) -> Field:
    """Bind a field by copying one bound before, instead of running its ``__init__``.

    Why (issue 9): ``Field.__init__`` and the ``__init__``s of our fields (validator
    lists, choices, flags, label) cost ~10 us a field; a page builds a dozen. What
    ``__init__`` makes depends only on the unbound field, its name and prefix, the
    translations and the app (``LanguageField`` reads ``LANGUAGES``), so the first
    binding is kept per app as a prototype (holding no form and no data) and later
    ones copy it. Everything a form may change on its own field is made anew for each
    copy: the flags, the label, ``render_kw`` and the list of choices; the data, raw
    data and errors are set by ``process()`` and ``validate()`` as usual. The shared
    parts (validators, widget, filters) are shared by every form in WTForms already.

    Only for fields whose ``__init__`` reads nothing of the request or the database
    (a form whose fields do sets ``Meta.reuse_bound_fields = False``). A ``FieldList``
    copy starts without entries and a ``FormField`` copy without its sub-form, as a
    freshly bound one does; ``process()`` makes them. A ``FieldList``'s entries are
    bound through this hook too (WTForms 3.3), each copy taking the list's meta.
    """
    cache = meta.__dict__.get("_prototypes")
    if cache is None:
        app_ctx = _cv_app.get(None)  # current_app without its proxy
        if app_ctx is None:
            return _bind(form, unbound_field, options)
        cache = meta._prototypes = app_ctx.app.extensions.setdefault("portal.bound_fields", {})
    if not _PROTOTYPE_OPTIONS.issuperset(options):
        return _bind(form, unbound_field, options)
    # A form's fields get name, prefix and translations; a FieldList's entries get
    # name, id, translations and the list's meta (which each copy takes, below).
    key = (unbound_field, options["name"], options.get("prefix"), options.get("id"), options.get("translations"))
    try:
        prototype = cache.get(key)
    except TypeError:  # translations that cannot be hashed
        return _bind(form, unbound_field, options)
    if prototype is None:
        field = _bind(form, unbound_field, options)
        if len(cache) >= PROTOTYPES_MAX:
            cache.clear()
        cache[key] = _copy_field(field, None, None)
        return field
    return _copy_field(prototype, form, options.get("_meta"))


def _bind_from_template(form: PortalForm, meta, prefix: str, translations) -> OrderedDict:
    """``form``'s fields, copied from the prototypes its class bound before (see
    ``PortalForm.__init__``); the first time, bound one by one as ``BaseForm`` does."""
    cls = type(form)
    unbound_fields = cls._unbound_fields
    app_ctx = _cv_app.get(None)
    cache = app_ctx.app.extensions.setdefault("portal.bound_fields", {}) if app_ctx is not None else None
    key = (cls, prefix, translations)
    template = None
    if cache is not None:
        try:
            template = cache.get(key)
        except TypeError:  # translations that cannot be hashed
            cache = None
    fields = OrderedDict()
    if template is not None and template[0] is unbound_fields:
        for name, prototype in template[1]:
            fields[name] = _copy_field(prototype, form, meta)
        return fields
    for name, unbound_field in unbound_fields:
        options = dict(name=unbound_field.name or name, prefix=prefix, translations=translations)
        fields[name] = meta.bind_field(form, unbound_field, options)
    if cache is not None:
        if len(cache) >= PROTOTYPES_MAX:
            cache.clear()
        cache[key] = (unbound_fields, tuple((name, _copy_field(field, None, None)) for name, field in fields.items()))
    return fields


_PROTOTYPE_OPTIONS = frozenset({"name", "prefix", "translations", "id", "_meta"})


def _copy_field(prototype: Field, form, meta) -> Field:
    field = object.__new__(type(prototype))
    state = field.__dict__
    state.update(prototype.__dict__)
    state["_form"] = form
    state["meta"] = meta if meta is not None else form.meta if form is not None else None
    flags = Flags()
    flags.__dict__.update(prototype.flags.__dict__)
    state["flags"] = flags
    state["label"] = Label(prototype.label.field_id, prototype.label.text)
    if prototype.render_kw is not None:
        state["render_kw"] = dict(prototype.render_kw)
    choices = state.get("_choices")
    if isinstance(choices, (list, dict)):
        state["_choices"] = choices.copy()
    if isinstance(prototype, FieldList):
        state["entries"], state["last_index"] = [], -1  # process() fills them
    elif isinstance(prototype, FormField):
        state["_obj"] = None  # process() makes the sub-form
        state.pop("form", None)
    return field


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
    return bool(getattr(field, "_form", None) is not None and getattr(field._form, "is_json", False))


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
