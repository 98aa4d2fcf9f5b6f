"""The profile pages: details and avatar, consents with their history, and the
confirmation step a consent or phone change goes through (KVKK)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.errors import FieldErrors, NotAcceptable, RateLimited, ServiceUnavailable
from portal.i18n import customer_locale
from portal.iys.labels import IYS_SOURCE_LABELS
from portal.numbers import display_phone
from portal.otp.forms import CodeForm
from portal.otp.services import latest_challenge, user_subject
from portal.otp.views import mask_phone, phone_in_full, render_code_step
from portal.profile import services
from portal.profile.forms import AttributesForm, AvatarForm, ConsentsForm, DetailsForm
from portal.profile.models import CONSENT_FIELDS
from portal.profile.serializers import avatar_url, values_from_json, values_to_json
from portal.request_context import change_origin

bp = Blueprint("profile", __name__, url_prefix="/account")

PENDING_KEY = "profile_pending"
CONSENT_SENTENCES = {
    "email_allowed": _l("Send me offers, news and campaign announcements by email."),
    "sms_allowed": _l("Send me offers, news and campaign announcements by SMS."),
    "call_allowed": _l("Call me about offers and campaigns."),
}
FIELD_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "phone": _l("Phone"),
    "gender": _l("Gender"),
    "date_of_birth": _l("Date of birth"),
    "language_code": _l("Language"),
    "email_allowed": _l("Email messages"),
    "sms_allowed": _l("SMS messages"),
    "call_allowed": _l("Phone calls"),
}
CHANNEL_LABELS = {"email": _l("Email messages"), "sms": _l("SMS messages"), "call": _l("Phone calls")}
SOURCE_LABELS = {
    "web": _l("Website"), "api": _l("App or shop"), "call_center": _l("Customer service"),
    "erasure": _l("Account deletion"), **IYS_SOURCE_LABELS
}


def _user():
    """The logged-in ``User`` itself: forms and the template read a dozen of its
    attributes, each one through the ``current_user`` proxy otherwise."""
    return current_user._get_current_object()


def _render_profile(
    details: DetailsForm,
    avatar_form: AvatarForm,
    status: int = 200,
    headers=None,
    attributes_form: AttributesForm | None = None,
):
    user = _user()
    if details.phone.raw_data is None and details.phone.data:
        # Not sent back by the person: the stored number as they read it (any format is accepted).
        details.phone.data = display_phone(details.phone.data)
    return (
        render_template(
            "profile/profile.html",
            user=user,
            form=details,
            avatar_form=avatar_form,
            attributes_form=attributes_form or AttributesForm.for_user(user),
            avatar_src=avatar_url(user.avatar),
        ),
        status,
        headers or {},
    )


@dataclass
class Outcome:
    """What a page does after calling the service: follow ``redirect``, or show the form again."""

    redirect: Response | None = None
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)


def _update(
    changes: dict[str, Any],
    *,
    form,
    done: str,
    replace_attributes: bool = False,
    call_reference: str | None = None,
) -> Outcome:
    """Call the service: a redirect on success or to the confirmation step, else errors on the form."""
    try:
        result = services.update_profile(
            user_id=current_user.id,
            changes=changes,
            origin=change_origin("web"),
            locale=customer_locale(),
            replace_attributes=replace_attributes,
            call_reference=call_reference,
        )
    except FieldErrors as error:
        form.add_errors(error.errors)
        return Outcome()
    except services.PhoneChangeRefused as error:
        # An agent acting for the customer: nothing is saved (one request, one change), the
        # other edits stay in the form and the phone goes back to the stored number, so
        # saving again keeps them (issue 21).
        if "phone" not in form:
            raise
        form.phone.data = current_user.phone
        form.phone.errors = [error.message, _("The stored number was put back: save again to keep your other changes.")]
        return Outcome(status=error.status)
    except RateLimited as error:
        if session.get(PENDING_KEY, {}).get("done") == done:
            # Saved again while the code sent moments ago is still open: back to it (issue 21).
            flash(_("We sent you a code a moment ago. Enter it here to confirm your changes."), "info")
            return Outcome(redirect=redirect(url_for("profile.confirm")))
        return _refused(form, error)
    except ServiceUnavailable as error:
        return _refused(form, error)
    if result.email_link_to:
        # Email double opt-in: the email consent starts when the link is opened.
        flash(email_link_message(result.email_link_to), "info")
    if result.status == "pending":
        kept = {name: value for name, value in result.changes.items() if name != "avatar"}  # no bytes in a session
        session[PENDING_KEY] = {"changes": values_to_json(kept), "done": done}
        return Outcome(redirect=redirect(url_for("profile.confirm")))
    if result.changes:
        flash(_("Your changes were saved."), "success")
    elif not result.email_link_to:
        flash(_("Nothing changed."), "info")
    return Outcome(redirect=redirect(url_for(done)))


def email_link_message(address: str) -> str:
    return _("We sent a confirmation link to %(email)s. Email messages start when you open it.", email=address)


def _refused(form, error: RateLimited | ServiceUnavailable) -> Outcome:
    # The code could not be sent (cooldown, caps, gateway down): say so above the form.
    form.add_errors({"non_field_errors": [error.message]})
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}
    return Outcome(status=error.status, headers=headers)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """The details form uses the API's field names, so both faces share one set of rules."""
    avatar_form = AvatarForm(formdata=None)
    if request.method == "GET":
        return _render_profile(DetailsForm(formdata=None, obj=_user()), avatar_form)
    form = DetailsForm.from_request(obj=current_user, user_id=current_user.id)
    outcome = _update(form.data, form=form, done="profile.profile") if form.validate() else Outcome()
    if outcome.redirect is not None:
        return outcome.redirect
    return _render_profile(form, avatar_form, outcome.status, outcome.headers)


