"""``/api/openapi.json`` and a readable page made from it, ``/api/docs``.

The page is rendered on the server from the same document (no script, no CDN),
so it works offline and under the site's CSP.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, render_template

from portal.apidocs import HTTP_METHODS, openapi_document, resolve

bp = Blueprint("apidocs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())


def type_label(schema: Any) -> str:
    """A short human label for a schema: ``string (date) | null``, ``Profile``, ``one of …``."""
    if not isinstance(schema, dict):
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return " | ".join(type_label(part) for part in schema[combinator])
    if "allOf" in schema:
        return " & ".join(type_label(part) or "…" for part in schema["allOf"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    kinds = schema.get("type", "")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    labels = []
    for kind in kinds:
        if kind == "array":
            labels.append(f"array of {type_label(schema.get('items', {})) or 'anything'}")
        elif kind and kind != "null" and schema.get("format"):
            labels.append(f"{kind} ({schema['format']})")
        elif kind:
            labels.append(kind)
    return " | ".join(labels)


def _fields(document: dict, schema: Any) -> list[dict[str, Any]]:
    """The properties of an object schema (following ``$ref`` and ``allOf``) for a table."""
    schema = resolve(document, schema)
    if not isinstance(schema, dict):
        return []
    properties: dict[str, Any] = {}
    required: set[str] = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        part = resolve(document, part)
        properties.update(part.get("properties", {}))
        required.update(part.get("required", []))
    properties.update(schema.get("properties", {}))
    return [
        {
            "name": name,
            "type": type_label(prop),
            "required": name in required,
            "description": resolve(document, prop).get("description", ""),
        }
        for name, prop in properties.items()
    ]


def _operations(document: dict) -> list[dict[str, Any]]:
    operations = []
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = []
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                body.append({"media_type": media_type, "fields": _fields(document, content.get("schema"))})
            responses = []
            for status, response in operation["responses"].items():
                response = resolve(document, response)
                content = response.get("content", {}).get("application/json", {})
                schema = content.get("schema")
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "type": type_label(schema),
                        "schema": json.dumps(schema, indent=2) if schema else "",
                        "headers": list(response.get("headers", {})),
                    }
                )
            security = operation.get("security", document.get("security", []))
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "anonymous": {} in security,
                    "parameters": operation.get("parameters", []),
                    "body": body,
                    "responses": responses,
                }
            )
    return operations


def docs_context() -> dict[str, Any]:
    """What ``apidocs/docs.html`` shows, from the description alone (no database)."""
    document = openapi_document()
    schemas = [
        {
            "name": name,
            "type": type_label(schema),
            "fields": _fields(document, schema),
            "description": schema.get("description", ""),
        }
        for name, schema in document["components"]["schemas"].items()
    ]
    return {
        "info": document["info"],
        "operations": _operations(document),
        "schemes": document["components"]["securitySchemes"],
        "schemas": schemas,
    }


@bp.get("/docs")
def docs():
    return render_template("apidocs/docs.html", **docs_context())
