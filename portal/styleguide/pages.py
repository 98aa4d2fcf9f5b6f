"""The site's pages as a browser sees them, for the accessibility check and screenshots."""

from __future__ import annotations

from flask import Flask

from portal.paths import API_PATHS, JSON_PREFIXES

# Routes that serve files, not pages: uploaded avatars are images (no HTML to check,
# and only a customer who uploaded one has a file to ask for).
MEDIA_PREFIXES = ("/media/",)


def html_pages(app: Flask) -> list[str]:
    """Every HTML page that needs no URL argument: GET routes outside the JSON API.

    Routes with arguments need an example URL; the accessibility test lists them.
    """
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments or rule.endpoint == "static":
            continue
        if rule.rule.startswith(JSON_PREFIXES + MEDIA_PREFIXES) or rule.rule in API_PATHS:
            continue
        paths.add(rule.rule)
    return sorted(paths)


def routes_with_arguments(app: Flask) -> set[str]:
    """Endpoints of HTML GET routes that take arguments (``/segments/<id>``), or have
    defaults for them (``/admin/segments/new``): the accessibility test needs an example."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and rule.arguments
        and rule.endpoint != "static"
        and not rule.rule.startswith(JSON_PREFIXES + MEDIA_PREFIXES)
    }
