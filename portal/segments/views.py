"""Segment pages: the customer's choice (``/account/segments``) and management for admins."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.roles import role_required
from portal.errors import FieldErrors, NotAcceptable
from portal.profile.protection import protected_attributes
from portal.request_context import change_origin
from portal.segments import services
from portal.segments.forms import ChooseSegmentForm, PriceListForm, SegmentForm
from portal.segments.labels import segment_label
from portal.segments.models import RULE_MEMBERS

bp = Blueprint("segments", __name__)


# --- customers ------------------------------------------------------------


@bp.route("/account/segments", methods=["GET", "POST"])
@login_required
def choose():
    """A refused choice (a tampered form, or a segment that ended meanwhile) is
    shown beside the choice with the API's message and a 406."""
    form = ChooseSegmentForm.from_request()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                segment = services.set_segment(
                    user=current_user, segment_id=form.segment.data, origin=change_origin("web")
                )
            except NotAcceptable as error:
                form.segment.errors = [error.message]
                status = 406
            else:
                flash(_("%(label)s: now %(name)s.", label=segment_label(), name=segment.name), "success")
                return redirect(url_for("segments.choose"))
        else:
            status = 400
    overview = services.segment_overview(user=current_user)
    return render_template("segments/choose.html", form=form, overview=overview), status


# --- management -----------------------------------------------------------


@bp.get("/admin/segments")
@role_required("admin")
def admin_segments():
    return render_template(
        "segments/admin_segments.html",
        segments=services.all_segments(),
        default_price_list=services.default_price_list(),
    )


@bp.get("/admin/price-lists")
@role_required("admin")
def admin_price_lists():
    return render_template("segments/admin_price_lists.html", price_lists=services.all_price_lists())


@bp.route("/admin/price-lists/new", methods=["GET", "POST"], defaults={"price_list_id": None})
@bp.route("/admin/price-lists/<int:price_list_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def admin_price_list_form(price_list_id: int | None):
    price_list = None
    if price_list_id is not None:
        price_list = services.get_price_list(price_list_id=price_list_id) or abort(404)
    form = PriceListForm.from_request(obj=price_list)
    if request.method == "GET" and price_list is not None:
        form.currency.data = price_list.currency.upper()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                saved = services.save_price_list(
                    price_list_id=price_list.id if price_list else None, **form.service_fields()
                )
            except FieldErrors as error:
                form.add_errors(error.errors)
            else:
                flash(_("Price list %(name)s saved.", name=saved.name), "success")
                return redirect(url_for("segments.admin_price_lists"))
        status = 400
    return render_template("segments/admin_price_list_form.html", form=form, price_list=price_list), status


@bp.route("/admin/segments/new", methods=["GET", "POST"], defaults={"segment_id": None})
@bp.route("/admin/segments/<int:segment_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def admin_segment_form(segment_id: int | None):
    segment = None
    if segment_id is not None:
        segment = services.get_segment(segment_id=segment_id) or abort(404)
    form = SegmentForm.from_request(obj=segment)
    default = services.default_price_list()
    form.set_price_lists(
        services.all_price_lists(),
        _("The shop's default (%(name)s)", name=default.name) if default else _("The shop's default"),
    )
    form.set_attribute_choices(protected_attributes(), "—")
    if request.method == "GET" and segment is not None:
        form.price_list.data = str(segment.price_list_id or "")
        form.members.data = [user.email for user in segment.members] if segment.rule == RULE_MEMBERS else []
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                saved = services.save_segment(segment_id=segment.id if segment else None, **form.service_fields())
            except FieldErrors as error:
                form.add_errors(error.errors)
            else:
                flash(_("Segment %(name)s saved.", name=saved.name), "success")
                return redirect(url_for("segments.admin_segments"))
        status = 400
    return render_template("segments/admin_segment_form.html", form=form, segment=segment), status
