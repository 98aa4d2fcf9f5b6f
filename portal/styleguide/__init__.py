"""The living style guide: every page template, in each of its states, from fixture data.

A feature describes its pages' states in ``portal/<feature>/styleguide.py``::

    from portal.styleguide import entry

    @entry("otp/code.html", "code expired", logged_in=True)
    def code_expired():
        return {"form": ..., "challenge": ...}   # the template's context

and lists that module in ``SOURCES`` below. The function runs inside a request
(in the locale being shown) and builds plain fixture values: forms filled with
``formdata=MultiDict(...)`` and validated, transient model instances, dates. It
never reads or writes the database; ``tests/styleguide`` renders every entry and
fails on any SQL statement, any missing context variable, and any page template
that has no entry.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_login import AnonymousUserMixin

from portal.styleguide import fixtures

# One line per module that registers entries.
SOURCES = (
    "portal.styleguide.site",  # error pages, the component gallery
    "portal.accounts.styleguide",
    "portal.profile.styleguide",
    "portal.apidocs.styleguide",
    "portal.otp.styleguide",
    "portal.agents.styleguide",
    "portal.signup.styleguide",
    "portal.loyalty.styleguide",
    "portal.segments.styleguide",
    "portal.settings.styleguide",
    "portal.iys.styleguide",
    "portal.twofactor.styleguide",
    "portal.codelogin.styleguide",
    "portal.privacy.styleguide",
    "portal.mail.styleguide",
    "portal.legal.styleguide",
)


@dataclass(frozen=True)
class Entry:
    template: str  # e.g. "accounts/login.html"
    state: str  # e.g. "field errors"
    build: Callable[[], dict]  # returns the template's context
    logged_in: bool = False  # render with the fixture customer as current_user
    note: str = ""  # shown in the index: what to look at in this state

    @property
    def slug(self) -> str:
        name = self.template.removesuffix(".html").replace("/", "-")
        return f"{name}--{re.sub(r'[^a-z0-9]+', '-', self.state.lower()).strip('-')}"


_ENTRIES: list[Entry] = []


def entry(template: str, state: str, *, logged_in: bool = False, note: str = ""):
    """Register the decorated function as the context of ``template`` in ``state``."""

    def register(build: Callable[[], dict]) -> Callable[[], dict]:
        _ENTRIES.append(Entry(template, state, build, logged_in, note))
        return build

    return register


def entries() -> list[Entry]:
    for module in SOURCES:
        importlib.import_module(module)
    return list(_ENTRIES)


def find(slug: str) -> Entry | None:
    return next((e for e in entries() if e.slug == slug), None)


def render_entry(item: Entry, locale: str | None = None) -> str:
    """Render one entry, in ``locale`` if given (else the request's own language)."""
    with force_locale(locale) if locale else nullcontext():
        context = item.build()
        context.setdefault("current_user", fixtures.customer() if item.logged_in else AnonymousUserMixin())
        return render_template(item.template, **context)
