"""Password hashing: argon2id with argon2-cffi's RFC 9106 defaults (stronger than
OWASP's minimum of m=19 MiB, t=2, p=1)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[str, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", "default")
    if profile not in _hashers:
        if profile == "fast-for-tests":
            _hashers[profile] = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        else:
            _hashers[profile] = PasswordHasher()
    return _hashers[profile]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


_dummy_hashes: dict[str, str] = {}


def dummy_verify(password: str) -> None:
    """Verify against a throwaway hash when the email is unknown, so that an
    unknown email and a wrong password take the same time."""
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", "default")
    if profile not in _dummy_hashes:
        _dummy_hashes[profile] = hash_password("portal-dummy-password")
    verify_password(_dummy_hashes[profile], password)
