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

from flask import Flask, Response, has_request_context, request, url_for


def content_hashes(folder: Path) -> dict[str, str]:
    """``{"css/portal.css": "<12 hex digits>"}`` for every file under ``folder``."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def init_static_files(app: Flask) -> None:
    versions = content_hashes(Path(app.static_folder)) if app.config["STATIC_VERSIONED"] and app.static_folder else {}

    built: dict[tuple[str, str], str] = {}

    @app.template_global()
    def static_url(filename: str) -> str:
        # The URL depends only on the file, its version (fixed for the process) and
        # where the app is mounted (the request's script root, e.g. behind a proxy
        # prefix): built by url_for once per pair, as every page links the same few.
        key = (request.script_root if has_request_context() else "", filename)
        url = built.get(key)
        if url is None:
            version = versions.get(filename)
            url = url_for("static", filename=filename, **({} if version is None else {"v": version}))
            if len(built) < 1024:  # a template that links many files must not grow this without end
                built[key] = url
        return url

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
