"""The OpenAPI description of the JSON API (``openapi.yaml`` beside this file,
the single source) and the blueprint serving it at ``/api/openapi.json`` and
``/api/docs``."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

DOCUMENT_PATH = Path(__file__).resolve().parent / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "patch", "delete")


@functools.cache
def _load() -> dict[str, Any]:
    with DOCUMENT_PATH.open(encoding="utf-8") as source:
        return yaml.safe_load(source)


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the description (callers may change it)."""
    return copy.deepcopy(_load())


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow a local ``$ref`` (``#/components/...``) to what it points at."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node
