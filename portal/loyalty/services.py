"""Loyalty cards: linking a customer to the loyalty service, and keeping the link in step.

A card is wished for in the caller's transaction (``add_pending_link``) and
created at the service afterwards (``sync_link``), so a slow or broken service
never loses a registration: the link stays ``pending`` and is retried by
``flask loyalty retry-pending`` and on the customer's next visit, always with
the same idempotency key and body.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal import clock
from portal.accounts.models import User
from portal.errors import NotAcceptable
from portal.extensions import db
from portal.loyalty.client import LoyaltyClient, LoyaltyRejected, LoyaltyUnavailable, ServiceConfig
from portal.loyalty.models import ACTIVE, ERASED, ERASING, FAILED, PENDING, LoyaltyLink
from portal.otp.services import Challenge, latest_challenge, send_code, user_subject, verify_code
from portal.periodic import Progress
from portal.profile import services as profile
from portal.request_context import ChangeOrigin
from portal.settings.services import CUSTOMER_LOYALTY_CARD_SERVICE, get_setting

log = logging.getLogger(__name__)

NOT_CONFIGURED = "loyalty_100_1"
# Refusals that an operator can fix without the customer (key, rate, outage of a route): keep retrying.
RETRYABLE_REJECTIONS = {401, 403, 404, 408, 425, 429}
MAX_BACKOFF = timedelta(hours=1)


def service_config() -> ServiceConfig | None:
    value = get_setting(CUSTOMER_LOYALTY_CARD_SERVICE)
    if not isinstance(value, dict):
        return None
    try:
        return ServiceConfig.from_setting(value)
    except (KeyError, TypeError, ValueError):
        log.error("the %s setting is malformed", CUSTOMER_LOYALTY_CARD_SERVICE)
        return None


def is_configured() -> bool:
    return service_config() is not None


def require_configured() -> ServiceConfig:
    """The service settings, or ``406 loyalty_100_1``."""
    config = service_config()
    if config is None:
        raise NotAcceptable(NOT_CONFIGURED, _("The loyalty card service is not configured."))
    return config


def link_for(*, user_id: int) -> LoyaltyLink | None:
    return db.session.execute(select(LoyaltyLink).where(LoyaltyLink.user_id == user_id)).scalar_one_or_none()


def customer_body(user: User) -> dict:
    """What the loyalty service keeps about a customer (docs/loyalty-service.md)."""
    return {
        "external_id": f"portal-{user.id}",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
    }


def add_pending_link(*, user: User) -> LoyaltyLink:
    """Record the wish for a card, in the caller's transaction (it commits).

    ``user`` must have an id (flush first). An existing link is returned as it is.
    """
    link = link_for(user_id=user.id)
    if link is None:
        link = LoyaltyLink(
            user_id=user.id,
            status=PENDING,
            idempotency_key=str(uuid.uuid4()),
            request_body=customer_body(user),
            next_attempt_at=clock.now(),
        )
        db.session.add(link)
    return link


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _changed_fields(link: LoyaltyLink, user: User) -> dict:
    """What the service holds that differs from the profile now."""
    now_body = customer_body(user)
    synced = link.request_body or {}
    return {k: v for k, v in now_body.items() if k != "external_id" and synced.get(k) != v}


def sync_link(*, link_id: int) -> LoyaltyLink:
    """One attempt to bring the link in step with the service; commits the outcome.

    Never raises for the service's faults: the outcome is in the link's
    ``status``, ``last_error`` and ``next_attempt_at``.
    """
    link = db.session.get(LoyaltyLink, link_id)
    if link is None:
        raise LookupError(link_id)
    if link.status == ERASING:
        return _erase(link)
    config = service_config()
    if config is None or (link.status == ACTIVE and not link.needs_push) or link.status == FAILED:
        return link
    user = db.session.get(User, link.user_id)
    client = LoyaltyClient(config)
    now = clock.now()
    link.attempts += 1
    link.last_attempt_at = now
    try:
        if link.status == PENDING:
            customer = client.create_customer(idempotency_key=link.idempotency_key, customer=link.request_body)
            card = customer.get("card") or {}
            link.customer_id = customer.get("id")
            link.card_number = card.get("number")
            link.card_status = card.get("status")
            link.status = ACTIVE
            link.needs_push = bool(_changed_fields(link, user))
        if link.needs_push:
            changes = _changed_fields(link, user)
            if changes:
                client.update_customer(customer_id=link.customer_id, changes=changes)
                link.request_body = {**link.request_body, **changes}
            link.needs_push = False
    except LoyaltyUnavailable as error:
        link.last_error = str(error)
        link.next_attempt_at = now + _backoff(link.attempts)
    except LoyaltyRejected as error:
        link.last_error = str(error)
        if error.status in RETRYABLE_REJECTIONS or link.status == ACTIVE:
            link.next_attempt_at = now + _backoff(link.attempts)
        else:
            link.status = FAILED
            link.next_attempt_at = None
    else:
        link.last_error = None
        link.last_synced_at = now
        link.next_attempt_at = None
    db.session.commit()
    return link


def external_id(user_id: int) -> str:
    return f"portal-{user_id}"


def mark_for_erasure(*, user_id: int) -> LoyaltyLink | None:
    """The customer's account is being erased (in the caller's transaction; it commits).

    The link keeps nothing personal: the create body shrinks to the external id
    and the card is forgotten. ``sync_link`` then asks the service to forget the
    customer, retried like a pending create until it has.
    """
    link = link_for(user_id=user_id)
    if link is None:
        return None
    link.status = ERASING
    link.request_body = {"external_id": external_id(user_id)}
    link.customer_id = None
    link.card_number = None
    link.card_status = None
    link.needs_push = False
    link.last_error = None
    link.attempts = 0
    link.next_attempt_at = clock.now()
    return link


def _erase(link: LoyaltyLink) -> LoyaltyLink:
    """One attempt to make the service forget an erased customer; commits the outcome.

    Every refusal is retried (with the back-off): an erasure is never given up.
    """
    config = service_config()
    if config is None:
        return link
    now = clock.now()
    link.attempts += 1
    link.last_attempt_at = now
    try:
        LoyaltyClient(config).erase_customer(external_id=external_id(link.user_id))
    except (LoyaltyUnavailable, LoyaltyRejected) as error:
        link.last_error = str(error)
        link.next_attempt_at = now + _backoff(link.attempts)
    else:
        link.status = ERASED
        link.last_error = None
        link.last_synced_at = now
        link.next_attempt_at = None
    db.session.commit()
    return link


def request_card(*, user_id: int) -> LoyaltyLink:
    """An existing customer joins the programme (after confirming by code), or retries a failed link."""
    require_configured()
    user = db.session.get(User, user_id)
    link = link_for(user_id=user_id)
    if link is not None and link.status == FAILED:
        # Nothing was created under the old key (the service refused it): start afresh with today's data.
        link.status = PENDING
        link.idempotency_key = str(uuid.uuid4())
        link.request_body = customer_body(user)
        link.last_error = None
    elif link is None:
        link = add_pending_link(user=user)
    db.session.commit()
    return sync_link(link_id=link.id)


# --- joining: an existing customer confirms by a code to their phone ------------------

JOIN_PURPOSE = "loyalty_join"


def _join_code_for(user_id: int) -> dict:
    """What a join code is bound to: the customer, their phone and the wish itself."""
    user = db.session.get(User, user_id)
    return {
        "purpose": JOIN_PURPOSE,
        "subject": user_subject(user_id),
        "phone": user.phone,
        "payload": {"join_loyalty": True, "user_id": user_id},
    }


def send_join_code(*, user_id: int, client_ip: str | None, locale: str | None = None) -> Challenge:
    """Send (or send again) the code that confirms the customer's wish for a card."""
    require_configured()
    return send_code(**_join_code_for(user_id), client_ip=client_ip, locale=locale)


