"""The code-entry step every flow renders, and the development SMS outbox.

Flows include ``templates/otp/_code_step.html`` in their page and render it
with ``render_code_step(template, challenge, form=…, error=…)`` (or pass
``code_step_context(…)`` to ``render_template`` themselves). They handle the
post: ``CodeForm`` → ``verify_code`` / ``send_code`` → render, giving a refusal
back as ``error`` so it shows beside the field. ``tests/otp/flow.py`` is a
complete example.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import click
import phonenumbers
from flask import Blueprint, current_app, g, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from portal import clock, periodic
from portal.errors import DomainError, NotAcceptable, PermissionDenied, RateLimited, ServiceUnavailable
from portal.otp import gateways
from portal.otp.forms import CodeForm
from portal.otp.models import EXHAUSTED, SmsMessage
from portal.otp.services import (
    WRONG_CODE,
    Challenge,
    StepLimits,
    describe_purpose,
    lifetime_text,
    policy,
    purge_old_records,
    step_limits,
    wait_text,
)
from portal.outbox import add_outbox_pages, utc_iso

bp = Blueprint("otp", __name__)

OUTBOX_SIZE = 100
# For this long after a code was sent the step says "valid for 3 minutes" (the
# lifetime); later it says how much is left ("this one for 1 minute more").
JUST_SENT_SECONDS = 60


def outbox_enabled(config: Mapping) -> bool:
    return bool(config.get("DEV_PAGES")) and config.get("SMS_BACKEND") == "outbox"


@bp.record_once
def _setup(state) -> None:
    """Check the policy and backend at start, and add the outbox pages only where they may exist."""
    app = state.app
    policy(app.config)
    gateways.check_config(app.config)
    if outbox_enabled(app.config):
        add_outbox_pages(
            state, "/_dev/sms", enabled=outbox_enabled, model=SmsMessage, template="otp/outbox.html",
            as_json=_as_json, size=OUTBOX_SIZE,
        )  # fmt: skip


@bp.cli.command("cleanup")
@click.option("--keep-messages-days", type=int, help="Days to keep the record of sent SMS [SMS_RETENTION_DAYS].")
@click.option("--batch-size", type=int, help="Rows deleted a transaction [CLEANUP_BATCH_SIZE].")
def cleanup_command(keep_messages_days: int | None, batch_size: int | None) -> None:
    """Delete old codes, failures and SMS records in batches (run hourly or daily from cron).

    Safe to interrupt and to run on several machines at once (docs/scale.md).
    """
    config = current_app.config
    with periodic.interruptible("otp cleanup"):
        counts = purge_old_records(
            keep_codes_hours=config["OTP_CODE_RETENTION_HOURS"],
            keep_messages_days=config["SMS_RETENTION_DAYS"] if keep_messages_days is None else keep_messages_days,
            batch_size=batch_size or periodic.batch_size(),
            progress=periodic.terminal_progress(),
        )
    click.echo(", ".join(f"{count} {name}" for name, count in counts.items()) + " deleted")


@bp.app_context_processor
def _otp_context():
    return {"sms_outbox_enabled": outbox_enabled(current_app.config)}


def mask_phone(phone: str) -> str:
    """``+905551112233`` → ``+90 555 *** ** 33``: enough to recognise, not to read."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone[:3] + "*" * max(0, len(phone) - 5) + phone[-2:]
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    prefix = f"+{number.country_code}"
    national = formatted[len(prefix) :]  # " 555 111 22 33"
    # Keep the first group (operator or area code) and the last two digits.
    first_group_end = re.match(r"\D*\d+", national).end()
    last_two = [i for i, ch in enumerate(national) if ch.isdigit()][-2:]
    masked = (
        "*" if ch.isdigit() and first_group_end <= i and i not in last_two else ch for i, ch in enumerate(national)
    )
    return prefix + "".join(masked)


