"""What ``make bench`` and ``make load`` share: the databases, the portal's
production environment, gunicorn processes and a JSON login.

PostgreSQL: ``BENCH_DATABASE_URL`` if given, else the local cluster's
``portal_bench`` database (role ``portal``/``portal`` on 127.0.0.1), installed, started and
created when this runs as root. Either way the database is EMPTIED (its
``public`` schema dropped) and migrated afresh: point it only at a database
kept for benchmarks.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv running us has flask and gunicorn
LOCAL_PG_URL = "postgresql+psycopg://portal:portal@127.0.0.1:5432/portal_bench"

# The customer `flask seed-demo` creates, with every feature's demo data.
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "portal-demo-2026"
# Every request the benchmark makes, httpx's and wrk's (bench/request.lua), sends
# this agent: Flask-Login's default session protection compares it with the login's.
USER_AGENT = "portal-bench"
# A shop's legal identity (the privacy notice's data controller): production refuses
# the shipped examples (config.EXAMPLE_DATA_CONTROLLER), so every production start names one.
DATA_CONTROLLER = {
    "DATA_CONTROLLER_NAME": "Kuzey Moda Mağazacılık A.Ş.",
    "DATA_CONTROLLER_ADDRESS": "Moda Cad. No: 12, 34710 Kadıköy/İstanbul",
    "DATA_CONTROLLER_EMAIL": "kvkk@kuzeymoda.example",
    "DATA_CONTROLLER_MERSIS": "0612345678900017",
}


class BenchError(RuntimeError):
    """A precondition failed; the message says what to do."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- databases -----------------------------------------------------------------


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'bench.sqlite3'}"


def postgres_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    _ensure_local_postgres()
    return LOCAL_PG_URL


def _pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def _ensure_local_postgres() -> None:
    if not shutil.which("pg_isready") and os.geteuid() == 0:
        # A fresh machine: install Debian's PostgreSQL, as CI does.
        log("installing PostgreSQL (apt-get)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
                       check=False, env=env)
    if not shutil.which("pg_isready"):
        raise BenchError("PostgreSQL is not installed: apt-get install postgresql, or set BENCH_DATABASE_URL")
    if not _pg_ready():
        if os.geteuid() != 0:
            raise BenchError(
                "PostgreSQL is not running: start it (pg_ctlcluster 15 main start) or set BENCH_DATABASE_URL"
            )
        cluster = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout.split()
        if len(cluster) < 2:
            version = sorted(p.name for p in Path("/usr/lib/postgresql").glob("*"))[-1:]
            if not version:
                raise BenchError("no PostgreSQL cluster: pg_createcluster 15 main, or set BENCH_DATABASE_URL")
            subprocess.run(["pg_createcluster", version[0], "main"], check=True, capture_output=True)
            cluster = [version[0], "main"]
        log(f"starting PostgreSQL cluster {cluster[0]} {cluster[1]}")
        subprocess.run(["pg_ctlcluster", cluster[0], cluster[1], "start"], check=False)
        for _ in range(30):
            if _pg_ready():
                break
            time.sleep(1)
        else:
            raise BenchError("PostgreSQL did not become ready in 30 s")
    if os.geteuid() == 0:
        _psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal') "
              "THEN CREATE ROLE portal LOGIN PASSWORD 'portal'; END IF; END $$")
        exists = _psql("SELECT 1 FROM pg_database WHERE datname = 'portal_bench'")
        if exists.strip() != "1":
            subprocess.run(["su", "postgres", "-c", "createdb -O portal portal_bench"], check=True)


def _psql(sql: str) -> str:
    """Run ``sql`` as the postgres superuser (read from stdin: no shell quoting)."""
    return subprocess.run(
        ["su", "postgres", "-c", "psql -qtA -v ON_ERROR_STOP=1"], input=sql, capture_output=True, text=True, check=True
    ).stdout


def empty_database(url: str) -> None:
    """Drop everything, so that migrations start from nothing."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# -- the portal's environment ----------------------------------------------------


def portal_env(database_url: str, **extra: str) -> dict[str, str]:
    """The production configuration, as an operator would set it."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEV_PAGES", "FLASK_DEBUG"}}
    env.update(
        PORTAL_CONFIG="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=database_url,
        SMS_BACKEND="http",
        # The measured endpoints send no SMS; a gateway that does not exist is enough.
        SMS_GATEWAY_URL="http://127.0.0.1:9/sms",
        # Production refuses per-worker counters; only logins touch them here.
        RATELIMIT_STORAGE_URI=os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0"),
        FLASK_APP="wsgi.py",
        PYTHONUNBUFFERED="1",
        **DATA_CONTROLLER,
    )
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare_portal(env: dict[str, str]) -> None:
    """Migrate an empty database and load the demo data (every feature's)."""
    empty_database(env["DATABASE_URL"])
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")


def prepare_django(env: dict[str, str]) -> None:
    """Create the Django page's session table (``django_session``) beside the portal's."""
    result = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "sessions", "--verbosity", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"django migrate failed:\n{result.stdout}{result.stderr}")


# -- gunicorn ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], *, workers: int, probe: str = "/") -> Iterator[Server]:
    """Run ``gunicorn app_spec`` on a free loopback port until the block ends.

    Sync workers (gunicorn's default), as the README's production command runs
    them; no access log, so that logging is not what is measured.
    """
    port = free_port()
    log_file = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--backlog", "2048", "--graceful-timeout", "5", app_spec],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process, Path(log_file.name))
    try:
        deadline = time.monotonic() + 120  # a busy shared host can be slow to import
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn {app_spec} exited:\n{server.log_path.read_text()[-3000:]}")
            try:
                httpx.get(server.base_url + probe, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise BenchError(f"gunicorn {app_spec} did not answer in 120 s") from None
                time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log_file.close()


# -- logging in ----------------------------------------------------------------------


@dataclass
class Login:
    """What a client holds after logging in: its cookies and the CSRF token."""

    cookie: str
    csrf_token: str = ""

    def headers(self, *, unsafe: bool = False) -> dict[str, str]:
        headers = {"Cookie": self.cookie, "User-Agent": USER_AGENT}
        if unsafe:
            headers["X-CSRFToken"] = self.csrf_token
        return headers


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Cookies the response sets. Read from the headers: production cookies are
    ``Secure``, which a cookie jar rightly keeps from plain-HTTP loopback requests."""
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


def portal_login(base_url: str, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> Login:
    """As a storefront does: ``GET /csrf_token/`` once, then ``POST /users/login/``;
    the session cookie + that csrftoken from then on."""
    token = httpx.get(f"{base_url}/csrf_token/", headers={"User-Agent": USER_AGENT}, timeout=30).json()["csrf_token"]
    response = httpx.post(
        f"{base_url}/users/login/",
        json={"email": email, "password": password},
        headers={"User-Agent": USER_AGENT},
        timeout=30,
    )
    if response.status_code != 200:
        raise BenchError(f"login as {email} failed: {response.status_code} {response.text[:300]}")
    cookies = set_cookies(response)
    return Login(cookie=f"osessionid={cookies['osessionid']}; csrftoken={token}", csrf_token=token)
