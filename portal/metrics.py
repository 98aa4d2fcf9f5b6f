"""Prometheus metrics at ``/metrics`` (prometheus_client).

Counters and histograms live in the process; the features count their events
with the objects below (services call them with plain values). What is a state
rather than an event (pending loyalty links, active sessions) is read from the
database or Redis when ``/metrics`` is scraped.

Under gunicorn every worker counts on its own; with ``PROMETHEUS_MULTIPROC_DIR``
set (gunicorn.conf.py sets it), they write to files in that directory and a
scrape of any worker adds them all up (prometheus_client's multi-process mode).

Who may read it: a client from ``METRICS_ALLOWED_NETWORKS`` or one sending
``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets 403. With neither
setting nobody can.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from functools import lru_cache

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from portal import clock
from portal.extensions import db

REQUESTS = Counter(
    "portal_http_requests", "Requests answered, by endpoint, method and status.", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by endpoint and status.",
    ["endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
LOGINS = Counter("portal_logins", "Login attempts by outcome: success, failed, throttled.", ["outcome"])
SMS = Counter("portal_sms", "SMS handed to a gateway, by gateway and outcome: sent, failed.", ["gateway", "outcome"])
CODE_CHECKS = Counter(
    "portal_code_checks", "One-time code checks by outcome: ok, or the refusal's error code.", ["outcome"]
)
LOYALTY_CALLS = Counter(
    "portal_loyalty_calls", "Calls to the loyalty service by outcome: ok, rejected, unavailable.", ["outcome"]
)

LOGIN_ENDPOINTS = {"accounts.login", "accounts_api.login"}


@lru_cache(maxsize=2048)
def _request_series(endpoint: str, method: str, status: int) -> tuple[Counter, Histogram]:
    """The request counter's and the latency histogram's children for one label set.

    ``labels()`` validates and looks the children up under a lock on every call;
    prometheus_client's children stay the same objects for the life of the process,
    so each request looks its pair up here instead. The label sets are few (routes
    × methods × statuses: 404s share "unmatched"), far below the bound."""
    return (
        REQUESTS.labels(endpoint=endpoint, method=method, status=str(status)),
        LATENCY.labels(endpoint=endpoint, status=str(status)),
    )


def _record_request(response):
    endpoint = request.endpoint or "unmatched"  # 404s share one label: no label per random path
    requests, latency = _request_series(endpoint, request.method, response.status_code)
    requests.inc()
    started = g.get("request_started")
    if started is not None:
        latency.observe(time.perf_counter() - started)
    if response.status_code == 429 and endpoint in LOGIN_ENDPOINTS and request.method == "POST":
        LOGINS.labels(outcome="throttled").inc()
    return response


def _state() -> list[GaugeMetricFamily]:
    """Gauges read at scrape time; none when the store does not answer."""
    from portal.availability import OUTAGE_ERRORS
    from portal.loyalty.models import PENDING, LoyaltyLink
    from portal.sessions import ServerSession

    families = []
    try:
        pending = db.session.execute(select(func.count()).where(LoyaltyLink.status == PENDING)).scalar_one()
        families.append(GaugeMetricFamily("portal_loyalty_pending", "Loyalty links waiting for the service.", pending))
        if current_app.config.get("REDIS_URL"):
            client = current_app.session_interface.client
            sessions = sum(1 for _ in client.scan_iter(match="portal:session:*", count=1000))
        else:
            sessions = db.session.execute(
                select(func.count()).where(ServerSession.expiry > clock.now())
            ).scalar_one()
        families.append(GaugeMetricFamily("portal_sessions_active", "Sessions not expired.", sessions))
    except OUTAGE_ERRORS:
        db.session.rollback()
    return families


class _Snapshot:
    def __init__(self, families):
        self.families = families

    def collect(self):
        return self.families


def _allowed() -> bool:
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in config["METRICS_NETWORKS"])


def metrics_view():
    if not _allowed():
        abort(403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    state = CollectorRegistry()
    state.register(_Snapshot(_state()))
    return Response(generate_latest(registry) + generate_latest(state), content_type=CONTENT_TYPE_LATEST)


def parse_networks(value: str) -> list:
    return [ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]


def init_metrics(app: Flask) -> None:
    app.config["METRICS_NETWORKS"] = parse_networks(app.config.get("METRICS_ALLOWED_NETWORKS") or "")
    app.add_url_rule("/metrics", "metrics", metrics_view)
    app.after_request(_record_request)
