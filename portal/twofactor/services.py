"""Two-factor services: setting up an authenticator, checking a second factor,
recovery codes. Plain keyword-only functions over plain values; they own the
transaction and raise ``FieldErrors`` / ``PermissionDenied``.

A TOTP code is accepted for the current 30-second step and one step either side
(clock drift), and only once: the step of the last accepted code is stored and
a conditional ``UPDATE`` moves it forward, so two requests with the same code
cannot both pass. A recovery code is spent the same way (``used_at`` set only
where it was still empty). Wrong codes are limited by the login throttle
(``portal.accounts.throttle``), as wrong passwords are.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from portal import clock
from portal.accounts.models import User
from portal.accounts.passwords import hash_password, verify_password
from portal.errors import FieldErrors, PermissionDenied
from portal.extensions import db
from portal.twofactor.models import RecoveryCode, SecurityEvent, TotpDevice

RECOVERY_CODE_COUNT = 10
DRIFT_STEPS = 1  # accept the previous and the next 30-second code too

METHOD_TOTP = "totp"
METHOD_RECOVERY = "recovery_code"

EVENT_ENABLED = "two_factor_enabled"
EVENT_DISABLED = "two_factor_disabled"
EVENT_RECOVERY_USED = "recovery_code_used"
EVENT_RECOVERY_REGENERATED = "recovery_codes_regenerated"


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    recovery_codes_left: int


@dataclass(frozen=True)
class PendingSetup:
    secret: str
    uri: str  # otpauth://… for the QR code


def _confirmed_device(user_id: int) -> TotpDevice | None:
    return db.session.execute(
        select(TotpDevice).where(TotpDevice.user_id == user_id, TotpDevice.confirmed_at.is_not(None))
    ).scalar_one_or_none()


def is_enabled(*, user_id: int) -> bool:
    return (
        db.session.execute(
            select(TotpDevice.user_id).where(TotpDevice.user_id == user_id, TotpDevice.confirmed_at.is_not(None))
        ).first()
        is not None
    )


def status(*, user_id: int) -> TwoFactorStatus:
    left = db.session.execute(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).scalar_one()
    return TwoFactorStatus(enabled=is_enabled(user_id=user_id), recovery_codes_left=left)


def begin_setup(*, user_id: int, issuer: str) -> PendingSetup:
    """The secret to enter in the app: kept while setup waits for its first code,
    so reloading the page does not invalidate what the user already scanned."""
    user = db.session.get(User, user_id)
    device = db.session.get(TotpDevice, user_id)
    if device is not None and device.confirmed_at is not None:
        raise PermissionDenied(_("Two-factor sign-in is already on."))
    if device is None:
        device = TotpDevice(user_id=user_id, secret=pyotp.random_base32())
        db.session.add(device)
        db.session.commit()
    uri = pyotp.TOTP(device.secret).provisioning_uri(name=user.email, issuer_name=issuer)
    return PendingSetup(secret=device.secret, uri=uri)


def _matching_step(secret: str, code: str, at: datetime) -> int | None:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _spend_step(user_id: int, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was."""
    result = db.session.execute(
        update(TotpDevice)
        .where(
            TotpDevice.user_id == user_id,
            or_(TotpDevice.last_used_step.is_(None), TotpDevice.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _new_recovery_codes(user_id: int) -> list[str]:
    """Replace the user's recovery codes (not committed); returns them in clear, once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 40 bits, shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user_id, code_hash=hash_password(raw)))
    return codes


def _record(user_id: int, action: str, client_ip: str | None, **details) -> None:
    db.session.add(SecurityEvent(user_id=user_id, action=action, client_ip=client_ip, details=details))


def confirm_setup(*, user_id: int, code: str, client_ip: str | None) -> list[str]:
    """Turn two-factor sign-in on with the first code from the app; returns the recovery codes."""
    device = db.session.get(TotpDevice, user_id)
    if device is None or device.confirmed_at is not None:
        raise FieldErrors({"code": [_("Start the setup again: open the two-factor page.")]})
    step = _matching_step(device.secret, code, clock.now())
    if step is None or not _spend_step(user_id, step):
        db.session.rollback()
        raise FieldErrors({"code": [_("The code is not correct. Check the time on your phone and try again.")]})
    device.confirmed_at = clock.now()
    codes = _new_recovery_codes(user_id)
    _record(user_id, EVENT_ENABLED, client_ip)
    db.session.commit()
    return codes


def verify_second_factor(*, user_id: int, code: str, client_ip: str | None, field: str = "code") -> str:
    """Check a TOTP code or a recovery code and spend it; returns which it was.

    One answer for every failure, under ``field``.
    """
    wrong = FieldErrors({field: [_("The code is not correct.")]})
    device = _confirmed_device(user_id)
    if device is None or not isinstance(code, str):
        raise wrong
    step = _matching_step(device.secret, code, clock.now())
    if step is not None:
        if _spend_step(user_id, step):
            db.session.commit()
            return METHOD_TOTP
        db.session.rollback()
        raise wrong
    candidate = code.strip().lower().replace("-", "").replace(" ", "")
    if len(candidate) != 10 or not candidate.isascii() or not candidate.isalnum():
        raise wrong
    unused = db.session.execute(
        select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).scalars()
    for row in unused:
        if verify_password(row.code_hash, candidate):
            spent = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=clock.now())
                .execution_options(synchronize_session=False)
            )
            if spent.rowcount != 1:
                break
            _record(user_id, EVENT_RECOVERY_USED, client_ip)
            db.session.commit()
            return METHOD_RECOVERY
    db.session.rollback()
    raise wrong


def regenerate_recovery_codes(*, user_id: int, password: str, client_ip: str | None) -> list[str]:
    """New recovery codes (the old ones stop working); the password confirms it."""
    _check_password(user_id, password)
    if _confirmed_device(user_id) is None:
        raise PermissionDenied(_("Two-factor sign-in is off."))
    codes = _new_recovery_codes(user_id)
    _record(user_id, EVENT_RECOVERY_REGENERATED, client_ip)
    db.session.commit()
    return codes


def disable(*, user_id: int, password: str, required: bool, client_ip: str | None) -> None:
    """Turn two-factor sign-in off; refused while it is required for the user's role."""
    if required:
        raise PermissionDenied(_("Two-factor sign-in is required for your account and cannot be turned off."))
    _check_password(user_id, password)
    if _confirmed_device(user_id) is None:
        raise PermissionDenied(_("Two-factor sign-in is off."))
    db.session.execute(delete(TotpDevice).where(TotpDevice.user_id == user_id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    _record(user_id, EVENT_DISABLED, client_ip)
    db.session.commit()


def reauthenticate(*, user_id: int, password: str | None, code: str | None, client_ip: str | None) -> str:
    """The password or a second factor, before a sensitive action; returns which."""
    if password:
        _check_password(user_id, password)
        return "password"
    if code:
        return verify_second_factor(user_id=user_id, code=code, client_ip=client_ip)
    raise FieldErrors({"password": [_("Enter your password or a code from your authenticator app.")]})


def _check_password(user_id: int, password: str) -> None:
    user = db.session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, password):
        raise FieldErrors({"password": [_("The password is not correct.")]})


def events(*, user_id: int) -> list[SecurityEvent]:
    return list(
        db.session.execute(
            select(SecurityEvent).where(SecurityEvent.user_id == user_id).order_by(SecurityEvent.id.desc())
        ).scalars()
    )
