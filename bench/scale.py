"""``make bench-scale``: the portal at a million customers beside the demo data (PostgreSQL only).

Two databases on one PostgreSQL: the demo data alone (``…_demo``) and the demo
data plus a shop of ``--customers`` customers (default 1,000,000) loaded with
set-based SQL (``generate_series``): Turkish names (4 % share "Yılmaz", 40,000
of a million), three consent rows each, 200,000 stored sessions (half expired),
2 million SMS and 1.7 million code rows over 30 days (with their failed
checks), 50 segments listing 100,000 members, 100,000 acting sessions and
500,000 audit events (one customer with 5,000 of them).

Then both run under gunicorn in the production configuration and one client
sends each request alternately to the demo portal and to the large one (so a
busy moment of a shared machine hits both alike), and prints each request's
p50 and p99 on both and the growth factor. The periodic commands run on the
large database: one day's backlog, then everything past retention, and the
İYS push of the last day's consent changes to the simulator on loopback.

Targets (issue 23): every request's p50 within 1.5× of the demo one, except agent
search, whose target is its own: p50 ≤ 50 ms at a million customers (its growth is
printed too); a day's backlog cleared in under a minute.

The databases: ``BENCH_SCALE_URL`` (default ``postgresql+psycopg://portal_ci:portal_ci@127.0.0.1:5432/portal_scale``)
and the same name with ``_demo``. They are created when missing (as root,
with ``su postgres -c createdb``), emptied at the start, and emptied at the
end unless ``--keep``. ``python -m bench.scale --help`` for the knobs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from bench.servers import BenchError, Login, empty_database, flask, gunicorn, log, portal_env, set_cookies
from iys_sim import create_app as create_iys_simulator
from portal.search_text import fold

DEFAULT_URL = "postgresql+psycopg://portal_ci:portal_ci@127.0.0.1:5432/portal_scale"
DEMO_CUSTOMER = ("demo@example.com", "portal-demo-2026")
AGENT = ("agent@example.com", "portal-agent-2026")

FIRST_NAMES = [
    "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Şerife", "Zehra", "Sultan",
    "Hanife", "Merve", "Havva", "Zeliha", "Esra", "Fadime", "Özlem", "Hacer", "Yasemin", "Hülya",
    "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman", "Yusuf",
    "Murat", "Ömer", "Ramazan", "Halil", "Süleyman", "Abdullah", "Mahmut", "Recep", "Salih", "Kemal",
    "Çağla", "Gökhan", "Şule", "Ilgın", "Doğan", "Ümit", "Barış", "Gülşen", "Işıl", "Cengiz",
]  # fmt: skip
# "Yılmaz" is given to every 25th customer (4 %); these share the rest.
LAST_NAMES = [
    "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir", "Arslan",
    "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek", "Polat",
    "Özcan", "Korkmaz", "Çakır", "Erdoğan", "Yavuz", "Can", "Acar", "Şen", "Aktaş", "Güler",
    "Yalçın", "Güneş", "Bozkurt", "Bulut", "Keskin", "Ünal", "Turan", "Gül", "Özer", "İnce",
    "Işık", "Tekin", "Aksoy", "Ateş", "Yüksel", "Kaplan", "Sarı", "Avcı", "Taş", "Uçar",
]  # fmt: skip
SHARED_SURNAME = "Yılmaz"


# -- databases -------------------------------------------------------------------------


def demo_url_for(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_demo").render_as_string(hide_password=False)


def ensure_database(url: str) -> None:
    """Create the database when it is missing: as root through ``su postgres``, else say how."""
    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres"))
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": parsed.database}).first()
    finally:
        engine.dispose()
    if exists:
        return
    command = f"createdb -O {parsed.username} {parsed.database}"
    if os.geteuid() != 0:
        raise BenchError(f"database {parsed.database} is missing: su postgres -c '{command}'")
    log(f"creating database {parsed.database}")
    subprocess.run(["su", "postgres", "-c", command], check=True)


# -- the large shop ----------------------------------------------------------------------------

LOAD_STATEMENTS = [
    (
        "customers",
        """
        INSERT INTO users (email, password_hash, first_name, last_name, search_name, phone, gender, language_code,
                           attributes, email_allowed, sms_allowed, call_allowed, date_joined, role, is_active)
        SELECT 'customer' || lpad(g::text, 7, '0') || '@example.com', :password_hash,
               (CAST(:first AS text[]))[1 + (g::bigint * 2654435761 % 4294967296) % :n_first],
               CASE WHEN g % 25 = 0 THEN :shared ELSE (CAST(:last AS text[]))[1 + (g / 25) % :n_last] END,
               CASE WHEN g % 25 = 0 THEN :shared_folded ELSE (CAST(:last_folded AS text[]))[1 + (g / 25) % :n_last] END
                 || ' ' || (CAST(:first_folded AS text[]))[1 + (g::bigint * 2654435761 % 4294967296) % :n_first],
               '+90533' || lpad(g::text, 7, '0'), CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END,
               CASE WHEN g % 3 = 0 THEN 'en' ELSE 'tr' END, '{}', g % 3 = 0, g % 4 = 0, false,
               :now - (g % 1000) * interval '1 day', 'customer', true
        FROM generate_series(1, :customers) AS g
        """,
    ),
    (
        "consent records (3 a customer)",
        """
        INSERT INTO consent_records (user_id, channel, granted, created_at, source, client_ip, user_agent,
                                     notice_version, iys_type, recipient, status, iys_source)
        SELECT u.id, (ARRAY['email', 'sms', 'call'])[c], (u.id + c) % 2 = 0,
               :now - ((u.id + c) % 700) * interval '1 day', 'web', '10.0.0.1', 'bench', '1',
               (ARRAY['EPOSTA', 'MESAJ', 'ARAMA'])[c], CASE WHEN c = 1 THEN u.email ELSE u.phone END,
               CASE WHEN (u.id + c) % 2 = 0 THEN 'ONAY' ELSE 'RET' END, 'HS_WEB'
        FROM users u CROSS JOIN generate_series(1, 3) AS c WHERE u.email LIKE 'customer%'
        """,
    ),
    (
        "İYS push rows (the last day's changes still to send)",
        """
        INSERT INTO iys_pushes (record_id, state, attempts, sent_at)
        SELECT r.id, CASE WHEN r.created_at > :now - interval '1 day' THEN 'pending' ELSE 'sent' END,
               CASE WHEN r.created_at > :now - interval '1 day' THEN 0 ELSE 1 END,
               CASE WHEN r.created_at > :now - interval '1 day' THEN NULL ELSE r.created_at END
        FROM consent_records r WHERE r.user_agent = 'bench'
        """,
    ),
    (
        "stored sessions (half expired)",
        """
        INSERT INTO server_sessions (session_id, data, expiry, user_id)
        SELECT 'bench-' || g, '\\x80', :now + ((g % 48) - 24) * interval '1 hour', :first_id + g % :customers
        FROM generate_series(1, :sessions) AS g
        """,
    ),
    (
        "SMS over 30 days",
        """
        INSERT INTO sms_messages ("to", purpose, backend, status, client_ip, sent_at)
        SELECT '+90533' || lpad((g % :customers)::text, 7, '0'), 'profile', 'http', 'sent', '10.0.0.1',
               :now - g * (interval '30 days' / :sms)
        FROM generate_series(1, :sms) AS g
        """,
    ),
    (
        "codes over 30 days",
        """
        INSERT INTO otp_codes (purpose, subject, phone, payload_hash, code_hash, status, failed_attempts,
                               created_at, expires_at, resend_at, used_at, sms_id)
        SELECT 'profile', 'user:' || (:first_id + g % :customers), '+90533' || lpad((g % :customers)::text, 7, '0'),
               md5(g::text), md5((g + 1)::text), 'used', 0, s.sent_at, s.sent_at + interval '3 minutes',
               s.sent_at + interval '1 minute', s.sent_at + interval '1 minute', s.id
        FROM generate_series(1, :codes) AS g
        JOIN sms_messages s ON s.id = :first_sms_id + 1 + (g - 1)::bigint * :sms / :codes
        """,
    ),
    (
        "failed checks",
        """
        INSERT INTO otp_failures (purpose, subject, phone, error_code, code_id, created_at)
        SELECT c.purpose, c.subject, c.phone, 'otp_wrong', c.id, c.created_at + interval '30 seconds'
        FROM otp_codes c WHERE c.id % 6 = 0
        """,
    ),
    (
        "segments and members",
        """
        WITH made AS (
            INSERT INTO segments (name, priority, is_active, rule, created_at, updated_at)
            SELECT 'Bench segment ' || g, 100 + g, true, 'members', :now, :now FROM generate_series(1, :segments) g
            RETURNING id
        ), numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM made)
        INSERT INTO segment_members (segment_id, user_id)
        SELECT n.id, :first_id + (n.k - 1) * :per_segment + m
        FROM numbered n CROSS JOIN generate_series(0, :per_segment - 1) AS m
        """,
    ),
    (
        "acting sessions",
        """
        INSERT INTO acting_sessions (agent_id, customer_id, reason, client_ip, started_at, ends_at, ended_at,
                                     end_reason)
        SELECT :agent_id, :first_id + (g::bigint * 7919) % :customers, 'Ticket ' || g, '10.0.0.2',
               :now - g * interval '5 minutes', :now - g * interval '5 minutes' + interval '30 minutes',
               :now - g * interval '5 minutes' + interval '4 minutes', 'stop'
        FROM generate_series(1, :acting) AS g
        """,
    ),
    (
        "audit events",
        """
        INSERT INTO audit_events (created_at, agent_id, customer_id, acting_session_id, action, reason, client_ip,
                                  details)
        SELECT :now - g * interval '1 minute', :agent_id,
               CASE WHEN g % 100 = 0 THEN :busy_id ELSE :first_id + (g::bigint * 7919) % :customers END,
               NULL, 'write', 'Ticket ' || g, '10.0.0.2',
               '{"method": "POST", "endpoint": "profile.profile", "path": "/account/profile", "status": 303}'
        FROM generate_series(1, :audit) AS g
        """,
    ),
]


def load_large_shop(url: str, *, customers: int) -> tuple[float, int]:
    """Fill the large database (already migrated and seeded): seconds taken, and the busiest customer's id."""
    scale = customers / 1_000_000
    engine = create_engine(url)
    started = time.perf_counter()
    try:
        with engine.begin() as conn:
            password_hash, agent_id = conn.execute(
                text(
                    "SELECT (SELECT password_hash FROM users WHERE email = :c),"
                    " (SELECT id FROM users WHERE email = :a)"
                ),
                {"c": DEMO_CUSTOMER[0], "a": AGENT[0]},
            ).one()
        params = {
            "now": datetime_now(),
            "password_hash": password_hash,
            "agent_id": agent_id,
            "customers": customers,
            "first": FIRST_NAMES,
            "first_folded": [fold(n) for n in FIRST_NAMES],
            "n_first": len(FIRST_NAMES),
            "last": LAST_NAMES,
            "last_folded": [fold(n) for n in LAST_NAMES],
            "n_last": len(LAST_NAMES),
            "shared": SHARED_SURNAME,
            "shared_folded": fold(SHARED_SURNAME),
            "sessions": int(200_000 * scale),
            "sms": int(2_000_000 * scale),
            "codes": int(1_700_000 * scale),
            "segments": 50,
            "per_segment": max(1, int(2_000 * scale)),
            "acting": int(100_000 * scale),
            "audit": int(500_000 * scale),
        }
        for label, statement in LOAD_STATEMENTS:
            step = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
                if label == "customers":
                    conn.execute(text(statement), params)
                    params["first_id"] = conn.execute(
                        text("SELECT min(id) FROM users WHERE email LIKE 'customer0%'")
                    ).scalar_one()
                    params["busy_id"] = params["first_id"] + customers // 2
                else:
                    if label == "codes over 30 days":
                        params["first_sms_id"] = conn.execute(text("SELECT min(id) - 1 FROM sms_messages")).scalar_one()
                    conn.execute(text(statement), params)
            log(f"  {label}: {time.perf_counter() - step:.1f} s")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            step = time.perf_counter()
            conn.execute(text("VACUUM ANALYZE"))
            log(f"  vacuum analyze: {time.perf_counter() - step:.1f} s")
        with engine.connect() as conn:
            counts = {
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - fixed names
                for table in ("users", "consent_records", "iys_pushes", "server_sessions", "sms_messages",
                              "otp_codes", "otp_failures", "segment_members", "acting_sessions", "audit_events")
            }  # fmt: skip
        log("  rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
        return time.perf_counter() - started, params["busy_id"]
    finally:
        engine.dispose()


def datetime_now():
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, like every UTCDateTime


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Site:
    label: str
    base_url: str
    client: httpx.Client
    customer: Login
    agent: Login
    busy_customer_id: int


def login(client: httpx.Client, base_url: str, email: str, password: str) -> Login:
    """As a storefront does: ``GET /csrf_token/`` once, then ``POST /users/login/``."""
    token = client.get(f"{base_url}/csrf_token/").json()["csrf_token"]
    response = client.post(f"{base_url}/users/login/", json={"email": email, "password": password})
    if response.status_code != 200:
        raise BenchError(f"login as {email} failed: {response.status_code} {response.text[:300]}")
    cookies = set_cookies(response)
    return Login(cookie=f"osessionid={cookies['osessionid']}; csrftoken={token}", csrf_token=token)


@dataclass(frozen=True)
class Request:
    label: str
    method: str
    path: str
    who: str  # "customer", "agent" or "anonymous"
    body: dict | None = None
    search: bool = False


def requests_to_measure() -> list[Request]:
    searches = ["customer0", "customer05000", "öztürk", "ÖZTÜRK", "ozturk", "yılmaz", "YILMAZ", "ayşe yılmaz",
                "İNCE", "0533 000 12 34"]  # fmt: skip
    return [
        Request("POST /users/login/", "POST", "/users/login/", "anonymous",
                body={"email": DEMO_CUSTOMER[0], "password": DEMO_CUSTOMER[1]}),
        Request("GET /users/profile/", "GET", "/users/profile/", "customer"),
        Request("GET /account/profile", "GET", "/account/profile", "customer"),
        Request("GET /users/segments/", "GET", "/users/segments/", "customer"),
        *(Request(f"agent search {q!r}", "GET", "/agent/?" + httpx.QueryParams(q=q).__str__(), "agent", search=True)
          for q in searches),
        Request("agent customer page (5,000 events)", "GET", "/agent/customers/{busy}", "agent"),
    ]  # fmt: skip


def send(site: Site, request: Request) -> float:
    headers = {"Accept": "text/html" if request.path.startswith(("/agent", "/account")) else "application/json"}
    if request.who == "customer":
        headers.update(site.customer.headers())
    elif request.who == "agent":
        headers.update(site.agent.headers())
    path = request.path.replace("{busy}", str(site.busy_customer_id))
    started = time.perf_counter()
    response = site.client.request(request.method, site.base_url + path, headers=headers, json=request.body)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchError(f"{request.label} on {site.label}: {response.status_code} {response.text[:300]}")
    return elapsed * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(demo: Site, large: Site, *, rounds: int) -> list[tuple[Request, list[float], list[float]]]:
    results = []
    for request in requests_to_measure():
        n = max(5, rounds // 5) if request.method == "POST" else rounds  # a login hashes a password
        for _ in range(3):  # warm-up: caches, the first use of each statement
            send(demo, request)
            send(large, request)
        demo_ms, large_ms = [], []
        for _ in range(n):
            demo_ms.append(send(demo, request))
            large_ms.append(send(large, request))
        log(f"  {request.label}: demo p50 {statistics.median(demo_ms):.1f} ms, "
            f"large p50 {statistics.median(large_ms):.1f} ms")  # fmt: skip
        results.append((request, demo_ms, large_ms))
    return results


def run_command(env: dict[str, str], *args: str, **extra_env: str) -> tuple[float, str]:
    started = time.perf_counter()
    output = flask({**env, **extra_env}, *args)
    return time.perf_counter() - started, output.strip().splitlines()[-1] if output.strip() else ""


@contextmanager
def iys_simulator() -> Iterator[dict[str, str]]:
    """The İYS simulator on loopback; the settings that point ``flask iys push`` at it."""
    with tempfile.TemporaryDirectory(prefix="bench-iys-") as directory:
        username, password = "bench-iys", "bench-iys-password"
        app = create_iys_simulator(username=username, password=password, database=str(Path(directory, "iys.sqlite3")))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield {
                "IYS_URL": f"http://127.0.0.1:{server.server_port}",
                "IYS_CODE": "600000",
                "IYS_BRAND_CODE": "600001",
                "IYS_USERNAME": username,
                "IYS_PASSWORD": password,
            }
        finally:
            server.shutdown()
            thread.join(timeout=5)


# -- the report ---------------------------------------------------------------------------------


def report(results, commands, *, customers: int, load_seconds: float) -> bool:
    ok = True
    print(f"\nScale benchmark: {customers:,} customers (loaded in {load_seconds:.0f} s) against the demo data; "
          "ms, one client, requests alternating between the two")  # fmt: skip
    print(f"{'request':<42} {'demo p50':>9} {'demo p99':>9} {'large p50':>10} {'large p99':>10} {'growth':>7}  target")
    for request, demo_ms, large_ms in results:
        demo_p50, large_p50 = statistics.median(demo_ms), statistics.median(large_ms)
        growth = large_p50 / demo_p50
        # Issue 23's targets: search has its own (p50 ≤ 50 ms at a million, "search as
        # above"); every other request stays within 1.5× of the demo p50. A search's
        # growth is printed all the same: its demo side matches a handful of rows.
        if request.search:
            passed, target = large_p50 <= 50, "≤ 50 ms"
        else:
            passed, target = growth <= 1.5, "≤ 1.5×"
        ok &= passed
        print(f"{request.label:<42} {demo_p50:>9.1f} {percentile(demo_ms, 0.99):>9.1f} {large_p50:>10.1f} "
              f"{percentile(large_ms, 0.99):>10.1f} {growth:>6.2f}×  {target} "
              f"{'ok' if passed else 'MISSED'}")  # fmt: skip
    print(f"\n{'periodic command (large database)':<60} {'seconds':>8}  output")
    for label, seconds, output, limit in commands:
        passed = limit is None or seconds <= limit
        ok &= passed
        verdict = "" if limit is None else (f"  (target ≤ {limit} s: {'ok' if passed else 'MISSED'})")
        print(f"{label:<60} {seconds:>8.1f}  {output}{verdict}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="size of the large shop (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=40, help="measured requests per request type and database")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per portal")
    parser.add_argument("--keep", action="store_true", help="keep both databases filled afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure databases a --keep run left (no load)")
    parser.add_argument("--requests-only", action="store_true", help="skip the periodic commands")
    args = parser.parse_args(argv)

    large_url = os.environ.get("BENCH_SCALE_URL", DEFAULT_URL)
    if not large_url.startswith("postgresql"):
        raise BenchError("bench-scale runs on PostgreSQL only: BENCH_SCALE_URL=postgresql+psycopg://…")
    demo_url = demo_url_for(large_url)
    for url in (large_url, demo_url):
        ensure_database(url)
    # The agent signs in with a password only: a second factor is a step of the login,
    # which is not what is measured here, and production requires one of staff.
    demo_env, large_env = (portal_env(url, STAFF_REQUIRE_2FA="false") for url in (demo_url, large_url))

    if args.reuse:
        engine = create_engine(large_url)
        with engine.connect() as conn:
            busy_id = conn.execute(
                text("SELECT customer_id FROM audit_events GROUP BY customer_id ORDER BY count(*) DESC LIMIT 1")
            ).scalar_one()
        engine.dispose()
        load_seconds = 0.0
    else:
        for env in (demo_env, large_env):
            log(f"migrating and seeding {make_url(env['DATABASE_URL']).database}")
            empty_database(env["DATABASE_URL"])
            flask(env, "db", "upgrade")
            flask(env, "seed-demo")
        log(f"loading {args.customers:,} customers and their rows")
        load_seconds, busy_id = load_large_shop(large_url, customers=args.customers)

    try:
        with ExitStack() as stack:
            sites = []
            for label, env in (("demo", demo_env), ("large", large_env)):
                server = stack.enter_context(gunicorn("wsgi:app", env, workers=args.workers, probe="/healthz"))
                client = stack.enter_context(httpx.Client(timeout=60))
                # The large shop's busiest customer; on the demo data, the demo customer.
                customer_id = busy_id if label == "large" else _first_customer_id(env)
                sites.append(Site(label, server.base_url, client, login(client, server.base_url, *DEMO_CUSTOMER),
                                  login(client, server.base_url, *AGENT), customer_id))  # fmt: skip
            log("measuring requests (demo and large, alternating)")
            results = measure(*sites, rounds=args.rounds)
        commands = []
        if args.requests_only:
            return 0 if report(results, commands, customers=args.customers, load_seconds=load_seconds) else 1
        log("running the periodic commands on the large database")
        # One day's backlog: retention one day shorter than the 30 days loaded.
        seconds, output = run_command(large_env, "otp", "cleanup", OTP_CODE_RETENTION_HOURS=str(29 * 24),
                                      SMS_RETENTION_DAYS="29")  # fmt: skip
        commands.append(("flask otp cleanup: one day's backlog", seconds, output, 60))
        seconds, output = run_command(large_env, "otp", "cleanup")
        commands.append(("flask otp cleanup: everything past retention (29 days)", seconds, output, None))
        seconds, output = run_command(large_env, "sessions-cleanup")
        commands.append(("flask sessions-cleanup (half of the sessions expired)", seconds, output, 60))
        seconds, output = run_command(large_env, "loyalty", "retry-pending", "--due-only")
        commands.append(("flask loyalty retry-pending --due-only (none due)", seconds, output, 60))
        seconds, output = run_command(large_env, "otp", "cleanup")
        commands.append(("flask otp cleanup: nothing left to delete", seconds, output, None))
        with iys_simulator() as iys_settings:
            # Production accepts only an https:// İYS and the simulator speaks http: this one
            # command runs with the development configuration, on the same database.
            seconds, output = run_command(large_env, "iys", "push", PORTAL_CONFIG="development", **iys_settings)
        commands.append(("flask iys push: a day's consent changes", seconds, output, 60))
    finally:
        if not args.keep:
            for url in (demo_url, large_url):
                empty_database(url)
    ok = report(results, commands, customers=args.customers, load_seconds=load_seconds)
    return 0 if ok else 1


def _first_customer_id(env: dict[str, str]) -> int:
    engine = create_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": DEMO_CUSTOMER[0]}).scalar_one()
    finally:
        engine.dispose()


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchError as error:
        log(f"bench-scale: {error}")
        raise SystemExit(2) from None
