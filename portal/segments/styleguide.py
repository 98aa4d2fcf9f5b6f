"""Style guide entries for the customer's segment choice and the management pages."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.segments.forms import ChooseSegmentForm, PriceListForm, SegmentForm
from portal.segments.models import (
    RULE_ATTRIBUTE_EQUALS,
    RULE_EMAIL_DOMAIN,
    RULE_EVERYONE,
    RULE_MEMBERS,
    PriceList,
    Segment,
)
from portal.segments.services import PriceListInfo, SegmentInfo, SegmentOverview
from portal.styleguide import entry, fixtures

STANDARD = PriceListInfo(1, "Standard", "STD", "try")
GOLD = PriceListInfo(2, "Gold", "GOLD", "eur")
OFFERED = [
    SegmentInfo(1, "Everyone", 10, STANDARD, True),
    SegmentInfo(2, "Gold members", 1, GOLD, False),
    SegmentInfo(3, "Staff", 5, None, True),
]


def _admin():
    return fixtures.customer(id=9, email="admin@example.com", first_name="Deniz", last_name="Arslan", role="admin")


# --- the customer's choice -----------------------------------------------------------------


@entry("segments/choose.html", "segment list with current", logged_in=True, note="The current segment carries a badge.")
def choose_current():
    return {"form": ChooseSegmentForm(formdata=None), "overview": SegmentOverview(OFFERED, OFFERED[1])}


@entry("segments/choose.html", "no segments", logged_in=True)
def choose_none():
    return {"form": ChooseSegmentForm(formdata=None), "overview": SegmentOverview([], None)}


@entry("segments/choose.html", "field errors", logged_in=True, note="A choice the service refused (406).")
def choose_refused():
    form = ChooseSegmentForm(formdata=None)
    form.segment.errors = [_("Segment with ID %(id)s is not available for user %(user_id)s.", id=7, user_id=1)]
    return {"form": form, "overview": SegmentOverview(OFFERED, OFFERED[0])}


@entry("segments/choose.html", "as an admin", note="Admins also get the link to the management pages.")
def choose_admin():
    return {**choose_current(), "current_user": _admin()}


# --- management -------------------------------------------------------------------------------


def price_lists() -> list[PriceList]:
    return [
        PriceList(id=1, name="Standard", code="STD", currency="try", is_default=True),
        PriceList(id=2, name="Gold", code="GOLD", currency="eur", is_default=False),
    ]


def segments() -> list[Segment]:
    standard, gold = price_lists()
    return [
        Segment(
            id=2,
            name="Gold members",
            priority=1,
            is_active=True,
            rule=RULE_MEMBERS,
            price_list=gold,
            members=[fixtures.customer(), fixtures.customer(id=5, email="can@example.com")],
        ),
        Segment(
            id=3,
            name="Staff",
            priority=5,
            is_active=True,
            rule=RULE_EMAIL_DOMAIN,
            rule_value="example.com",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            price_list=None,
            members=[],
        ),
        Segment(
            id=4,
            name="Students",
            priority=7,
            is_active=False,
            rule=RULE_ATTRIBUTE_EQUALS,
            rule_attribute="student",
            rule_value="true",
            price_list=None,
            members=[],
        ),
        Segment(
            id=1, name="Everyone", priority=10, is_active=True, rule=RULE_EVERYONE, price_list=standard, members=[]
        ),
    ]


@entry("segments/admin_segments.html", "list", logged_in=True, note="Every kind of rule, dates, default price list.")
def admin_segments_list():
    return {"current_user": _admin(), "segments": segments(), "default_price_list": price_lists()[0]}


@entry("segments/admin_segments.html", "no segments", logged_in=True)
def admin_segments_empty():
    return {"current_user": _admin(), "segments": [], "default_price_list": None}


@entry("segments/admin_price_lists.html", "list", logged_in=True)
def admin_price_lists_list():
    return {"current_user": _admin(), "price_lists": price_lists()}


@entry("segments/admin_price_lists.html", "empty", logged_in=True)
def admin_price_lists_empty():
    return {"current_user": _admin(), "price_lists": []}


def _segment_form(form: SegmentForm, segment=None) -> dict:
    form.set_price_lists(price_lists(), _("The shop's default (%(name)s)", name="Standard"))
    return {"current_user": _admin(), "form": form, "segment": segment}


@entry("segments/admin_segment_form.html", "empty", logged_in=True, note="A new segment.")
def admin_segment_new():
    return _segment_form(SegmentForm(formdata=None))


@entry("segments/admin_segment_form.html", "editing", logged_in=True)
def admin_segment_edit():
    segment = segments()[1]
    form = SegmentForm(formdata=None, obj=segment)
    form.price_list.data = ""
    return _segment_form(form, segment)


@entry(
    "segments/admin_segment_form.html",
    "field errors",
    logged_in=True,
    note="No name, the end before the start, a bad domain, an unknown member.",
)
def admin_segment_errors():
    data = {
        "name": "",
        "priority": "1",
        "starts_on": "2026-06-01",
        "ends_on": "2026-05-01",
        "rule": RULE_EMAIL_DOMAIN,
        "rule_value": "not a domain",
        "price_list": "",
    }
    form = SegmentForm(formdata=MultiDict(data))
    context = _segment_form(form)
    form.validate()  # after the price list choices are set, as the view does
    form.add_errors({"members": [_("No account has the email %(email)s.", email="nobody@example.com")]})
    return context


@entry("segments/admin_price_list_form.html", "empty", logged_in=True, note="A new price list.")
def admin_price_list_new():
    return {"current_user": _admin(), "form": PriceListForm(formdata=None), "price_list": None}


@entry("segments/admin_price_list_form.html", "editing", logged_in=True)
def admin_price_list_edit():
    price_list = price_lists()[1]
    form = PriceListForm(formdata=None, obj=price_list)
    form.currency.data = price_list.currency.upper()
    return {"current_user": _admin(), "form": form, "price_list": price_list}


@entry(
    "segments/admin_price_list_form.html",
    "field errors",
    logged_in=True,
    note="A taken code, an unknown currency, and no default left.",
)
def admin_price_list_errors():
    form = fixtures.submitted(PriceListForm, {"name": "Gold", "code": "STD", "currency": "XYZ"})
    form.add_errors(
        {
            "code": [_("A price list with this code already exists.")],
            "is_default": [_("The shop needs a default price list. Make another price list the default instead.")],
        }
    )
    return {"current_user": _admin(), "form": form, "price_list": price_lists()[1]}
