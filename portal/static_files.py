"""Static files a browser may keep for a year, and see fresh the moment they change.

Templates link them with ``static_url("css/portal.css")``: with ``STATIC_VERSIONED``
(production, tests) that is ``url_for('static', filename=…, v=<content hash>)``, the
hashes computed once at start-up, and a response whose ``v`` matches the file's hash
may be cached for ``STATIC_VERSIONED_MAX_AGE``: a changed file has a new URL. Without
it (development) the URL carries no version and ``SEND_FILE_MAX_AGE_DEFAULT = 0``
makes the browser ask again on every load, so a CSS edit shows on reload.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request, url_for


def content_hashes(folder: Path) -> dict[str, str]:
    """``{"css/portal.css": "<12 hex digits>"}`` for every file under ``folder``."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def init_static_files(app: Flask) -> None:
    versions = content_hashes(Path(app.static_folder)) if app.config["STATIC_VERSIONED"] and app.static_folder else {}

    @app.template_global()
    def static_url(filename: str) -> str:
        version = versions.get(filename)
        if version is None:
            return url_for("static", filename=filename)
        return url_for("static", filename=filename, v=version)

    @app.after_request
    def cache_versioned_static(response: Response) -> Response:
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and request.args.get("v") is not None
            and request.args.get("v") == versions.get((request.view_args or {}).get("filename", ""))
        ):
            response.cache_control.public = True
            response.cache_control.max_age = app.config["STATIC_VERSIONED_MAX_AGE"]
            response.cache_control.immutable = True
            response.expires = None
        return response
