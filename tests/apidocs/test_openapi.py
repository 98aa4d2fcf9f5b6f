"""The API description (portal/apidocs/openapi.yaml): a valid OpenAPI 3.1
document, served and readable, covering exactly the JSON routes, and enforced
on real responses (every response of the suite goes through
``tests/apidocs/contract.py`` from ``tests/conftest.py``; the tests here add the
statuses every protected endpoint shares)."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.versions import OPENAPIV31, get_spec_version

from portal.apidocs import openapi_document
from portal.paths import is_json_path
from tests.apidocs.contract import contract, documented_operations
from tests.conftest import page

DOCUMENTED = sorted(documented_operations())
NOT_JSON_API = {
    "/_dev/sms.json",  # the development SMS outbox: DEV_PAGES only, never in production
    "/_dev/mail.json",  # the development mail outbox: the same
    "/api/docs",  # the HTML page made from the description
}


def _anonymous(method: str, template: str) -> bool:
    operation = openapi_document()["paths"][template][method.lower()]
    return {} in operation.get("security", openapi_document()["security"])


def _concrete(template: str) -> str:
    return template.replace("{segment_id}", "1")


def test_document_is_valid_openapi_3_1():
    document = openapi_document()
    assert get_spec_version(document) == OPENAPIV31
    validate(document)  # raises on any error


def test_every_json_route_is_described_and_nothing_else(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not is_json_path(rule.rule) or rule.rule in NOT_JSON_API:
            continue
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes.update((method, template) for method in rule.methods - {"HEAD", "OPTIONS"})
    assert routes == set(DOCUMENTED)


def test_served_as_json(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == openapi_document()


def test_docs_page_lists_every_operation_and_works_under_the_csp(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    html = page(response)
    for operation in openapi_document()["paths"].values():
        for spec in operation.values():
            section = html.find(id=f"op-{spec['operationId']}")
            assert section is not None, spec["operationId"]
            statuses = {row["id"].rsplit("-", 1)[1] for row in section.select("tr[id]")}
            assert statuses == set(spec["responses"])
    assert not [s for s in html.find_all("script") if not s.get("src")]  # no inline script
    for tag in html.find_all(["script", "link"]):
        url = tag.get("src") or tag.get("href")
        assert url.startswith("/"), url  # nothing from another origin: works offline
    assert html.find(id="openapi-json-link")["href"] == "/api/openapi.json"


def test_docs_page_is_linked_from_every_page(client):
    assert page(client.get("/account/login")).find(id="footer-api-docs")["href"] == "/api/docs"


def test_406_codes_are_enumerated():
    document = openapi_document()
    profile = contract().problems(
        "PATCH", "/users/profile/", 406, "application/json", {},
        {"non_field_errors": "x", "error_code": "segment_100_1"},
    )
    assert profile, "a code the profile never answers must not validate"
    codes = document["components"]["responses"]["CodeRefused"]["content"]["application/json"]["schema"]
    assert set(codes["allOf"][1]["properties"]["error_code"]["enum"]) == {
        "kvkk_service_100_2", "sms_verification_100_1", "sms_verification_100_2",
        "sms_verification_100_4", "sms_verification_100_5",
    }


def test_the_checker_refuses_what_is_not_described():
    """The hook in conftest would let drift through if these passed."""
    problems = contract().problems
    assert problems("GET", "/users/profile/", 418, "application/json", {}, {})  # undocumented status
    assert problems("GET", "/users/profile/", 200, "text/html", {}, None)  # wrong content type
    assert problems("GET", "/users/user/", 200, "application/json", {}, {"email": "a@b.c"})  # missing keys
    assert problems("POST", "/users/login/", 429, "application/json", {}, {"detail": "slow"})  # no Retry-After
    assert problems("PUT", "/users/profile/", 200, "application/json", {}, {})  # undocumented method
    assert not problems("PUT", "/users/profile/", 405, "application/json", {}, {"detail": "no"})


@pytest.mark.parametrize(
    ("method", "template"), [op for op in DOCUMENTED if not _anonymous(*op)], ids="{0[0]} {0[1]}".format
)
def test_protected_endpoints_answer_401_without_credentials(client, method, template):
    response = client.open(_concrete(template), method=method, json={})
    assert response.status_code == 401  # and the conftest hook checked the body
    assert response.get_json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    ("method", "template"), [op for op in DOCUMENTED if op[0] != "GET" and not _anonymous(*op)],
    ids="{0[0]} {0[1]}".format,
)
def test_unsafe_requests_with_a_session_need_the_csrf_token(client, api, customer, method, template):
    api.login()
    response = client.open(_concrete(template), method=method, json={})
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("CSRF Failed")


@pytest.mark.parametrize("template", sorted({t for _, t in DOCUMENTED}))
def test_other_methods_are_a_documented_405(client, template):
    response = client.delete(_concrete(template))
    assert response.status_code == 405
    assert response.get_json() == {"detail": 'Method "DELETE" not allowed.'}


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
