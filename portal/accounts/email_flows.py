"""Flows that go through the customer's mailbox: password reset, verified email
change, confirmation of a new account's address, and security notices.

Plain functions over plain values; each owns its transaction. Every email is sent
before the commit (``portal.mail.services``): when it cannot go out, nothing changes.
None of the answers depends on whether an address has an account: where it would,
the difference is said in the email to that address instead.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from limits import parse
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts import tokens
from portal.accounts.models import AuthToken, User
from portal.accounts.notices import notify
from portal.accounts.password_rules import password_problems
from portal.accounts.passwords import hash_password, verify_password
from portal.accounts.services import normalise_email, user_by_email
from portal.accounts.throttle import account_key
from portal.errors import FieldErrors
from portal.extensions import db, limiter
from portal.mail.services import send_mail
from portal.request_context import ChangeOrigin
from portal.sessions import end_user_sessions


def _link(endpoint: str, token: str) -> str:
    return url_for(endpoint, token=token, _external=True)


# --- password reset ------------------------------------------------------------------------


def _reset_fingerprint(user: User) -> str:
    return tokens.fingerprint(str(user.id), user.password_hash, user.email)


def reset_token(user: User) -> str:
    return tokens.make(tokens.RESET, {"u": user.id, "f": _reset_fingerprint(user)})


def request_password_reset(*, email: str, language_code: str | None) -> None:
    """Email a reset link to the account at ``email``; to an address without an
    account (or a closed one), an email saying so. The caller answers the same either way.

    ``language_code`` is the requester's, used only when there is no account.
    """
    address = normalise_email(email)
    user = user_by_email(address)
    if user is None or not user.is_active:
        send_mail(to=address, template="password_reset_unknown", language_code=language_code, email=address)
    else:
        send_mail(
            to=user.email,
            template="password_reset",
            language_code=user.language_code,
            user=user,
            link=_link("email_flows.reset", reset_token(user)),
            minutes=current_app.config["PASSWORD_RESET_TIMEOUT"] // 60,
        )
    db.session.commit()  # the outbox's record, in development


def user_for_reset_token(token: str) -> User | None:
    """The user a live reset link belongs to, or None (bad, expired, or already used)."""
    payload = tokens.read(tokens.RESET, token, max_age=current_app.config["PASSWORD_RESET_TIMEOUT"])
    if payload is None:
        return None
    user = db.session.get(User, payload.get("u"))
    if user is None or not user.is_active or payload.get("f") != _reset_fingerprint(user):
        return None
    return user


def invalid_link() -> FieldErrors:
    return FieldErrors({"token": [_("This link is invalid or has expired. Please ask for a new one.")]})


def reset_password(*, token: str, new_password1: str, new_password2: str, origin: ChangeOrigin) -> User:
    """Set a new password with a reset link. Then every session and API token of the
    account ends, its login failures are forgotten, and a notice goes to its address.
    The link proved the mailbox, so the address counts as confirmed too."""
    user = user_for_reset_token(token)
    if user is None:
        raise invalid_link()
    if new_password1 != new_password2:
        raise FieldErrors({"new_password2": [_("The two password fields didn't match.")]})
    problems = password_problems(new_password1, email=user.email)
    if problems:
        raise FieldErrors({"new_password1": problems})
    user.password_hash = hash_password(new_password1)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
    db.session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
    notify(user, "password_changed", origin=origin)
    db.session.commit()
    end_user_sessions(user.id)
    clear_login_failures(user.email)
    return user


def clear_login_failures(email: str) -> None:
    """Forget the account's failed logins (the throttle's per-account counter)."""
    item = parse(current_app.config["LOGIN_FAILURES_PER_ACCOUNT"])
    limiter.limiter.clear(item, account_key(email), "login-account")


# --- verified email change -----------------------------------------------------------------


def _change_token(user: User, new_email: str) -> str:
    return tokens.make(tokens.EMAIL_CHANGE, {"u": user.id, "e": new_email, "f": tokens.fingerprint(user.email)})


def request_email_change(*, user_id: int, email: str, password: str) -> str:
    """Send a link to the new address; the address changes only when it is opened.

    To an address that already has an account goes an email saying so instead:
    the answer (the new address, normalised) is the same for both.
    """
    user = db.session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, password):
        raise FieldErrors({"password": [_("The password is not correct.")]})
    new_email = normalise_email(email)
    if new_email == user.email:
        raise FieldErrors({"email": [_("This is already your email address.")]})
    other = user_by_email(new_email)
    if other is not None:
        send_mail(to=new_email, template="email_change_taken", language_code=user.language_code, email=new_email)
    else:
        send_mail(
            to=new_email,
            template="email_change",
            language_code=user.language_code,
            user=user,
            new_email=new_email,
            link=_link("email_flows.email_set_primary", _change_token(user, new_email)),
            days=max(1, current_app.config["EMAIL_CONFIRMATION_TIMEOUT"] // 86400),
        )
    db.session.commit()
    return new_email


def confirm_email_change(*, token: str, origin: ChangeOrigin) -> User:
    """Make the address in the link the account's; a notice goes to the old one."""
    payload = tokens.read(tokens.EMAIL_CHANGE, token, max_age=current_app.config["EMAIL_CONFIRMATION_TIMEOUT"])
    user = db.session.get(User, payload.get("u")) if payload else None
    if user is None or not user.is_active or payload.get("f") != tokens.fingerprint(user.email):
        raise invalid_link()
    new_email = payload["e"]
    if user_by_email(new_email) is not None:
        raise FieldErrors({"token": [_("This address now belongs to another account.")]})
    old_email = user.email
    # A consent is for one address: the old address's email consent ends with it (RET).
    from portal.profile.services import withdraw_for_old_address  # profile builds on accounts

    withdraw_for_old_address(user=user, old_address=old_email, channels=("email",), origin=origin)
    user.email = new_email
    user.email_confirmed_at = clock.now()
    notify(user, "email_changed", origin=origin, to=old_email, old_email=old_email, new_email=new_email)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise FieldErrors({"token": [_("This address now belongs to another account.")]}) from None
    return user


