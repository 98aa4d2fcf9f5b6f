"""PostgreSQL restarts while the portal is under load: no 500, every failure a 503
with Retry-After, no acknowledged write lost, and nothing fails once it is back.

gunicorn runs the production configuration (gunicorn.conf.py, two workers) on
the test database; four clients, each its own customer, read and write
(profile JSON and page, name changes, the liveness probe) while the cluster
serving the database is restarted with ``pg_ctlcluster … restart``.

That needs root and a cluster on this machine: ``PORTAL_RESTART_CLUSTER`` names
it ("15 main"); by default it is the cluster listening on DATABASE_URL's port.
Without them the test is skipped, except in CI (``CI`` set), where it fails.
Restarting a cluster interrupts everything else using it.

Every wait is bounded (``STEP_SECONDS``): a client that stops (its exception is
kept), a server that does not start, a restart that does not end, all fail the
test with what went wrong instead of leaving it waiting.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from bench.servers import DATA_CONTROLLER
from portal.extensions import db
from tests.conftest import DEMO_PASSWORD, empty_redis, usable_redis_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLIENTS = 4
# The longest any one step may take: the server's start, the traffic before the
# restart, the restart, the traffic after it, the clients' end. The whole test
# takes about half a minute on a quiet machine.
STEP_SECONDS = 90
# A request answered later than this is a failure (a hang), not a slow answer.
REQUEST_TIMEOUT = httpx.Timeout(30, connect=10)


def _cannot(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"the database restart test must run in CI: {reason}")
    pytest.skip(reason)


def _cluster(url: str) -> tuple[str, str]:
    named = os.environ.get("PORTAL_RESTART_CLUSTER", "").split()
    if len(named) == 2:
        return named[0], named[1]
    port = str(make_url(url).port or 5432)
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        version, name, cluster_port, *_ = line.split()
        if cluster_port == port:
            return version, name
    _cannot(f"no local PostgreSQL cluster listens on port {port}; set PORTAL_RESTART_CLUSTER")
    raise AssertionError  # not reached


@pytest.fixture
def cluster(migrated) -> tuple[str, str]:
    if not migrated.startswith("postgresql"):
        pytest.skip("restarts PostgreSQL: runs with DATABASE_URL=postgresql+psycopg://… (CI's PostgreSQL run)")
    if not shutil.which("pg_ctlcluster") or os.geteuid() != 0:
        _cannot("restarting PostgreSQL needs pg_ctlcluster and root")
    return _cluster(migrated)


def _wait_until(done: Callable[[], bool], what: str, trouble: Callable[[], str | None] = lambda: None) -> None:
    """Wait for ``done()``, at most ``STEP_SECONDS``; fail at once when ``trouble()`` says why."""
    deadline = time.monotonic() + STEP_SECONDS
    while not done():
        problem = trouble()
        assert problem is None, f"{what}: {problem}"
        assert time.monotonic() < deadline, f"{what}: not within {STEP_SECONDS} s"
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(migrated, tmp_path):
    port = _free_port()
    # Production keeps its rate-limit counters in a shared store (it refuses memory://).
    limits = usable_redis_url()
    empty_redis(limits)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEV_PAGES", "FLASK_DEBUG"}}
    env.update(
        PORTAL_CONFIG="production",
        RATELIMIT_STORAGE_URI=limits,
        SECRET_KEY="restart-test-secret-" + "k" * 24,
        DATABASE_URL=migrated,
        SMS_BACKEND="http",
        SMS_GATEWAY_URL="http://127.0.0.1:9/sms",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        GUNICORN_GRACEFUL_TIMEOUT="5",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        **DATA_CONTROLLER,
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                return httpx.get(base + "/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        def exited() -> str | None:
            if process.poll() is None:
                return None
            return f"gunicorn exited ({process.returncode}):\n{log_path.read_text()[-3000:]}"

        try:
            _wait_until(healthy, "gunicorn answering /healthz", exited)
            yield base, log_path
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Outcome:
    started: float
    kind: str
    status: int | None
    retry_after: str | None
    name: str | None = None  # the first name a write sent


def _logged_errors(log_path: Path) -> list[str]:
    """The server's ERROR lines, each with the end of its traceback: what a failure shows."""
    errors = []
    for line in log_path.read_text().splitlines():
        if line.startswith("{") and '"ERROR"' in line:
            entry = json.loads(line)
            errors.append(entry["message"] + "\n" + entry.get("exception", "")[-1200:])
    return errors


def _letters(n: int) -> str:
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n //= 26
        if n == 0:
            return out


def _client(base: str, n: int, cookie_name: str, stop: threading.Event, outcomes: list[Outcome], errors: list[str]):
    """A client's thread: an exception that ends it is kept in ``errors`` for the test to show."""
    try:
        _client_loop(base, n, cookie_name, stop, outcomes)
    except BaseException:
        errors.append(f"client {n} stopped:\n{traceback.format_exc()}")


