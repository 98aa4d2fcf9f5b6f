"""The site's pages as a browser sees them, for the accessibility check and screenshots."""

from __future__ import annotations

from flask import Flask

from portal.errors import JSON_PREFIXES


def html_pages(app: Flask) -> list[str]:
    """Every HTML page that needs no URL argument: GET routes outside the JSON API.

    Routes with arguments need an example URL; the accessibility test lists them.
    """
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments or rule.endpoint == "static":
            continue
        if rule.rule.startswith(JSON_PREFIXES):
            continue
        paths.add(rule.rule)
    return sorted(paths)


def routes_with_arguments(app: Flask) -> set[str]:
    """Endpoints of HTML GET routes that take arguments (``/segments/<id>``)."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and rule.arguments
        and rule.endpoint != "static"
        and not rule.rule.startswith(JSON_PREFIXES)
    }
