"""Sign-in by a code sent by SMS, on the one code service (``portal.otp``).

Nothing here may tell a caller whether a number has an account:

- ``request_code`` goes through ``send_code`` for every valid number, with the
  same locks, caps and cooldown, so every limit answers the same way; only a
  number with an account gets an SMS (each costs money). For the others the
  message is recorded ``withheld`` and counts against the caps as if sent.
- ``sign_in`` checks the code with ``verify_code`` for every number: a number
  without an account has a code row nobody knows, so a guess is a wrong code
  like any other, counted against the same limits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.errors import NotAcceptable
from portal.extensions import db
from portal.otp.services import WRONG_CODE, Challenge, latest_challenge, send_code, verify_code

PURPOSE = "login"


def login_subject(phone: str) -> str:
    """No one is signed in yet: the code belongs to the number."""
    return f"login:{phone}"


def _account(phone: str) -> User | None:
    return db.session.execute(select(User).where(User.phone == phone, User.is_active.is_(True))).scalar_one_or_none()


def _code_for(phone: str, user: User | None) -> dict:
    # Bound to the account the number belonged to when the code was sent: if the
    # number moves to another account meanwhile, the code signs no one in.
    return {
        "purpose": PURPOSE,
        "subject": login_subject(phone),
        "phone": phone,
        "payload": {"login_user_id": user.id if user else None},
    }


def request_code(*, phone: str, client_ip: str | None, locale: str | None = None) -> Challenge:
    """Send a sign-in code to ``phone`` (E.164) if it has an account; answer the same either way.

    Raises ``RateLimited`` / ``ServiceUnavailable`` like every code send.
    """
    user = _account(phone)
    return send_code(**_code_for(phone, user), client_ip=client_ip, locale=locale, deliver=user is not None)


def sign_in(*, phone: str, code: str) -> User:
    """The account whose number this code was sent to.

    The code is marked used in the caller's transaction, NOT committed: the
    caller commits it with the login (the token it issues), so a code is spent
    only by a login that happened. Raises ``NotAcceptable`` for a refused code.
    """
    user = _account(phone)
    verify_code(**_code_for(phone, user), code=code)
    if user is None:  # a code nobody was sent, guessed: a wrong code like any other
        db.session.rollback()
        raise NotAcceptable(WRONG_CODE, _("Verification codes do not match."))
    return user


def challenge_for(phone: str) -> Challenge | None:
    return latest_challenge(purpose=PURPOSE, subject=login_subject(phone))
