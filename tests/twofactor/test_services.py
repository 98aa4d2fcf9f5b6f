"""Two-factor services against the real database, codes computed with pyotp."""

import pytest
from sqlalchemy import select

from portal.errors import FieldErrors, PermissionDenied
from portal.twofactor import services
from portal.twofactor.models import RecoveryCode, SecurityEvent, TotpDevice
from tests.conftest import DEMO_PASSWORD
from tests.twofactor.conftest import code_for


@pytest.fixture
def enabled(db, customer, frozen):
    """The demo customer with two-factor sign-in on: (user id, secret, recovery codes)."""
    pending = services.begin_setup(user_id=customer.id, issuer="Portal")
    codes = services.confirm_setup(user_id=customer.id, code=code_for(pending.secret), client_ip="192.0.2.1")
    frozen.advance(seconds=60)  # the setup code is spent; this step and the one before are fresh
    return customer.id, pending.secret, codes


def actions(db, user_id):
    return [
        e.action for e in db.session.execute(select(SecurityEvent).where(SecurityEvent.user_id == user_id)).scalars()
    ]


def test_setup_keeps_one_secret_until_confirmed_and_names_the_account(db, customer):
    first = services.begin_setup(user_id=customer.id, issuer="Portal")
    again = services.begin_setup(user_id=customer.id, issuer="Portal")
    assert first.secret == again.secret
    assert first.uri.startswith("otpauth://totp/Portal:demo%40example.com?secret=" + first.secret)
    assert services.is_enabled(user_id=customer.id) is False


def test_a_wrong_first_code_does_not_turn_it_on(db, customer, frozen):
    pending = services.begin_setup(user_id=customer.id, issuer="Portal")
    wrong = "000000" if code_for(pending.secret) != "000000" else "111111"
    with pytest.raises(FieldErrors) as error:
        services.confirm_setup(user_id=customer.id, code=wrong, client_ip=None)
    assert list(error.value.errors) == ["code"]
    assert services.status(user_id=customer.id) == services.TwoFactorStatus(enabled=False, recovery_codes_left=0)


def test_confirming_turns_it_on_with_ten_hashed_recovery_codes(db, enabled):
    user_id, _secret, codes = enabled
    assert len(codes) == 10 and len(set(codes)) == 10
    assert services.status(user_id=user_id) == services.TwoFactorStatus(enabled=True, recovery_codes_left=10)
    stored = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
    assert all(h.startswith("$argon2") for h in stored)
    assert not {c.replace("-", "") for c in codes} & set(stored)
    assert actions(db, user_id) == [services.EVENT_ENABLED]


def test_a_code_is_good_once_and_a_step_either_side(db, enabled, frozen):
    user_id, secret, _codes = enabled
    previous, current = code_for(secret, -1), code_for(secret)
    assert services.verify_second_factor(user_id=user_id, code=previous, client_ip=None) == "totp"
    assert services.verify_second_factor(user_id=user_id, code=current, client_ip=None) == "totp"
    with pytest.raises(FieldErrors):  # the same code again
        services.verify_second_factor(user_id=user_id, code=current, client_ip=None)
    with pytest.raises(FieldErrors):  # an older step after a newer one was used
        services.verify_second_factor(user_id=user_id, code=previous, client_ip=None)
    assert services.verify_second_factor(user_id=user_id, code=code_for(secret, 1), client_ip=None) == "totp"
    frozen.advance(seconds=120)
    with pytest.raises(FieldErrors):  # two steps away: drift beyond one step is refused
        services.verify_second_factor(user_id=user_id, code=code_for(secret, 2), client_ip=None)
    last_used = db.session.execute(select(TotpDevice.last_used_step)).scalar_one()
    assert last_used == int(frozen.now().timestamp()) // 30 - 3  # the newest step accepted


def test_a_recovery_code_is_good_once_and_recorded(db, enabled):
    user_id, _secret, codes = enabled
    typed = " " + codes[3].upper() + " "
    assert services.verify_second_factor(user_id=user_id, code=typed, client_ip="192.0.2.9") == "recovery_code"
    with pytest.raises(FieldErrors):
        services.verify_second_factor(user_id=user_id, code=codes[3], client_ip=None)
    assert services.status(user_id=user_id).recovery_codes_left == 9
    assert actions(db, user_id) == [services.EVENT_ENABLED, services.EVENT_RECOVERY_USED]


def test_without_two_factor_no_code_passes(db, customer, frozen):
    pending = services.begin_setup(user_id=customer.id, issuer="Portal")  # never confirmed
    with pytest.raises(FieldErrors):
        services.verify_second_factor(user_id=customer.id, code=code_for(pending.secret), client_ip=None)


def test_regenerating_replaces_the_recovery_codes(db, enabled):
    user_id, _secret, old = enabled
    with pytest.raises(FieldErrors) as error:
        services.regenerate_recovery_codes(user_id=user_id, password="wrong", client_ip=None)
    assert list(error.value.errors) == ["password"]
    new = services.regenerate_recovery_codes(user_id=user_id, password=DEMO_PASSWORD, client_ip=None)
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(FieldErrors):
        services.verify_second_factor(user_id=user_id, code=old[0], client_ip=None)
    assert services.verify_second_factor(user_id=user_id, code=new[0], client_ip=None) == "recovery_code"


def test_disabling_needs_the_password_and_is_refused_while_required(db, enabled):
    user_id, secret, _codes = enabled
    with pytest.raises(PermissionDenied):
        services.disable(user_id=user_id, password=DEMO_PASSWORD, required=True, client_ip=None)
    with pytest.raises(FieldErrors):
        services.disable(user_id=user_id, password="wrong", required=False, client_ip=None)
    assert services.is_enabled(user_id=user_id)
    services.disable(user_id=user_id, password=DEMO_PASSWORD, required=False, client_ip=None)
    assert services.status(user_id=user_id) == services.TwoFactorStatus(enabled=False, recovery_codes_left=0)
    assert db.session.get(TotpDevice, user_id) is None
    assert actions(db, user_id) == [services.EVENT_ENABLED, services.EVENT_DISABLED]


def test_reauthenticate_takes_the_password_or_a_code(db, enabled):
    user_id, secret, _codes = enabled
    assert services.reauthenticate(user_id=user_id, password=DEMO_PASSWORD, code=None, client_ip=None) == "password"
    assert services.reauthenticate(user_id=user_id, password=None, code=code_for(secret), client_ip=None) == "totp"
    with pytest.raises(FieldErrors) as error:
        services.reauthenticate(user_id=user_id, password=None, code=None, client_ip=None)
    assert list(error.value.errors) == ["password"]