@bp.post("/profile/attributes")
@login_required
def attributes():
    """The customer's own attributes (the API's ``attributes``), edited as name/value rows."""
    form = AttributesForm.from_request(user_id=current_user.id)
    outcome = Outcome()
    if form.validate():
        values = form.attribute_values(dict(current_user.attributes or {}))
        outcome = _update({"attributes": values}, form=form, done="profile.profile", replace_attributes=True)
    if outcome.redirect is not None:
        return outcome.redirect
    return _render_profile(
        DetailsForm(formdata=None, obj=current_user), AvatarForm(formdata=None), outcome.status, attributes_form=form
    )


@bp.post("/profile/avatar")
@login_required
def avatar():
    form = AvatarForm.from_request(user_id=current_user.id)
    outcome = Outcome()
    if form.validate():
        if form.remove_avatar.data:
            outcome = _update({"avatar": None}, form=form, done="profile.profile")
        elif form.avatar.data:
            outcome = _update({"avatar": form.avatar.data}, form=form, done="profile.profile")
        else:
            form.avatar.errors = [_("Choose a picture to upload.")]
    if outcome.redirect is not None:
        return outcome.redirect
    return _render_profile(DetailsForm(formdata=None, obj=current_user), form, outcome.status)


@bp.route("/consents", methods=["GET", "POST"])
@login_required
def consents():
    """One click: a withdrawal applies at once, a grant is confirmed by a code first.

    While an agent acts for the customer, the page asks for the reference of the
    recorded call instead, and nothing waits for a code.
    """
    outcome = Outcome(status=200)
    if request.method == "POST":
        form = ConsentsForm.from_request(user_id=current_user.id)
        if form.validate():
            outcome = _update(
                form.consent_changes(), form=form, done="profile.consents", call_reference=form.call_reference.data
            )
        else:
            outcome = Outcome()
        if outcome.redirect is not None:
            return outcome.redirect
    else:
        form = ConsentsForm(formdata=None, obj=current_user)
    history = services.consent_history(user_id=current_user.id)
    return (
        render_template(
            "profile/consents.html",
            form=form,
            # Translated once here: the field macro tests and prints its help text (three lookups).
            sentences={name: str(sentence) for name, sentence in CONSENT_SENTENCES.items()},
            history=history,
            acting=g.get("acting_agent") is not None,
            channel_labels=CHANNEL_LABELS,
            source_labels=SOURCE_LABELS,
        ),
        outcome.status,
        outcome.headers,
    )


# --- the pending change ------------------------------------------------------


def describe_changes(user, changes: dict[str, Any]) -> list[dict[str, str]]:
    """One row per field that will change: label, before, after."""
    on, off = _("on"), _("off")
    rows = []
    for name, label in FIELD_LABELS.items():
        if name not in changes:
            continue
        before, after = getattr(user, name), changes[name]
        if name in CONSENT_FIELDS:
            before, after = (on if before else off), (on if after else off)
        elif name == "phone":
            # The old number stays masked; the new one is shown whole to the person who typed it.
            before = mask_phone(before) if before else _("not set")
            after = phone_in_full(after) if after else _("not set")
        else:
            before = str(before) if before not in (None, "") else _("not set")
            after = str(after) if after not in (None, "") else _("not set")
        rows.append({"field": name, "label": str(label), "before": before, "after": after})
    return rows


@bp.route("/profile/confirm", methods=["GET", "POST"])
@login_required
def confirm():
    """Show what will change, then take the code (KVKK confirmation); cancelling drops the change."""
    pending = session.get(PENDING_KEY)
    if not pending:
        flash(_("There is no change waiting for confirmation."), "info")
        return redirect(url_for("profile.profile"))
    done = pending["done"]
    changes = values_from_json(pending["changes"])
    form = CodeForm(formdata=None)
    error = None
    if request.method == "POST":
        if "cancel" in request.form:
            session.pop(PENDING_KEY, None)
            flash(_("Nothing was changed."), "info")
            return redirect(url_for(done))
        form = CodeForm.from_request()
        if form.validate():
            try:
                result = services.update_profile(
                    user_id=current_user.id,
                    changes=changes,
                    origin=change_origin("web"),
                    code=None if form.wants_resend else form.code.data,
                    resend=form.wants_resend,
                    locale=customer_locale(),
                )
            except (NotAcceptable, RateLimited, ServiceUnavailable) as refusal:
                error = refusal
            except FieldErrors as problem:
                # The change itself became impossible meanwhile (say, the phone was taken).
                session.pop(PENDING_KEY, None)
                for messages in problem.errors.values():
                    for message in messages:
                        flash(message, "error")
                return redirect(url_for(done))
            else:
                if result.status == "resent":
                    flash(_("We sent you a new code."), "info")
                    return redirect(url_for("profile.confirm"))
                session.pop(PENDING_KEY, None)
                flash(_("Your changes were confirmed and saved."), "success")
                return redirect(url_for(done))
    challenge = latest_challenge(
        purpose=services.confirmation_purpose(changes), subject=user_subject(current_user.id)
    )
    return render_code_step(
        "profile/confirm.html",
        challenge,
        form=form,
        error=error,
        action=url_for("profile.confirm"),
        phone_in_full="phone" in changes,  # the code went to the new number: show it whole
        rows=describe_changes(current_user, changes),
    )
