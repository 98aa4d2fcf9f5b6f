"""Role checks for views and API routes."""

from __future__ import annotations

from functools import wraps

from flask import g
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.errors import PermissionDenied


def role_required(*roles: str):
    """Allow only logged-in users with one of ``roles``.

    While an agent acts as a customer (``g.acting_agent``), staff pages are
    refused: the agent sees the portal only as the customer does.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if g.get("acting_agent") is not None:
                raise PermissionDenied(_("Not available while acting as a customer. Stop acting first."))
            if current_user.role not in roles:
                raise PermissionDenied(_("You do not have permission to open this page."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def refuse_while_acting(view):
    """Refuse account-security actions (password, email, sessions, login) while
    an agent acts as the customer: customer service may help, never take over."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("acting_agent") is not None:
            raise PermissionDenied(
                _("Customer service cannot do this while acting as a customer: the customer must do it themselves.")
            )
        return view(*args, **kwargs)

    return wrapped


def refuse_sign_in_while_acting(view):
    """Refuse logging in and registering while an agent acts as a customer.

    Why (issue 17): either would start a session for another account inside the
    acting one, so the agent would silently become that customer, with the
    acting session (and its audit trail) still open.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("acting_agent") is not None:
            raise PermissionDenied(
                _("Logging in and registering are not possible while acting as a customer. Stop acting first.")
            )
        return view(*args, **kwargs)

    return wrapped
