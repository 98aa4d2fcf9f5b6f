"""``flask segments …``: manage price lists and segments from the shell.

Input goes through the same forms as the management pages, so the field rules
are the same; the services do the rest.
"""

from __future__ import annotations

import functools

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.errors import FieldErrors
from portal.profile.protection import protected_attributes
from portal.segments import services
from portal.segments.forms import PriceListForm, SegmentForm
from portal.segments.models import RULE_MEMBERS, RULES, PriceList, Segment

segments_cli = AppGroup("segments", help="Manage customer segments and price lists.")


def _command(name: str):
    """A ``segments`` subcommand whose messages are in the default language (no request to pick one)."""

    def decorator(function):
        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                return function(*args, **kwargs)

        return segments_cli.command(name)(wrapped)

    return decorator


def _fail(errors: dict[str, list[str]]) -> None:
    lines = [f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in errors.items()]
    raise click.ClickException("\n".join(lines))


def _form(form_class, data: dict, **setup):
    formdata = MultiDict()
    for key, value in data.items():
        if value is None or value is False:
            continue  # an empty field, or an unticked box
        if isinstance(value, list):
            formdata[key] = "\n".join(value)
        else:
            formdata[key] = "y" if value is True else str(value)
    form = form_class(formdata=formdata)
    for name, value in setup.items():
        getattr(form, name)(*value)
    if not form.validate():
        _fail(form.error_dict())
    return form


def _price_list_or_fail(code: str) -> PriceList:
    price_list = services.price_list_by_code(code)
    if price_list is None:
        _fail({"price_list": [_("No price list has the code %(code)s.", code=code)]})
    return price_list


def _segment_or_fail(segment_id: int) -> Segment:
    segment = services.get_segment(segment_id=segment_id)
    if segment is None:
        _fail({"segment": [_("No segment has the id %(id)s.", id=segment_id)]})
    return segment


def _describe(segment: Segment) -> str:
    rule = segment.rule
    if segment.rule == "email_domain":
        rule += f" @{segment.rule_value}"
    elif segment.rule == "attribute_equals":
        rule += f" {segment.rule_attribute}={segment.rule_value}"
    elif segment.rule == RULE_MEMBERS:
        rule += " " + (",".join(u.email for u in segment.members) or "(nobody)")
    price_list = segment.price_list.code if segment.price_list else "(default)"
    dates = f"{segment.starts_on or '…'}..{segment.ends_on or '…'}"
    state = "active" if segment.is_active else "inactive"
    return (
        f"{segment.id}\tpriority {segment.priority}\t{segment.name}\t{rule}\tprice list {price_list}\t{dates}\t{state}"
    )


@_command("list")
def list_all() -> None:
    """Show every price list and segment."""
    click.echo("Price lists:")
    for pl in services.all_price_lists():
        flag = "\tdefault" if pl.is_default else ""
        click.echo(f"{pl.id}\t{pl.code}\t{pl.name}\t{pl.currency.upper()}{flag}")
    click.echo("Segments:")
    for segment in services.all_segments():
        click.echo(_describe(segment))


def _save_price_list(data: dict, price_list: PriceList | None) -> None:
    form = _form(PriceListForm, data)
    try:
        saved = services.save_price_list(price_list_id=price_list.id if price_list else None, **form.service_fields())
    except FieldErrors as error:
        _fail(error.errors)
    if saved.is_default:
        click.echo(_("Price list %(id)s %(code)s saved; it is the default.", id=saved.id, code=saved.code))
    else:
        click.echo(_("Price list %(id)s %(code)s saved.", id=saved.id, code=saved.code))


@_command("create-price-list")
@click.option("--name", required=True)
@click.option("--code", required=True)
@click.option("--currency", required=True, help="ISO 4217 code, e.g. EUR.")
@click.option("--default", "is_default", is_flag=True, help="Make it the shop's default price list.")
def create_price_list(name: str, code: str, currency: str, is_default: bool) -> None:
    """Create a price list (the first one becomes the default)."""
    _save_price_list({"name": name, "code": code, "currency": currency, "is_default": is_default}, None)


@_command("edit-price-list")
@click.argument("code")
@click.option("--name")
@click.option("--new-code")
@click.option("--currency")
@click.option("--default", "is_default", is_flag=True, help="Make it the shop's default price list.")
def edit_price_list(code: str, name: str | None, new_code: str | None, currency: str | None, is_default: bool) -> None:
    """Change the price list with this CODE; options not given keep their value."""
    price_list = _price_list_or_fail(code)
    _save_price_list(
        {
            "name": name or price_list.name,
            "code": new_code or price_list.code,
            "currency": currency or price_list.currency,
            "is_default": is_default or price_list.is_default,
        },
        price_list,
    )


def _segment_options(command):
    for decorator in reversed(
        [
            click.option("--name"),
            click.option("--priority", type=int, help="A lower number wins."),
            click.option("--rule", type=click.Choice(RULES)),
            click.option("--attribute", "rule_attribute", help="attribute_equals: the attribute's name."),
            click.option("--value", "rule_value", help="email_domain: the domain; attribute_equals: the value."),
            click.option("--member", "members", multiple=True, help="members: an email (repeat the option)."),
            click.option("--price-list", "price_list", help="A price list code, or 'default'."),
            click.option("--starts-on", help="YYYY-MM-DD, or 'none'."),
            click.option("--ends-on", help="YYYY-MM-DD, or 'none'."),
            click.option("--active/--inactive", "is_active", default=None),
        ]
    ):
        command = decorator(command)
    return command


def _save_segment(options: dict, segment: Segment | None) -> None:
    stored = {}
    if segment is not None:
        stored = {
            "name": segment.name,
            "priority": segment.priority,
            "rule": segment.rule,
            "rule_attribute": segment.rule_attribute,
            "rule_value": segment.rule_value,
            "members": [u.email for u in segment.members],
            "price_list": str(segment.price_list_id or ""),
            "starts_on": segment.starts_on and segment.starts_on.isoformat(),
            "ends_on": segment.ends_on and segment.ends_on.isoformat(),
            "is_active": segment.is_active,
        }
    data = dict(stored) or {"is_active": True, "priority": 0, "rule": "everyone", "price_list": ""}
    for key, value in options.items():
        if value is None or value == ():
            continue
        if key == "members":
            value = list(value)
        elif key == "price_list":
            value = "" if value == "default" else str(_price_list_or_fail(value).id)
        elif key in ("starts_on", "ends_on") and value == "none":
            value = None
        data[key] = value
    default = services.default_price_list()
    form = _form(
        SegmentForm,
        data,
        set_price_lists=(services.all_price_lists(), default.name if default else "default"),
        set_attribute_choices=(protected_attributes(), ""),
    )
    try:
        saved = services.save_segment(segment_id=segment.id if segment else None, **form.service_fields())
    except FieldErrors as error:
        _fail(error.errors)
    click.echo(_("Segment saved: %(segment)s", segment=_describe(saved)))


@_command("create")
@_segment_options
def create_segment(**options) -> None:
    """Create a segment. Without --price-list it uses the shop's default."""
    _save_segment(options, None)


@_command("edit")
@click.argument("segment_id", type=int)
@_segment_options
def edit_segment(segment_id: int, **options) -> None:
    """Change a segment; options not given keep their value (--member replaces the members)."""
    _save_segment(options, _segment_or_fail(segment_id))