def _client_loop(base: str, n: int, cookie_name: str, stop: threading.Event, outcomes: list[Outcome]) -> None:
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as http:
        login = http.post("/users/login/", json={"email": f"restart{n}@example.com", "password": DEMO_PASSWORD})
        assert login.status_code == 200, login.text
        token = {"Authorization": f"Token {login.json()['key']}"}
        assert cookie_name in login.cookies, f"no {cookie_name} cookie in {login.headers.get_list('Set-Cookie')}"
        cookie = {"Cookie": f"{cookie_name}={login.cookies[cookie_name]}"}
        step = 0
        while not stop.is_set():
            step += 1
            kind = ("read", "write", "page", "health")[step % 4]
            name = None
            started = time.monotonic()
            try:
                if kind == "read":
                    response = http.get("/users/profile/", headers=token)
                elif kind == "write":
                    name = "Restart" + _letters(step)
                    response = http.patch("/users/profile/", json={"first_name": name}, headers=token)
                elif kind == "page":
                    response = http.get("/account/profile", headers=cookie)
                else:
                    response = http.get("/healthz")
            except httpx.TransportError:
                outcomes.append(Outcome(started, kind, None, None, name))
                continue
            outcomes.append(Outcome(started, kind, response.status_code, response.headers.get("Retry-After"), name))


def test_a_database_restart_under_load_gives_503s_and_loses_nothing(app, make_user, cluster, server):
    base, log_path = server
    users = [make_user(email=f"restart{n}@example.com", first_name="Before") for n in range(CLIENTS)]
    outcomes: list[list[Outcome]] = [[] for _ in users]
    errors: list[str] = []
    stop = threading.Event()
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    threads = [
        threading.Thread(target=_client, args=(base, n, cookie_name, stop, outcomes[n], errors), daemon=True)
        for n in range(CLIENTS)
    ]

    def trouble() -> str | None:
        ended = [n for n, thread in enumerate(threads) if not thread.is_alive()]
        if errors:  # read after ``ended``: a client keeps its error before its thread ends
            return "\n".join(errors)
        return f"clients {ended} ended without an error" if ended else None

    for thread in threads:
        thread.start()
    try:
        # Under way before the restart.
        _wait_until(lambda: sum(len(o) for o in outcomes) >= 40, "40 requests before the restart", trouble)
        restart = subprocess.run(
            ["pg_ctlcluster", *cluster, "restart"], capture_output=True, text=True, timeout=STEP_SECONDS
        )
        assert restart.returncode == 0, f"pg_ctlcluster {' '.join(cluster)} restart: {restart.stderr}"
        port = str(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).port or 5432)
        ready = ["pg_isready", "-q", "-t", "5", "-h", "127.0.0.1", "-p", port]
        _wait_until(
            lambda: subprocess.run(ready, timeout=30).returncode == 0,
            "PostgreSQL accepting connections after the restart",
        )
        back = time.monotonic()
        # Enough requests after the database is back, from every client.
        _wait_until(
            lambda: all(sum(1 for o in mine if o.started > back) >= 8 for mine in outcomes),
            "8 requests from each client after the restart",
            trouble,
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=STEP_SECONDS)
        # This process's own pool (make_user's connection) holds connections from before the
        # restart, too new to be pinged on checkout (testing pings after 10 s idle): drop them,
        # so that the app fixture's teardown, which empties the tables, connects afresh.
        with app.app_context():
            db.engine.dispose()
    assert not errors, "\n".join(errors)
    assert not any(thread.is_alive() for thread in threads), "a client did not stop"

    every = [o for mine in outcomes for o in mine]
    statuses = sorted({o.status for o in every}, key=str)
    assert all(o.status is not None for o in every), "a request got no HTTP answer"
    assert not [o for o in every if o.status == 500], (statuses, _logged_errors(log_path))
    failures = [o for o in every if o.status not in (200, 202)]
    assert {o.status for o in failures} <= {503}, statuses
    assert all(o.retry_after and int(o.retry_after) >= 1 for o in failures)
    assert failures, "the restart was not noticed: no request answered 503"
    assert all(o.status == 200 for o in every if o.kind == "health"), "liveness must not depend on the database"
    after_back = [o for o in every if o.started > back]
    assert after_back and all(o.status == 200 for o in after_back), [(o.kind, o.status) for o in after_back]
    assert httpx.get(base + "/readyz", timeout=REQUEST_TIMEOUT).json()["status"] == "ok"

    # No acknowledged write lost: each customer has the last name acknowledged, or one
    # sent after it whose answer was a 503 (the commit may have happened before the error).
    from portal.accounts.models import User

    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as conn:
        stored = dict(conn.execute(select(User.email, User.first_name)).all())
    engine.dispose()
    for user, mine in zip(users, outcomes, strict=True):
        writes = [o for o in mine if o.kind == "write"]
        acknowledged = [i for i, o in enumerate(writes) if o.status == 200]
        assert acknowledged, f"{user.email}: no write was acknowledged"
        last = acknowledged[-1]
        allowed = {writes[last].name} | {o.name for o in writes[last + 1 :]}
        assert stored[user.email] in allowed, (user.email, stored[user.email], writes[last].name)

    # The production log: JSON lines, an access line with a request id for each answer.
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "portal.access"]
    assert len(access) >= len(every)
    assert all(line["request_id"] and "duration_ms" in line for line in access)
