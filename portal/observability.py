"""Request ids and logs operators can search.

Every request gets an id: the ``X-Request-ID`` header a trusted proxy sent
(only when ``TRUSTED_PROXIES`` > 0, and only a short token of safe characters),
otherwise a new one. It is returned in the response's ``X-Request-ID`` and
written in every log line of the request.

With ``LOG_FORMAT = "json"`` (production's default) the log is one JSON object
per line: time, level, logger, message, request id, and for the line each
request ends with (logger ``portal.access``) method, path, status, duration
and the user id when one is signed in. Nothing else of the request is logged:
no body, no query string, no header, so no password, code, token or phone.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request
from flask_login import user_logged_in

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like to be taken as it is (uuids, hex, AWS/nginx ids).
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Fields a log call may add with ``extra=``, written after the standard ones.
EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "user_id")

access_log = logging.getLogger("portal.access")


def request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per line; gunicorn.conf.py uses it for gunicorn's own lines too."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    return handler


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr in production; the standard library's default format
    elsewhere. Like ``logging.basicConfig``, only when nothing configured logging
    before: gunicorn.conf.py installs the same JSON handler itself, and a test
    run's capture stays as it is."""
    root = logging.getLogger()
    if app.config["LOG_FORMAT"] == "json":
        if not root.handlers:
            root.addHandler(json_handler())
            root.setLevel(app.config["LOG_LEVEL"])
    else:
        logging.basicConfig(level=app.config["LOG_LEVEL"])


def _start_request() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    trusted = current_app.config.get("TRUSTED_PROXIES", 0) > 0
    g.request_id = incoming if trusted and SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def _finish_request(response):
    rid = g.get("request_id")
    if rid is None:  # a request that failed before its first hook (routing runs after it)
        _start_request()
        rid = g.request_id
    response.headers[REQUEST_ID_HEADER] = rid
    duration = time.perf_counter() - g.request_started
    g.request_duration = duration
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 1),
            "user_id": g.get("user_id"),
        },
    )
    return response


def _note_login(sender, user, **extra) -> None:
    # The request that logs in is the user's too (the loaders note the later ones).
    g.user_id = user.id


def init_observability(app: Flask) -> None:
    configure_logging(app)
    user_logged_in.connect(_note_login, app)
    # First of all hooks, so that even a request refused by the first one has its id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    # After-request functions run last-registered first: this one, registered before
    # the features' hooks, sees the response they made.
    app.after_request_funcs.setdefault(None, []).insert(0, _finish_request)
