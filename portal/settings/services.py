"""Reading and writing dynamic settings.

``get_setting`` reads a key from the database at most once per request (or
app context, for commands): the value is cached on ``flask.g``, so a request
sees one consistent value even if an operator changes it meanwhile, and the
next request sees the change without a restart.

``set_setting`` validates every known key; unknown keys are refused so that a
typo on the command line cannot create a setting nothing reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from portal import clock
from portal.errors import FieldErrors
from portal.extensions import db
from portal.settings.models import Setting

KVKK_CONFIRMATION_ENABLED = "KVKK_CONFIRMATION_ENABLED"
CUSTOMER_LOYALTY_CARD_SERVICE = "CUSTOMER_LOYALTY_CARD_SERVICE"

# Bounds for the loyalty service timeout, in seconds: long enough for a slow
# service, short enough that a registration never hangs a worker for long.
LOYALTY_TIMEOUT_MIN = 0.1
LOYALTY_TIMEOUT_MAX = 30.0

_MISSING = object()
_CACHE = "_portal_settings"


def _validate_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldErrors({"value": [_("Must be a valid boolean.")]})
    return value


def _validate_loyalty_service(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldErrors({"value": [_("Must be an object with base_url, api_key and timeout.")]})
    errors: dict[str, list[str]] = {}
    base_url = value.get("base_url")
    if not isinstance(base_url, str) or not base_url.strip():
        errors["base_url"] = [_("This field is required.")]
    else:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            errors["base_url"] = [_("Enter an http or https URL without query or fragment.")]
    api_key = value.get("api_key")
    if not isinstance(api_key, str) or not api_key.strip():
        errors["api_key"] = [_("This field is required.")]
    elif len(api_key) > 512:
        errors["api_key"] = [_("Ensure this field has no more than 512 characters.")]
    timeout = value.get("timeout")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not math.isfinite(timeout):
        errors["timeout"] = [_("A valid number is required.")]
    elif not LOYALTY_TIMEOUT_MIN <= timeout <= LOYALTY_TIMEOUT_MAX:
        errors["timeout"] = [
            _("Must be between %(low)s and %(high)s seconds.", low=LOYALTY_TIMEOUT_MIN, high=LOYALTY_TIMEOUT_MAX)
        ]
    unknown = sorted(set(value) - {"base_url", "api_key", "timeout"})
    if unknown:
        errors["value"] = [_("Unknown keys: %(keys)s.", keys=", ".join(unknown))]
    if errors:
        raise FieldErrors(errors)
    return {"base_url": base_url.strip().rstrip("/"), "api_key": api_key.strip(), "timeout": float(timeout)}


# key -> (validator returning the cleaned value, keys of the value that are secret)
KNOWN_SETTINGS: dict[str, tuple[Callable[[Any], Any], tuple[str, ...]]] = {
    KVKK_CONFIRMATION_ENABLED: (_validate_bool, ()),
    CUSTOMER_LOYALTY_CARD_SERVICE: (_validate_loyalty_service, ("api_key",)),
}


def _cache() -> dict[str, Any]:
    if _CACHE not in g:
        setattr(g, _CACHE, {})
    return getattr(g, _CACHE)


def get_setting(key: str, default: Any = None) -> Any:
    """The value of ``key``, or ``default`` when it is not set."""
    cache = _cache()
    if key not in cache:
        row = db.session.execute(select(Setting.value).where(Setting.key == key)).first()
        cache[key] = _MISSING if row is None else row.value
    value = cache[key]
    return default if value is _MISSING else value


def all_settings() -> list[Setting]:
    return list(db.session.execute(select(Setting).order_by(Setting.key)).scalars())


def validate_setting(key: str, value: Any) -> Any:
    """The cleaned value, or ``FieldErrors``."""
    if key not in KNOWN_SETTINGS:
        raise FieldErrors({"key": [_("Unknown setting %(key)s.", key=key)]})
    validator, _secret = KNOWN_SETTINGS[key]
    return validator(value)


def set_setting(key: str, value: Any, *, actor_id: int | None = None) -> Any:
    """Validate and store ``value`` (one transaction); returns the stored value."""
    cleaned = validate_setting(key, value)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=cleaned, updated_by=actor_id, updated_at=clock.now()))
    else:
        row.value = cleaned
        row.updated_by = actor_id
        row.updated_at = clock.now()
    db.session.commit()
    _cache()[key] = cleaned
    return cleaned


def unset_setting(key: str) -> bool:
    """Remove ``key`` (it becomes "not configured"); True if it was set."""
    if key not in KNOWN_SETTINGS:
        raise FieldErrors({"key": [_("Unknown setting %(key)s.", key=key)]})
    row = db.session.get(Setting, key)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
    _cache()[key] = _MISSING
    return row is not None


def redacted(key: str, value: Any) -> Any:
    """The value with its secret parts hidden, for listings and logs."""
    secret = KNOWN_SETTINGS.get(key, (None, ()))[1]
    if isinstance(value, dict) and secret:
        return {k: ("********" if k in secret and v else v) for k, v in value.items()}
    return value
