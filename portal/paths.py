"""Which request paths are the JSON API: one rule for error answers and for languages."""

from __future__ import annotations

# The vendor API: JSON in and out; its messages follow Accept-Language alone.
API_PREFIXES = ("/users/", "/csrf_token/", "/current_user/", "/api/", "/consents/")
# Everything that answers JSON, errors included: the API and the development/health reads.
JSON_PREFIXES = (*API_PREFIXES, "/_dev/sms.json", "/_dev/mail.json", "/healthz", "/readyz")
# The vendor API's paths among the pages (the storefront's loyalty reads; the loyalty
# pages live under /account/loyalty too): exact paths, not prefixes.
API_PATHS = frozenset({"/account/loyalty-account-balance/", "/account/loyalty/"})


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path in API_PATHS


def is_json_path(path: str) -> bool:
    return path.startswith(JSON_PREFIXES) or path in API_PATHS