def join(*, user_id: int, code: str) -> LoyaltyLink:
    """Check the join code, then ask for the card: the spent code commits with the link.

    Raises ``NotAcceptable`` for a refused code (or while the service is not configured).
    """
    require_configured()
    verify_code(**_join_code_for(user_id), code=code)
    return request_card(user_id=user_id)


def join_challenge(*, user_id: int) -> Challenge | None:
    return latest_challenge(purpose=JOIN_PURPOSE, subject=user_subject(user_id))


def retry_now(*, user_id: int) -> LoyaltyLink | None:
    """The customer pressed "try again" on a pending link."""
    require_configured()
    link = link_for(user_id=user_id)
    if link is None:
        return None
    return sync_link(link_id=link.id)


def profile_changed(*, user_id: int) -> None:
    """Push a customer's accepted profile changes to the service (or mark them for the next sync).

    Call after the change is committed.
    """
    link = link_for(user_id=user_id)
    if link is None or link.status == FAILED:
        return
    if link.status == ACTIVE:
        link.needs_push = True
        db.session.commit()
    sync_link(link_id=link.id)


def _due(*, everything: bool):
    query = select(LoyaltyLink.id).where(
        or_(LoyaltyLink.status.in_((PENDING, ERASING)), LoyaltyLink.needs_push.is_(True))
    )
    if not everything:
        query = query.where(or_(LoyaltyLink.next_attempt_at.is_(None), LoyaltyLink.next_attempt_at <= clock.now()))
    return query


