"""Stale forms (issue 21, defect 10): a form sent from a page that no longer fits the
browser's session comes back with what was typed, instead of a bare 403.

A page's form is stale when

- its CSRF token no longer matches the ``csrftoken`` cookie (the cookie was cleared
  or expired while the page was open), or
- it was rendered for someone other than who is signed in now: logged out, or logged
  in as someone else, in another tab. Every form rendered with ``csrf_input()`` says
  whom it was rendered for (the hidden ``form_owner`` field: the user's id, empty
  when no one was signed in); ``portal.security`` compares it with the session.

For an HTML form posted from one of the portal's own pages (``Sec-Fetch-Site:
same-origin``, or an ``Origin``/``Referer`` of the portal's own), what was typed
is kept in the session for ``STALE_FORM_SECONDS`` (passwords, API keys, codes and
files excepted: they are never stored), and the browser is sent back (303) to the
page the form was on. The next form built on that page for the same person
(``PortalForm`` on a GET) is filled from the kept values, and a message asks to
check and send it again. When the page needs a login first, the login page comes
first (the kept values survive the login's new session) and then the form; if
someone else logs in, the values are dropped. A post from another site, or a
JSON request, is answered as before (403), so no other site can fill in a form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal import clock

SESSION_KEY = "stale_form"
OWNER_FIELD = "form_owner"
# Never kept, whatever the form: secrets, one-time codes, the CSRF fields themselves.
NEVER_KEPT = re.compile(r"password|secret|api_key|token|^code$|^otp$|recovery|csrf|^form_owner$", re.IGNORECASE)
MAX_VALUE_LENGTH = 10_000
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def form_owner() -> str:
    """Whom the page is rendered for: the signed-in user's id, or "" (the ``form_owner`` field)."""
    user = current_user
    return str(user.id) if user and user.is_authenticated else ""


def is_stale(sent_owner: str | None) -> bool:
    """A form that says whom it was rendered for, sent by someone else.

    Forms of anonymous pages (login, registration) send "" and are never stale this way."""
    return bool(sent_owner) and sent_owner != form_owner()


def _own_page() -> str | None:
    """The path of the portal page the form was posted from, if the browser shows it was ours."""
    own = f"{request.scheme}://{request.host}"
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None and fetch_site != "same-origin":
        return None
    if origin is not None and origin != own:
        return None
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc:
        if f"{referer.scheme}://{referer.netloc}" != own:
            return None
        path = "/" + referer.path.lstrip("/\\")  # never "//host" or "/\\host": either would leave the site
        return f"{path}?{referer.query}" if referer.query else path
    if fetch_site == "same-origin" or origin == own:
        return request.full_path.rstrip("?")  # no Referer: the form posts to the page that shows it
    return None


def keep_and_return():
    """For a stale HTML form post from our own page: keep what was typed and send the
    browser back to that page (303). None when it cannot be done (then the caller
    answers as before)."""
    if request.method != "POST" or request.mimetype not in FORM_MIMETYPES:
        return None
    page = _own_page()
    if page is None:
        return None
    owner = request.form.get(OWNER_FIELD)
    if owner is None:
        owner = form_owner()
    values = [
        [name, value]
        for name, value in request.form.items(multi=True)
        if not NEVER_KEPT.search(name) and len(value) <= MAX_VALUE_LENGTH
    ]
    # Someone is signed in (or there is nothing to fill in): say it now; a login would
    # clear the message, so otherwise the form says it when it is filled in.
    told = form_owner() != "" or not values
    if values:
        session[SESSION_KEY] = {
            "path": urlsplit(page).path,
            "owner": owner,
            "values": values,
            "at": clock.now().timestamp(),
            "told": told,
        }
    if told:
        flash(_message(), "warning")
    return redirect(page, code=303)


def _message() -> str:
    return _(
        "Your form was not sent: the page was open too long, or you logged in or out in another tab. "
        "Check what you entered and send it again."
    )


def restore(form, *, obj=None, data=None) -> bool:
    """Fill ``form`` (built on a GET from ``obj``/``data``) from the values kept for this
    page and this person.

    Used once: the kept values leave the session when a form takes them, or when
    they are too old or were typed for someone else."""
    kept = session.get(SESSION_KEY)
    if not kept or kept.get("path") != request.path:
        return False
    age = clock.now().timestamp() - float(kept.get("at", 0))
    if age > current_app.config["STALE_FORM_SECONDS"] or kept.get("owner") not in ("", form_owner()):
        session.pop(SESSION_KEY, None)
        return False
    # Only the fields this form has, and never a secret (a second guard: they were not kept).
    names = {field.name for field in form if field.type not in ("SecretField", "PasswordField", "FileField")}
    values = MultiDict(
        [(name, value) for name, value in kept.get("values", []) if name.split("-")[0] in names or name in names]
    )
    if not values:
        return False  # another form on the page; the one that was sent may come next
    session.pop(SESSION_KEY, None)
    form.process(formdata=values, obj=obj, data=data)
    if not kept.get("told"):
        flash(_message(), "warning")
    return True


@contextmanager
def kept_across_login() -> Iterator[None]:
    """Keep the values of a stale form while the session is cleared for a login."""
    kept = session.get(SESSION_KEY)
    yield
    if kept:
        session[SESSION_KEY] = kept