def phone_in_full(phone: str) -> str:
    """``+905551112233`` → ``+90 555 111 22 33``: a number shown to the person who just typed it."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@dataclass
class CodeStep:
    """Plain data for ``otp/_code_step.html``."""

    form: CodeForm
    action: str | None
    confirms: str
    masked_phone: str | None  # set once a code was sent (masked even when shown in full)
    lifetime: str  # "3 minutes"
    seconds_left: int  # until the code expires; 0 once expired or used
    valid_for: str | None  # "2 minutes", for people
    resend_wait: int  # seconds until a resend is possible; 0 = now
    hidden_fields: Mapping[str, str] = field(default_factory=dict)
    phone_shown: str | None = None  # the number as the page shows it: masked, or in full (a new number)
    just_sent: bool = False  # sent under JUST_SENT_SECONDS ago: say the lifetime, not what is left
    # Why the code can no longer be used ("This code is no longer valid."), said once:
    # beside the code after a refused try, else in the validity line.
    ended: str | None = None
    ended_shown_as_error: bool = False

    @property
    def expired(self) -> bool:
        return self.seconds_left <= 0


def code_step_context(
    challenge: Challenge | None,
    *,
    form: CodeForm | None = None,
    action: str | None = None,
    confirms: str | None = None,
    error: DomainError | None = None,
    hidden_fields: Mapping[str, str] | None = None,
    phone_in_full: bool = False,
    limits: StepLimits | None = None,
) -> dict:
    """The context for ``otp/_code_step.html``: ``render_template(…, **code_step_context(…))``.

    ``error`` is a refusal from ``verify_code``/``send_code``: a refused resend
    (429, 503) shows beside the resend button, anything else beside the code.
    ``phone_in_full``: the code goes to a number its owner has just typed (a new
    phone, a sign-up), so the page shows it whole; a stored number stays masked.
    ``limits`` (tries left, wait before a resend) are read from the database
    unless given (the style guide gives them).
    """
    form = form or CodeForm(formdata=None)
    now = clock.now()
    ended = None
    just_sent = False
    if challenge is None:
        seconds_left, resend_wait, tries_left = 0, 0, 0
        lifetime = lifetime_text(policy().lifetime)
    else:
        limits = limits or step_limits(challenge)
        seconds_left = max(0, int((challenge.expires_at - now).total_seconds())) if challenge.is_live(now) else 0
        resend_wait, tries_left = limits.resend_wait, limits.tries_left
        lifetime = lifetime_text(challenge.lifetime)
        just_sent = bool(seconds_left) and challenge.lifetime - seconds_left < JUST_SENT_SECONDS
        if not tries_left:
            ended = _ended_text(challenge, seconds_left=seconds_left, resend_wait=resend_wait)
    if isinstance(error, RateLimited):
        resend_wait = max(resend_wait, error.retry_after)
    ended_shown_as_error = False
    if error is not None:
        target = form.resend if isinstance(error, RateLimited | ServiceUnavailable) else form.code
        message = error.message
        if isinstance(error, NotAcceptable) and ended is not None:
            # One message at a time (issue 21, defect 11): why the code is over, once,
            # with what to do next as the resend button allows it.
            message, ended_shown_as_error = ended, True
        elif isinstance(error, NotAcceptable) and error.error_code == WRONG_CODE:
            message = " ".join(
                (message, ngettext("You have %(num)d try left.", "You have %(num)d tries left.", tries_left))
            )
        target.errors = [*target.errors, message]
    return {
        "code_step": CodeStep(
            form=form,
            action=action,
            confirms=confirms or describe_purpose(challenge.purpose if challenge else ""),
            masked_phone=mask_phone(challenge.phone) if challenge else None,
            lifetime=lifetime,
            seconds_left=seconds_left,
            valid_for=wait_text(seconds_left, round_up=False) if seconds_left else None,
            resend_wait=resend_wait,
            hidden_fields=dict(hidden_fields or {}),
            phone_shown=_phone_shown(challenge, in_full=phone_in_full),
            just_sent=just_sent,
            ended=ended,
            ended_shown_as_error=ended_shown_as_error,
        )
    }


def _phone_shown(challenge: Challenge | None, *, in_full: bool) -> str | None:
    if challenge is None:
        return None
    return phone_in_full(challenge.phone) if in_full else mask_phone(challenge.phone)


def _ended_text(challenge: Challenge, *, seconds_left: int, resend_wait: int) -> str:
    """Why no try is left on this code, and "Ask for a new one." only when the resend
    button is enabled (otherwise the countdown beside it says when)."""
    if challenge.status == EXHAUSTED:
        if resend_wait:
            return _("This code was entered wrong too many times and can no longer be used.")
        return _("This code was entered wrong too many times and can no longer be used. Ask for a new one.")
    if seconds_left:  # live, but the hour's allowance of wrong codes is used up (so is the resend)
        return _("Too many wrong codes. Try again in %(wait)s.", wait=wait_text(resend_wait))
    if resend_wait:
        return _("This code is no longer valid.")
    return _("This code is no longer valid. Ask for a new one.")


def render_code_step(
    template,
    challenge: Challenge | None,
    *,
    form: CodeForm | None = None,
    error: DomainError | None = None,
    action: str | None = None,
    confirms: str | None = None,
    hidden_fields: Mapping[str, str] | None = None,
    phone_in_full: bool = False,
    **context,
):
    """Render a page that includes the code step, answered with the status it deserves:
    the refusal's own (406, 429 with ``Retry-After``, 503), 400 for a malformed code, else 200.

    Never while an agent acts as the customer: a code is the customer's alone
    ("share it with no one"), and asking them to read it out teaches phishing.
    Agents record what the customer states on a recorded call instead.
    """
    if g.get("acting_agent") is not None:
        raise PermissionDenied(
            _("Customer service never asks for a code sent to the customer. Record the change with the call reference.")
        )
    if error is not None:
        status = error.status
    elif form is not None and form.errors:
        status = 400
    else:
        status = 200
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}
    step = code_step_context(
        challenge,
        form=form,
        error=error,
        action=action,
        confirms=confirms,
        hidden_fields=hidden_fields,
        phone_in_full=phone_in_full,
    )
    return render_template(template, **context, **step), status, headers


def _as_json(m: SmsMessage) -> dict:
    """One SMS as ``/_dev/sms.json`` shows it to scripts and browser tests."""
    return {
        "id": m.id,
        "to": m.to,
        "body": m.body,
        "purpose": m.purpose,
        "status": m.status,
        "error": m.error,
        "sent_at": utc_iso(m.sent_at),
    }