def due_links(*, everything: bool = False) -> list[int]:
    return list(db.session.execute(_due(everything=everything).order_by(LoyaltyLink.id)).scalars())


def retry_pending(*, everything: bool = True, progress: Progress | None = None, every: int = 100) -> dict[str, int]:
    """Try every pending link once; the counts of each outcome.

    Each link is claimed with ``FOR UPDATE SKIP LOCKED`` and tried in its own
    transaction, which ``sync_link`` commits (the row lock is held for that one
    call to the service). So two runs at the same moment (two machines' cron)
    share the links: one that the other holds is skipped, and one that the other
    already tried in this run (``last_attempt_at`` since this run began) is not
    tried again. Interrupted, the links done stay done.
    """
    counts = {ACTIVE: 0, PENDING: 0, FAILED: 0}
    began = clock.now()
    last_id = 0
    while True:
        claim = (
            _due(everything=everything)
            .where(
                LoyaltyLink.id > last_id,
                or_(LoyaltyLink.last_attempt_at.is_(None), LoyaltyLink.last_attempt_at <= began),
            )
            .order_by(LoyaltyLink.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        link_id = db.session.execute(claim).scalar()
        if link_id is None:
            break
        link = sync_link(link_id=link_id)
        db.session.commit()  # sync_link commits what it did; this ends the claim when it had nothing to do
        last_id = link_id
        state = PENDING if link.status == ACTIVE and link.needs_push else link.status
        counts[state] = counts.get(state, 0) + 1
        done = sum(counts.values())
        if done % every == 0:
            log.info("loyalty retry: %d tried (%s)", done, counts)
            if progress is not None:
                progress(f"loyalty links: {done} tried")
    log.info("loyalty retry finished: %s", counts)
    return counts


def sync_on_visit(*, user_id: int) -> None:
    """On a customer's visit: retry their pending link if its back-off has passed.

    Also notices profile changes made elsewhere (the profile pages, ``/users/profile/``,
    an agent) that the service has not seen, and pushes them.
    """
    link = link_for(user_id=user_id)
    if link is None or link.status == FAILED:
        return
    if link.status == ACTIVE and not link.needs_push:
        if not _changed_fields(link, db.session.get(User, user_id)):
            return
        link.needs_push = True
        link.next_attempt_at = None
        db.session.commit()
    if link.next_attempt_at is not None and link.next_attempt_at > clock.now():
        return
    sync_link(link_id=link.id)


# --- the profile of a loyalty customer ----------------------------------------

PROFILE_PURPOSE = "loyalty_profile"


def update_loyalty_profile(
    *,
    user_id: int,
    changes: dict,
    origin: ChangeOrigin,
    code: str | None = None,
    resend: bool = False,
    locale: str | None = None,
    call_reference: str | None = None,
) -> profile.ProfileUpdate:
    """``PATCH /users/profile-with-loyalty/``: the profile's rules, plus a code for every new phone.

    With KVKK confirmation on, the profile's own confirmation already covers a
    new phone (the code goes to the new number), so this hands over. With it
    off, a new phone still needs a code here. Accepted changes are pushed to
    the loyalty service afterwards.
    """
    user = profile.get_user(user_id)
    effective = profile.effective_changes(user, changes)
    profile.refuse_phone_change_by_agent(effective, origin=origin)
    if "phone" in effective and not profile.kvkk_confirmation_enabled():
        subject = user_subject(user_id)
        payload = profile.confirmation_payload(user, effective)
        if resend or not code:
            challenge = send_code(
                purpose=PROFILE_PURPOSE,
                subject=subject,
                phone=effective["phone"],
                payload=payload,
                client_ip=origin.client_ip,
                locale=locale,
            )
            return profile.ProfileUpdate(
                user=user, status="resent" if resend else "pending", changes=effective, challenge=challenge
            )
        # Marks the code used in this transaction; update_profile commits it with the change.
        verify_code(purpose=PROFILE_PURPOSE, subject=subject, phone=effective["phone"], payload=payload, code=code)
        code, resend = None, False
    result = profile.update_profile(
        user_id=user_id,
        changes=changes,
        origin=origin,
        code=code,
        resend=resend,
        locale=locale,
        call_reference=call_reference,
    )
    if result.applied:
        profile_changed(user_id=user_id)
    return result
