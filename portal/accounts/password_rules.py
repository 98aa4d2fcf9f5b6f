"""The password rules for every new password, at registration and at a change
(NIST SP 800-63B style): a length, no composition rules, not a common password,
not built from the email address."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_COUNT = 10_000
# A local part shorter than this is too common a substring to forbid ("a@…").
MIN_LOCAL_PART = 3


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords of zxcvbn's ranked list (lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_COUNT])


def password_problems(password: str, *, email: str | None) -> list[str]:
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append(
            str(_l("The password must have %(low)d to %(high)d characters.", low=MIN_LENGTH, high=MAX_LENGTH))
        )
        return problems
    if password.lower() in common_passwords():
        problems.append(str(_l("This password is too common.")))
    local = (email or "").partition("@")[0].lower()
    if len(local) >= MIN_LOCAL_PART and local in password.lower():
        problems.append(str(_l("The password must not contain your email address.")))
    return problems


class NewPassword:
    """For a form with an ``email`` field declared before the password (it is validated, and normalised, first)."""

    def __call__(self, form, field):
        if not field.data:
            return
        email_field = getattr(form, "email", None)
        email = email_field.data if email_field is not None and not email_field.errors else None
        problems = password_problems(field.data, email=email)
        if problems:
            raise ValidationError(" ".join(problems))
