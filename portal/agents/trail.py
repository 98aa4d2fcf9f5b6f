"""The audit trail as sentences (issue 21): "Changed SMS consent to off, with call
reference CALL-8.", "Tried to change the security settings; refused (403).".

``describe(event)`` reads one ``AuditEvent`` (its action and details) and gives the
sentence in the reader's language; templates call it as ``audit_sentence(event)``.
Lines recorded before the consent changes were copied into them (``details``
without ``consents``) still read as "Changed the consents.".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

CHANNELS = {"sms": _l("SMS"), "email": _l("email"), "call": _l("phone call")}
STOPS = {
    "stop": _l("Stopped acting."),
    "logout": _l("Stopped acting by logging out."),
    "expired": _l("Acting ended: the time limit was reached."),
    "invalid": _l("Acting ended: the account was no longer eligible."),
}
# What a write changed, by the endpoint that took it (exact name, else its blueprint).
WHAT = {
    "profile.profile": _l("the profile"),
    "profile_api": _l("the profile"),
    "profile.attributes": _l("the profile's attributes"),
    "profile.avatar": _l("the profile picture"),
    "profile.consents": _l("the consents"),
    "profile.confirm": _l("the changes waiting for a code"),
    "segments": _l("the customer group"),
    "loyalty": _l("the loyalty card"),
    "account_security": _l("the security settings"),
    "twofactor": _l("the security settings"),
    "privacy": _l("the privacy settings"),
}


def describe(event) -> str:
    details: dict[str, Any] = event.details or {}
    if event.action == "start":
        return _("Started acting as the customer, until %(time)s.", time=_time(details.get("ends_at")))
    if event.action == "stop":
        return str(STOPS.get(details.get("why"), STOPS["stop"]))
    if event.action == "erase":
        return _("Deleted the account.")
    if event.action == "password_reset":
        return _("Sent a password reset link.")
    if event.action == "write":
        return _write(details)
    return str(event.action)


def _write(details: dict[str, Any]) -> str:
    status = int(details.get("status") or 0)
    consents = details.get("consents") or []
    if consents and status < 400:
        return "; ".join(_consent(change) for change in consents) + "."
    endpoint = details.get("endpoint") or ""
    what = WHAT.get(endpoint) or WHAT.get(endpoint.split(".")[0])
    if what is None:
        return _(
            "Sent %(method)s %(path)s, answered %(status)s.",
            method=details.get("method"),
            path=details.get("path"),
            status=status,
        )
    if status >= 400:
        return _("Tried to change %(what)s; refused (%(status)s).", what=what, status=status)
    return _("Changed %(what)s.", what=what)


def _consent(change: dict[str, Any]) -> str:
    sentence = _(
        "Changed %(channel)s consent to %(state)s",
        channel=CHANNELS.get(change.get("channel"), change.get("channel")),
        state=_("on") if change.get("granted") else _("off"),
    )
    if change.get("by_code"):
        return _("%(change)s, confirmed by code", change=sentence)
    if change.get("call_reference"):
        return _("%(change)s, with call reference %(reference)s", change=sentence, reference=change["call_reference"])
    return sentence


def _time(value: str | None) -> str:
    if not value:
        return "?"
    return format_datetime(datetime.fromisoformat(value), "HH:mm")