# --- confirming a new account's address -----------------------------------------------------


def confirmation_token(user: User, *, optin_source: str | None = None) -> str:
    payload = {"u": user.id, "e": user.email}
    if optin_source:
        payload["o"] = optin_source  # the email consent ticked at sign-up waits for this link
    return tokens.make(tokens.EMAIL_CONFIRM, payload)


def send_confirmation(user: User, *, optin_source: str | None = None) -> None:
    """Send the link that confirms the account's address (in the caller's transaction).

    With ``optin_source`` (``web``/``api``: where the customer signed up) the email
    consent ticked at sign-up waits for this link too (double opt-in): opening it
    confirms the address and starts the email consent (docs/consents.md).
    """
    send_mail(
        to=user.email,
        template="email_confirm",
        language_code=user.language_code,
        user=user,
        link=_link("email_flows.confirm_email", confirmation_token(user, optin_source=optin_source)),
        days=max(1, current_app.config["EMAIL_CONFIRMATION_TIMEOUT"] // 86400),
        optin=bool(optin_source),
    )


def resend_confirmation(*, email: str) -> None:
    """Send the confirmation again to an unconfirmed account at ``email``; for any
    other address nothing is sent, and the caller answers the same."""
    from portal.profile.email_optin import signup_optin_source  # profile builds on accounts

    user = user_by_email(email)
    if user is not None and user.is_active and user.email_confirmed_at is None:
        send_confirmation(user, optin_source=signup_optin_source(user))
        db.session.commit()


def confirm_email(*, token: str, client_ip: str | None = None, user_agent: str = "") -> User:
    """Confirm the address; a sign-up's email consent waiting for this link starts too."""
    from portal.profile.email_optin import confirm_signup_optin  # profile builds on accounts

    payload = tokens.read(tokens.EMAIL_CONFIRM, token, max_age=current_app.config["EMAIL_CONFIRMATION_TIMEOUT"])
    user = db.session.get(User, payload.get("u")) if payload else None
    if user is None or payload.get("e") != user.email:
        raise invalid_link()
    changed = False
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        changed = True
    if payload.get("o") in ("web", "api"):
        changed = confirm_signup_optin(
            user=user, token=token, source=payload["o"], client_ip=client_ip, user_agent=user_agent
        ) or changed
    if changed:
        db.session.commit()
    return user
