"""PortalForm's fields render with ``portal.widgets`` (WTForms' input widgets with a
faster ``html_params``). These tests hold them to WTForms' own widgets for every
stock field: the same elements and attributes, and the same string, for tricky
values (quotes, ampersands, ``<``), flags from validators, the field's
``render_kw`` and the keywords the macros pass."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup
from wtforms import (
    DateField,
    FileField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput, PasswordInput

from portal.forms import PortalForm, StrictBooleanField, TextField
from portal.profile.fields import GenderField, LanguageField

TRICKY = "He said \"hi\" & <b>bye</b> 'twice'"


class Everything(PortalForm):
    name = TextField(
        "Name <&>",
        [DataRequired(), Length(min=2, max=50)],
        render_kw={"autocomplete": "given-name", "class": "from-render-kw", "data_hint": Markup('a"b')},
    )
    optional_text = TextField("Optional", [Length(max=10)])
    secret = PasswordField("Password", [InputRequired(), Length(min=8)])
    shown_secret = PasswordField("Shown", widget=PasswordInput(hide_value=False))
    agree = StrictBooleanField("Agree", [DataRequired()])
    maybe = StrictBooleanField("Maybe")
    colour = SelectField(
        "Colour",
        choices=[
            SelectChoice("r", "Red & <b>"),
            SelectChoice("g", 'Green "quoted"', render_kw={"data_tone": "leaf", "disabled": True}),
            SelectChoice("b", ""),
        ],
        render_kw={"autocomplete": "off"},
    )
    gender = GenderField("Gender")
    chosen_gender = GenderField("Gender")
    language = LanguageField("Language")
    odd = SelectField(
        "Odd values", choices=[SelectChoice('a"&<b>', "Tricky"), SelectChoice(" ", ""), SelectChoice("", "Empty")]
    )
    must_pick = SelectField(
        "Must pick", [DataRequired()], choices=[SelectChoice("y", "Yes"), SelectChoice("n", "No & <no>")]
    )
    numbered = SelectField("Numbered", coerce=int, choices=[SelectChoice(1, "One"), SelectChoice(2, "Two")])
    many = SelectMultipleField(
        "Many", choices=[SelectChoice("a", "A"), SelectChoice("b", "B"), SelectChoice("c", "C & D")]
    )
    grouped = SelectField("Grouped", choices=[SelectChoice("x", "X", optgroup="One"), SelectChoice("y", "Y")])
    notes = TextAreaField("Notes", [Length(max=500)])
    born = DateField("Born", [InputRequired()])
    count = IntegerField("Count", [NumberRange(min=1, max=9)], widget=NumberInput(step=2))
    upload = FileField("Upload", render_kw={"accept": "image/png"})
    uploads = MultipleFileField("Uploads")
    token = HiddenField()
    send = SubmitField("Send <now>")
    pick = RadioField("Pick", choices=[SelectChoice("1", "One"), SelectChoice("2", "Two & <2>")])
    ticks = SelectMultipleField(
        "Ticks",
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


DATA = {
    "name": TRICKY,
    "optional_text": None,
    "secret": "not shown",
    "shown_secret": 'pa"ss&<',
    "agree": True,
    "maybe": False,
    "colour": "g",
    "gender": None,
    "chosen_gender": "male",
    "language": "tr",
    "odd": 'a"&<b>',
    "must_pick": "n",
    "numbered": 2,
    "many": ["a", "c"],
    "grouped": "y",
    "notes": "line one\n<script>&amp;</script>",
    "born": date(1990, 2, 3),
    "count": 4,
    "token": 'x"y',
    "pick": "2",
    "ticks": ["b"],
}

# The keyword sets the macros in templates/_macros.html pass.
CALLS = [
    {},
    {"class_": "field__input", "aria_describedby": "name-help name-error", "aria_invalid": "true"},
    {"class_": "field__input", "aria_describedby": False, "aria_invalid": False},
    {"class_": "toggle__input", "role": "switch", "type": "tel", "autocomplete": "one-time-code", "maxlength": 6},
    {"required": False, "value": 'given "value" & <more>', "data_x_y": 1, "id": "other-id"},
]


@pytest.fixture
def form(app):
    with app.test_request_context():
        yield Everything(formdata=None, data=DATA)


def stock_widget(widget):
    """The WTForms widget ``portal.widgets`` derived ``widget`` from, with the same settings."""
    from wtforms.widgets import Select

    from portal import widgets

    if type(widget) is widgets.Select:
        return Select(multiple=widget.multiple)
    stock = next(cls for cls in type(widget).__mro__ if cls.__module__.startswith("wtforms."))
    copy = stock.__new__(stock)
    copy.__dict__.update(vars(widget))
    return copy


def library(field, **kwargs):
    """What WTForms itself renders for this field, with its own widget."""
    ours = field.widget
    field.widget = stock_widget(ours)
    try:
        return DefaultMeta().render_field(field, kwargs)
    finally:
        field.widget = ours


def test_input_fields_get_the_faster_widgets(form):
    assert type(form.name.widget).__module__ == "portal.widgets"
    assert type(form.secret.widget).__module__ == "portal.widgets"
    assert type(form.token.widget).__module__ == "portal.widgets"
    assert type(form.colour.widget).__module__ == "portal.widgets"
    assert form.many.widget.multiple is True
    assert form.shown_secret.widget.hide_value is False  # a widget the form names is its own
    assert type(form.shown_secret.widget).__module__ == "wtforms.widgets.core"


def elements(html) -> list[tuple[str, dict, str]]:
    soup = BeautifulSoup(str(html), "html.parser")
    return [(el.name, el.attrs, el.get_text()) for el in soup.find_all(True)]


def all_fields(form):
    for field in form:
        yield field
        if field.type in ("RadioField", "SelectMultipleField"):
            yield from field  # the options, each rendered by itself


@pytest.mark.parametrize("call", CALLS, ids=range(len(CALLS)))
def test_every_field_renders_as_wtforms_does(form, call):
    for field in all_fields(form):
        ours = field(**call)
        theirs = library(field, **call)
        assert elements(ours) == elements(theirs), field.name
        assert str(ours) == str(theirs), field.name


def test_the_values_are_escaped_and_the_flags_rendered(form):
    box = BeautifulSoup(str(form.name(class_="field__input")), "html.parser").input
    assert box["value"] == TRICKY
    assert box["id"] == "name"
    assert box["name"] == "name"
    assert box["type"] == "text"
    assert box["class"] == ["field__input"]  # the call's class wins over render_kw's
    assert box["autocomplete"] == "given-name"
    assert box["data-hint"] == 'a"b'
    assert box.has_attr("required")
    assert box["maxlength"] == "50"
    assert box["minlength"] == "2"
    assert not BeautifulSoup(str(form.name(required=False)), "html.parser").input.has_attr("required")

    optional = BeautifulSoup(str(form.optional_text()), "html.parser").input
    assert optional["value"] == ""
    assert not optional.has_attr("required")


def test_aria_keywords_become_hyphenated_and_false_ones_vanish(form):
    box = BeautifulSoup(
        str(form.name(aria_describedby="name-help name-error", aria_invalid="true")), "html.parser"
    ).input
    assert box["aria-describedby"] == "name-help name-error"
    assert box["aria-invalid"] == "true"
    plain = BeautifulSoup(str(form.name(aria_describedby=False, aria_invalid=False)), "html.parser").input
    assert not plain.has_attr("aria-describedby")
    assert not plain.has_attr("aria-invalid")


def test_select_marks_the_chosen_option(form):
    select = BeautifulSoup(str(form.colour()), "html.parser").find("select")
    assert select["name"] == "colour"
    assert select["autocomplete"] == "off"
    options = select.find_all("option")
    assert [o["value"] for o in options] == ["r", "g", "b"]
    assert [o.get_text() for o in options] == ["Red & <b>", 'Green "quoted"', "b"]
    assert [o.has_attr("selected") for o in options] == [False, True, False]
    assert options[1]["data-tone"] == "leaf"
    assert options[1].has_attr("disabled")

    nullable = BeautifulSoup(str(form.gender()), "html.parser").find("select").find_all("option")
    assert nullable[0]["value"] == ""
    assert nullable[0].has_attr("selected")

    many = BeautifulSoup(str(form.many()), "html.parser").find("select")
    assert many.has_attr("multiple")
    assert [o["value"] for o in many.find_all("option") if o.has_attr("selected")] == ["a", "c"]


def test_checkboxes_radios_files_and_the_rest(form):
    agree = BeautifulSoup(str(form.agree()), "html.parser").input
    assert agree["type"] == "checkbox"
    assert agree.has_attr("checked")
    assert agree.has_attr("required")
    assert agree["value"] == "y"
    assert not BeautifulSoup(str(form.maybe()), "html.parser").input.has_attr("checked")

    radios = [BeautifulSoup(str(option()), "html.parser").input for option in form.pick]
    assert [(r["id"], r["name"], r["value"], r.has_attr("checked")) for r in radios] == [
        ("pick-0", "pick", "1", False),
        ("pick-1", "pick", "2", True),
    ]

    secret = BeautifulSoup(str(form.secret()), "html.parser").input
    assert (secret["type"], secret["value"], secret.has_attr("required"), secret["minlength"]) == (
        "password",
        "",
        True,
        "8",
    )
    assert BeautifulSoup(str(form.shown_secret()), "html.parser").input["value"] == 'pa"ss&<'

    upload = BeautifulSoup(str(form.upload()), "html.parser").input
    assert (upload["type"], upload["accept"], upload.has_attr("value")) == ("file", "image/png", False)
    assert BeautifulSoup(str(form.uploads()), "html.parser").input.has_attr("multiple")

    notes = BeautifulSoup(str(form.notes()), "html.parser").textarea
    # WTForms starts the content with a newline, which browsers drop (the parser here keeps it).
    assert notes.get_text() == "\r\nline one\n<script>&amp;</script>"
    assert notes["maxlength"] == "500"

    born = BeautifulSoup(str(form.born()), "html.parser").input
    assert (born["type"], born["value"], born.has_attr("required")) == ("date", "1990-02-03", True)

    count = BeautifulSoup(str(form.count()), "html.parser").input
    assert (count["type"], count["value"], count["step"], count["min"], count["max"]) == ("number", "4", "2", "1", "9")

    token = BeautifulSoup(str(form.token()), "html.parser").input
    assert (token["type"], token["value"]) == ("hidden", 'x"y')

    send = BeautifulSoup(str(form.send()), "html.parser").input
    assert (send["type"], send["value"]) == ("submit", "Send <now>")
