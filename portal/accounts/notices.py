"""Security notices by email: what happened, when (in the portal's time zone, named),
from where (IP address and device), and what to do if it was not the customer."""

from __future__ import annotations

from flask import url_for

from portal.accounts.models import User
from portal.mail.services import language_of, send_mail, when_and_where
from portal.request_context import ChangeOrigin


def notify(user: User, template: str, *, origin: ChangeOrigin | None, to: str | None = None, **context) -> None:
    """Send the notice ``template`` about ``user``'s account (to ``to``, else their address).

    Sent in the caller's transaction, before its commit: when it cannot go out, the
    change is not made either (``ServiceUnavailable``).
    """
    send_mail(
        to=to or user.email,
        template=template,
        language_code=user.language_code,
        user=user,
        reset_url=url_for("email_flows.reset_request", _external=True),
        **when_and_where(
            client_ip=origin.client_ip if origin else None,
            user_agent=origin.user_agent if origin else None,
            language=language_of(user.language_code),
        ),
        **context,
    )
