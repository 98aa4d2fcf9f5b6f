"""Style guide entries for the site-wide templates: error pages and the component gallery."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.styleguide import entry, fixtures
from portal.styleguide.components import ComponentsForm, components_context


def _error(status: int, title: str, message: str, retry_after: int | None = None) -> dict:
    return {"status": status, "title": title, "message": message, "retry_after": retry_after}


@entry("errors/error.html", "not found (404)")
def not_found():
    message = _("There is no page at this address. Check the address or go back to your account.")
    return _error(404, _("Page not found"), message)


@entry("errors/error.html", "form expired (CSRF)")
def form_expired():
    return _error(
        403,
        _("Your form expired"),
        _("The page was open too long or came from another site. Go back, reload it and try again."),
    )


@entry("errors/error.html", "not allowed (403)", logged_in=True)
def not_allowed():
    return _error(403, _("Not allowed"), _("You do not have permission to open this page."))


@entry("errors/error.html", "rate limited (429)", note="Retry-After shown as a locale-formatted duration.")
def rate_limited():
    return _error(429, _("Too many attempts"), _("Too many attempts. Please wait a little and try again."), 300)


@entry("errors/error.html", "service unavailable (503)", logged_in=True)
def unavailable():
    return _error(503, _("Service unavailable"), _("Something went wrong on our side. Please try again in a moment."))


@entry("errors/error.html", "server error (500)")
def server_error():
    return _error(500, _("Something went wrong"), _("Something went wrong on our side. Please try again in a moment."))


@entry("styleguide/components.html", "empty", note="Every macro of _macros.html, nothing filled in.")
def components_empty():
    return components_context(ComponentsForm())


@entry("styleguide/components.html", "field errors", note="Error summary, invalid fields, flashes of each kind.")
def components_errors():
    return components_context(None)


# The navigation of each role (issue 21), on the component gallery: the customer menu,
# the staff menu apart (agent, admin), the development links in the footer; the
# numbers' formats show on the profile, loyalty and agent pages' own entries.
@entry(
    "styleguide/components.html",
    "navigation: customer",
    logged_in=True,
    note="Profile, Privacy & consents, Security, Loyalty; two lines at most at 390 px.",
)
def navigation_customer():
    return components_context(ComponentsForm())


@entry("styleguide/components.html", "navigation: agent", note="The staff menu first, then the agent's own account.")
def navigation_agent():
    return {**components_context(ComponentsForm()), "current_user": fixtures.agent()}


@entry("styleguide/components.html", "navigation: admin", note="Customer service, Segments, Settings apart.")
def navigation_admin():
    admin = fixtures.customer(id=3, email="admin@example.com", first_name="Ali", last_name="Admin", role="admin")
    return {**components_context(ComponentsForm()), "current_user": admin}
