"""Account services: plain functions over plain values; they own the transaction."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from portal.accounts.models import AuthToken, User
from portal.accounts.password_rules import password_problems
from portal.accounts.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from portal.errors import FieldErrors
from portal.extensions import db
from portal.metrics import LOGINS
from portal.request_context import ChangeOrigin
from portal.sessions import end_stored_session, end_user_sessions


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(*, email: str, password: str) -> User:
    """The active user with these credentials; one answer for every failure."""
    user = user_by_email(email)
    if user is None:
        dummy_verify(password)
    elif verify_password(user.password_hash, password) and user.is_active:
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            db.session.commit()
        LOGINS.labels(outcome="success").inc()
        return user
    LOGINS.labels(outcome="failed").inc()
    raise FieldErrors({"non_field_errors": [_("Unable to log in with provided credentials.")]})


def create_user(*, email: str, password: str, role: str = "customer", **fields) -> User:
    user = User(email=normalise_email(email), password_hash=hash_password(password), role=role, **fields)
    db.session.add(user)
    db.session.commit()
    return user


def issue_token(*, user: User, session_id: str | None = None) -> str:
    """A new API key for the user, linked to the login's session; only its hash is stored."""
    key = secrets.token_hex(20)
    db.session.add(AuthToken(key_hash=AuthToken.hash_key(key), user_id=user.id, session_id=session_id))
    db.session.commit()
    return key


def link_token_to_session(*, key_hash: str, session_id: str) -> None:
    """The token's login now has this session id (it was rotated). On a connection
    of its own: the request's unfinished business is neither committed nor needed."""
    with db.engine.begin() as conn:
        conn.execute(update(AuthToken.__table__).where(AuthToken.key_hash == key_hash).values(session_id=session_id))


def revoke_token(*, key_hash: str) -> None:
    """End one login: its token and the session it was issued with."""
    session_id = db.session.execute(
        delete(AuthToken).where(AuthToken.key_hash == key_hash).returning(AuthToken.session_id)
    ).scalar_one_or_none()
    db.session.commit()
    if session_id:
        end_stored_session(session_id)


def revoke_all_tokens(*, user: User) -> None:
    db.session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
    db.session.commit()


def _user_with_password(*, user_id: int, password: str, field: str) -> User:
    user = db.session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, password):
        raise FieldErrors({field: [_("The password is not correct.")]})
    return user


def change_password(
    *,
    user_id: int,
    current_password: str,
    new_password: str,
    keep_session_id: str | None,
    keep_token_hash: str | None = None,
) -> None:
    """A new password; every other session and API token of the user ends."""
    user = _user_with_password(user_id=user_id, password=current_password, field="current_password")
    problems = password_problems(new_password, email=user.email)
    if problems:
        raise FieldErrors({"new_password": problems})
    user.password_hash = hash_password(new_password)
    _end_other_logins(user_id=user.id, keep_session_id=keep_session_id, keep_token_hash=keep_token_hash)


def change_email(*, user_id: int, email: str, password: str, origin: ChangeOrigin | None = None) -> User:
    """A new email; an email consent given for the old address ends with it (``RET`` recorded)."""
    from portal.profile.services import withdraw_for_old_address  # profile builds on accounts

    user = _user_with_password(user_id=user_id, password=password, field="password")
    email = normalise_email(email)
    other = user_by_email(email)
    if other is not None and other.id != user.id:
        raise FieldErrors({"email": [_("A user with that email already exists.")]})
    if email != user.email:
        origin = origin or ChangeOrigin(source="web", actor_id=user.id, client_ip=None, user_agent="")
        withdraw_for_old_address(user=user, old_address=user.email, channels=("email",), origin=origin)
    user.email = email
    db.session.commit()
    return user


def end_other_sessions(*, user_id: int, keep_session_id: str | None, keep_token_hash: str | None = None) -> int:
    """End every other login of the user, its session and its API token; returns
    how many sessions ended."""
    return _end_other_logins(user_id=user_id, keep_session_id=keep_session_id, keep_token_hash=keep_token_hash)


def _end_other_logins(*, user_id: int, keep_session_id: str | None, keep_token_hash: str | None) -> int:
    """Commit the request's change with the other logins' tokens deleted, then end
    their sessions. This login (this session, and the token it was made with or
    is calling with, and that token's session) lives on."""
    kept_token_session = None
    if keep_token_hash:
        kept_token_session = db.session.execute(
            select(AuthToken.session_id).where(AuthToken.key_hash == keep_token_hash, AuthToken.user_id == user_id)
        ).scalar_one_or_none()
    db.session.execute(
        delete(AuthToken).where(AuthToken.user_id == user_id, AuthToken.key_hash != (keep_token_hash or ""))
    )
    db.session.commit()
    return end_user_sessions(user_id, keep=(keep_session_id, kept_token_session))
