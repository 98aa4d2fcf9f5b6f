"""The site's pages as a browser sees them, for the accessibility, unique-id and phone-width
checks and for ``make screenshots``."""

from __future__ import annotations

from flask import Flask, url_for

from portal.accounts.services import user_by_email
from portal.commands import DEMO_USERS
from portal.paths import API_PATHS, JSON_PREFIXES
from portal.profile.services import unsubscribe_token
from portal.segments import services as segments

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


# HTML pages html_pages leaves out: the API reference sits under the API's prefix, and
# the console's search shows its results for a query.
MORE_PAGES = ("/api/docs", "/agent/?q=example.com")

# Routes with arguments that demo_pages leaves out, and why.
NO_DEMO_PAGE = {
    "styleguide.show": "every style guide entry is a page of its own: styleguide.entries()",
}
# The pages of links in emails, opened with a token no email carries.
EMAIL_LINKS = ("email_flows.reset", "email_flows.email_set_primary", "email_flows.confirm_email", "email_optin.confirm")
UNKNOWN_LINK = "not-a-token"


def routes_without_demo_page() -> set[str]:
    return set(NO_DEMO_PAGE)


def demo_pages(app: Flask) -> list[str]:
    """Example URLs for the HTML routes with arguments, ids taken from the demo data
    (``flask seed-demo``); call inside an app context, on a seeded database.

    The demo customer's console page, the edit form of every demo segment (each rule
    shows other fields) and of the default price list, the "new" forms, the one-click
    unsubscribe page of the demo customer, and the email links with a made-up token
    (their "link does not work" page, or the confirm button for a GET).
    """
    customer = user_by_email(next(spec["email"] for spec in DEMO_USERS if spec["role"] == "customer"))
    if customer is None:
        raise LookupError("no demo customer: run `flask seed-demo` first")
    price_list = segments.default_price_list()
    with app.test_request_context():
        urls = [
            url_for("agents.customer", customer_id=customer.id),
            url_for("segments.admin_segment_form"),
            *(url_for("segments.admin_segment_form", segment_id=s.id) for s in segments.all_segments()),
            url_for("segments.admin_price_list_form"),
            *([url_for("segments.admin_price_list_form", price_list_id=price_list.id)] if price_list else []),
            url_for("unsubscribe.unsubscribe", token=unsubscribe_token(user=customer)),
            *(url_for(endpoint, token=UNKNOWN_LINK) for endpoint in EMAIL_LINKS),
        ]
    return urls
