"""Fixture values for style guide entries: plain objects, never saved."""

from __future__ import annotations

from datetime import UTC, date, datetime

from werkzeug.datastructures import MultiDict

from portal.accounts.models import User


def customer(**fields) -> User:
    """A transient customer (not in any database session): reading it issues no SQL."""
    values = {
        "id": 1,
        "email": "ayse.yilmaz@example.com",
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone": "+905551112233",
        "gender": "female",
        "date_of_birth": date(1990, 4, 23),
        "language_code": "tr",
        "attributes": {},
        "email_allowed": True,
        "sms_allowed": False,
        "call_allowed": False,
        "date_joined": datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
        "email_confirmed_at": datetime(2025, 3, 14, 9, 35, tzinfo=UTC),
        "role": "customer",
        "is_active": True,
    }
    values.update(fields)
    return User(**values)


def agent(**fields) -> User:
    return customer(id=2, email="agent@example.com", first_name="Can", last_name="Demir", role="agent", **fields)


def submitted(form_class, data: dict | None = None, **kwargs):
    """A form as it is after a POST of ``data``: validated, so its errors are the real ones."""
    form = form_class(formdata=MultiDict(data or {}), **kwargs)
    form.validate()
    return form


# --- the one-time code step ----------------------------------------------------


def challenge(
    *,
    purpose: str = "profile_confirm",
    seconds_left: int = 170,
    resend_in: int = 50,
    status: str = "live",
    failed_attempts: int = 0,
):
    """An issued code as ``portal.otp.services.Challenge``, relative to ``clock.now()``."""
    from datetime import timedelta

    from portal import clock
    from portal.otp.services import Challenge, user_subject

    now = clock.now()
    return Challenge(
        id=1,
        purpose=purpose,
        subject=user_subject(1),
        phone="+905551112233",
        status=status,
        created_at=now - timedelta(seconds=180 - seconds_left),
        expires_at=now + timedelta(seconds=seconds_left),
        resend_at=now + timedelta(seconds=resend_in),
        failed_attempts=failed_attempts,
    )


def code_step(issued=None, *, code: str | None = None, error=None, action: str = "#", **kwargs) -> dict:
    """``code_step`` as the flows pass it (``portal.otp.views.code_step_context``).

    ``code`` fills the form as if it was submitted; ``error`` is a refusal of the
    OTP service (``NotAcceptable``, ``RateLimited``) shown where the page shows it.
    """
    from portal.otp.forms import CodeForm
    from portal.otp.services import code_limits
    from portal.otp.views import code_step_context

    form = submitted(CodeForm, {"code": code}) if code is not None else None
    limits = code_limits(issued) if issued is not None else None
    return code_step_context(issued, form=form, error=error, action=action, limits=limits, **kwargs)


# --- records the pages list ----------------------------------------------------------


def consent_records(user_id: int = 1, agent_id: int = 2) -> list:
    """A consent history, newest first: granted on the web, one withdrawn by customer service."""
    from portal.profile.models import ConsentRecord

    rows = [
        ("sms", False, "call_center", agent_id, None, datetime(2026, 5, 3, 14, 5, tzinfo=UTC)),
        ("sms", True, "web", user_id, "otp:12", datetime(2026, 4, 20, 9, 12, tzinfo=UTC)),
        ("email", True, "api", user_id, None, datetime(2026, 4, 1, 18, 40, tzinfo=UTC)),
    ]
    return [
        ConsentRecord(
            id=3 - i,
            user_id=user_id,
            channel=channel,
            granted=granted,
            source=source,
            actor_id=actor,
            code_reference=reference,
            created_at=when,
            notice_version="1",
            text_version="1",
        )
        for i, (channel, granted, source, actor, reference, when) in enumerate(rows)
    ]


def acting_banner() -> dict:
    """What ``_banner.html`` shows while an agent acts as the customer (``portal.agents.acting``)."""
    return {
        "customer_name": "Ayşe Yılmaz",
        "customer_email": "ayse.yilmaz@example.com",
        "agent_name": "Can Demir",
        "reason": "Ticket 4821",
        "ends_at": datetime(2026, 5, 4, 11, 0, tzinfo=UTC),
    }


def rate_limited(seconds: int = 45):
    """The OTP service's refusal during the resend cooldown (its own message)."""
    from flask_babel import gettext

    from portal.errors import RateLimited
    from portal.otp.services import wait_text

    return RateLimited(seconds, gettext("Please wait %(wait)s before asking for a new code.", wait=wait_text(seconds)))


# A 1×1 grey PNG: the avatar's place, without a file (the CSP allows data: images).
AVATAR_SRC = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4BwAA6gDpbSr5WAAAAABJRU5ErkJggg=="
)
