"""Email double opt-in: the email consent starts when a link sent to the address is opened.

A grant of the email consent (false → true) while KVKK confirmation is on changes
nothing at once: ``send_optin_link`` emails a signed link to the customer's current
address, and ``confirm_optin`` writes the ``ONAY`` record for that address when the
link is opened. So the record proves both the wish and the mailbox.

The link is an itsdangerous token (``portal.accounts.tokens``, purpose
``email-optin``), nothing stored. It carries the user's id, where the customer asked
(``web``/``api``) and a fingerprint of the address and of the newest email consent
record. It dies when it expires (``EMAIL_CONFIRMATION_TIMEOUT``), when the address
changes, and as soon as any email consent record is written, its own included: so it
works once, and a link from before a withdrawal never switches the consent back on.
"""

from __future__ import annotations

import hashlib

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts import tokens
from portal.accounts.models import User
from portal.errors import FieldErrors
from portal.extensions import db
from portal.mail.services import send_mail
from portal.profile.models import ConsentRecord
from portal.request_context import ChangeOrigin

TEMPLATE = "email_optin"
# The consent records' ``code_reference`` for a grant confirmed by a link: this prefix
# and a digest of the token (the evidence; the link itself works like a password).
EVIDENCE_PREFIX = "email-link:"


def _last_email_record_id(user_id: int) -> int | None:
    return db.session.execute(
        select(ConsentRecord.id)
        .where(ConsentRecord.user_id == user_id, ConsentRecord.channel == "email")
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _fingerprint(user: User) -> str:
    return tokens.fingerprint(str(user.id), user.email, str(_last_email_record_id(user.id)))


def optin_token(user: User, *, source: str) -> str:
    return tokens.make(tokens.EMAIL_OPTIN, {"u": user.id, "s": source, "f": _fingerprint(user)})


def timeout_days() -> int:
    return max(1, current_app.config["EMAIL_CONFIRMATION_TIMEOUT"] // 86400)


def send_optin_link(*, user: User, origin: ChangeOrigin) -> str:
    """Email the confirmation link to the user's current address; answers that address.

    Does not commit; raises ``ServiceUnavailable`` when the email did not go (the
    caller's transaction is then rolled back: nothing changed).
    """
    send_mail(
        to=user.email,
        template=TEMPLATE,
        language_code=user.language_code,
        user=user,
        link=url_for("email_optin.confirm", token=optin_token(user, source=origin.source), _external=True),
        days=timeout_days(),
    )
    return user.email


def user_for_token(token: str) -> User | None:
    """The user a live opt-in link belongs to, or None (bad, expired, used, or the address changed)."""
    payload = tokens.read(tokens.EMAIL_OPTIN, token, max_age=current_app.config["EMAIL_CONFIRMATION_TIMEOUT"])
    if payload is None or payload.get("s") not in ("web", "api"):
        return None
    user = db.session.get(User, payload.get("u"))
    if user is None or not user.is_active or payload.get("f") != _fingerprint(user):
        return None
    return user


def invalid_link() -> FieldErrors:
    return FieldErrors({"token": [_("This link is invalid or has expired. Please ask for a new one.")]})


def evidence(token: str) -> str:
    return EVIDENCE_PREFIX + hashlib.sha256(token.encode()).hexdigest()[:32]


def confirm_optin(*, token: str, client_ip: str | None, user_agent: str) -> User:
    """Switch the email consent on for the address the link was sent to (``ONAY``). Commits.

    The record's source is where the customer asked (page: ``HS_WEB``, API:
    ``HS_MOBIL``); its IP address and browser are those that opened the link; its
    evidence (``code_reference``) a digest of the link. A used, expired or stale
    link raises ``FieldErrors({"token": …})``.
    """
    from portal.profile.services import lock_user, record_consents  # services call this module

    payload = tokens.read(tokens.EMAIL_OPTIN, token, max_age=current_app.config["EMAIL_CONFIRMATION_TIMEOUT"])
    if user_for_token(token) is None or payload is None:
        raise invalid_link()
    # Again with the row held: two clicks at once grant once.
    user = lock_user(payload["u"])
    if payload.get("f") != _fingerprint(user):
        db.session.rollback()
        raise invalid_link()
    origin = ChangeOrigin(source=payload["s"], actor_id=user.id, client_ip=client_ip, user_agent=user_agent)
    record_consents(user=user, consents={"email_allowed": True}, origin=origin, code_reference=evidence(token))
    db.session.commit()
    return user


# --- the email consent ticked at sign-up ---------------------------------------------------


def signup_optin_source(user: User) -> str | None:
    """Where an account signed up (``web``/``api``) if its email consent still waits for
    the sign-up confirmation link, else None.

    Sign-up writes a record for every channel except an email consent ticked while
    KVKK confirmation is on (it waits for the link): an account with no email record
    at all is one whose wish waits.
    """
    if user.email_allowed or _last_email_record_id(user.id) is not None:
        return None
    source = (user.attributes or {}).get("register_client_type")
    return source if source in ("web", "api") else None


def confirm_signup_optin(*, user: User, token: str, source: str, client_ip: str | None, user_agent: str) -> bool:
    """Start the email consent ticked at sign-up, when its confirmation link is opened.

    Only while nothing was recorded for email since (a later grant or refusal on the
    consents page decides instead). Does not commit; answers whether it wrote a record.
    """
    from portal.profile.services import record_consents  # services call this module

    if user.email_allowed or _last_email_record_id(user.id) is not None:
        return False
    origin = ChangeOrigin(source=source, actor_id=user.id, client_ip=client_ip, user_agent=user_agent)
    granted = {"email_allowed": True}
    records = record_consents(user=user, consents=granted, origin=origin, code_reference=evidence(token))
    return bool(records)
