"""Checks a response against portal/apidocs/openapi.yaml: the status must be
documented for that path and method, the body must match its schema (JSON
Schema 2020-12, the dialect of OpenAPI 3.1), and documented required headers
must be there.

``tests/conftest.py`` runs ``check_response`` on every response of every test,
so the description cannot drift from what the portal really answers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from portal.apidocs import HTTP_METHODS, openapi_document, resolve


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    spec: dict[str, Any]


class Contract:
    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.paths: list[tuple[re.Pattern, str]] = []
        for template in document["paths"]:
            pattern = re.escape(template)
            # ``{segment_id}`` is a Flask ``path`` converter: it may hold anything, slashes too.
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", pattern)
            self.paths.append((re.compile(f"^{pattern}$"), template))
        self._validators: dict[str, Draft202012Validator] = {}

    def template_for(self, path: str) -> str | None:
        for pattern, template in self.paths:
            if pattern.match(path):
                return template
        return None

    def operation(self, method: str, path: str) -> Operation | None:
        template = self.template_for(path)
        if template is None:
            return None
        spec = self.document["paths"][template].get(method.lower())
        return None if spec is None else Operation(template, method.lower(), spec)

    def validator(self, pointer: str) -> Draft202012Validator:
        """A validator for the schema at ``pointer``, with the whole document as the
        root resource so that its ``#/components/…`` references resolve."""
        if pointer not in self._validators:
            root = dict(self.document, **{"$ref": pointer})
            self._validators[pointer] = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._validators[pointer]

    def problems(self, method: str, path: str, status: int, mimetype: str, headers, body: Any) -> list[str]:
        """What is wrong with this response, as sentences (empty: it conforms)."""
        method = method.upper()
        where = f"{method} {path} → {status}"
        template = self.template_for(path)
        if template is None or method in {"HEAD", "OPTIONS"}:
            return []  # not a documented path (HTML, static…): the route test covers coverage
        operation = self.operation(method, path)
        if operation is None:
            # An undocumented method on a documented path: Werkzeug's 405, nothing else.
            return [] if status == 405 else [f"{where}: {method} is not documented for {template}"]
        responses = operation.spec["responses"]
        key = str(status) if str(status) in responses else "default" if "default" in responses else None
        if key is None:
            return [f"{where}: status {status} is not documented for {method} {template}"]
        response = responses[key]
        pointer = "#/paths/" + "/".join([_escape(template), operation.method, "responses", key])
        if "$ref" in response:
            pointer = response["$ref"]
        response = resolve(self.document, response)
        problems = []
        for name, header in response.get("headers", {}).items():
            if header.get("required") and name not in headers:
                problems.append(f"{where}: the documented header {name} is missing")
        content = response.get("content", {})
        if not content:
            return problems
        if mimetype not in content:
            return problems + [f"{where}: content type {mimetype!r} is not documented (only {sorted(content)})"]
        if "schema" in content[mimetype]:
            error = best_match(self.validator(f"{pointer}/content/{_escape(mimetype)}/schema").iter_errors(body))
            if error is not None:
                location = "/".join(str(p) for p in error.absolute_path) or "(body)"
                problems.append(f"{where}: {location}: {error.message}")
        return problems


@functools.cache
def contract() -> Contract:
    return Contract(openapi_document())


def response_problems(response) -> list[str]:
    """For a Flask test client response."""
    request = response.request
    body = response.get_json(silent=True) if response.mimetype == "application/json" else None
    return contract().problems(
        request.method, request.path, response.status_code, response.mimetype, response.headers, body
    )


def check_response(response) -> None:
    problems = response_problems(response)
    assert not problems, "The response does not match portal/apidocs/openapi.yaml:\n" + "\n".join(problems)


def documented_operations() -> set[tuple[str, str]]:
    document = contract().document
    return {
        (method.upper(), template)
        for template, item in document["paths"].items()
        for method in HTTP_METHODS
        if method in item
    }
