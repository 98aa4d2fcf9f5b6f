"""``make load``: the portal under sustained mixed load on PostgreSQL, checked
for correctness rather than speed.

60 seconds, 32 virtual clients, gunicorn with 4 sync workers and the production
configuration. Each client logs in as its OWN customer and loops over a mix of
reads and writes: profile reads (JSON and the HTML page), name changes (each a
name no one else sends), segment lists and switches, and once per client a
consent change confirmed by the SMS code (KVKK confirmation switched on; the
codes are read from a small SMS gateway this script runs on 127.0.0.1).

It fails (exit 1) on any 5xx or transport error, on any answer that belongs to
another customer, when a customer's final state in the database is not the
last write that client had acknowledged (lost or mixed-up update), or when a
worker's memory kept growing or a worker was replaced. Every worker's RSS is
sampled each second and summarised.

``python -m bench.load --help`` for the knobs. Features not built yet (a 404 on
their endpoint) are left out of the mix, and the summary says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from bench.servers import (
    BIN,
    ROOT,
    BenchError,
    gunicorn,
    log,
    portal_env,
    postgres_url,
    prepare_portal,
    set_cookies,
)

PASSWORD = "load-test-password-2026"
MIB = 1024 * 1024


def email_of(n: int) -> str:
    return f"load{n:03d}@example.com"


def letters(n: int) -> str:
    """A number spelled in letters: name fields take no digits."""
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n //= 26
        if n == 0:
            return out


# -- a fake SMS gateway that keeps the last code sent to each phone ------------


class SmsGateway:
    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.condition = threading.Condition()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                match = re.search(r"\b(\d{6})\b", body["text"])
                with gateway.condition:
                    if match:
                        gateway.codes[body["to"]] = match.group(1)
                    gateway.condition.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "queued"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take_code(self, phone: str, timeout: float = 10) -> str | None:
        deadline = time.monotonic() + timeout
        with self.condition:
            while phone not in self.codes:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.condition.wait(remaining)
            return self.codes.pop(phone)

    def close(self) -> None:
        self.server.shutdown()


# -- seeding -------------------------------------------------------------------

SEED_SCRIPT = """
import sys
from wsgi import app
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.extensions import db
count = int(sys.argv[1])
with app.app_context():
    password_hash = hash_password(sys.argv[2])  # once: argon2 is slow on purpose
    for n in range(count):
        db.session.add(User(email=f"load{n:03d}@example.com", password_hash=password_hash,
                            first_name="Load", last_name="Client", phone=f"+90555{n:07d}"))
    db.session.commit()
    try:
        from portal.settings.services import set_setting
    except ImportError:
        print("no-settings")
    else:
        set_setting("KVKK_CONFIRMATION_ENABLED", True)
        print("kvkk-on")
"""


def seed(env: dict[str, str], clients: int) -> bool:
    """The load customers; True when KVKK confirmation could be switched on."""
    result = subprocess.run(
        [str(BIN / "python"), "-c", SEED_SCRIPT, str(clients), PASSWORD],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"seeding failed:\n{result.stderr[-3000:]}")
    return "kvkk-on" in result.stdout


# -- the virtual clients ---------------------------------------------------------


@dataclass
class Stats:
    started: float = 0.0
    statuses: Counter = field(default_factory=Counter)  # (operation, status)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    problems: list[str] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)

    def problem(self, message: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(message)


@dataclass
class Expected:
    """What a client last had acknowledged; the database must end up so."""

    user_id: int | None = None
    first_name: str = "Load"
    segment: int | None = None
    sms_allowed: bool | None = None


class Client:
    def __init__(self, n: int, http: httpx.AsyncClient, stats: Stats, sms: SmsGateway, kvkk: bool):
        self.n = n
        self.email = email_of(n)
        self.phone = f"+90555{n:07d}"
        self.http = http
        self.stats = stats
        self.sms = sms
        self.kvkk = kvkk
        self.expected = Expected()
        self.headers: dict[str, str] = {}
        self.csrf = ""
        self.writes = 0
        self.segments: list[int] = []

    async def call(self, operation: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        headers = {**self.headers, "Accept": kwargs.pop("accept", "application/json")}
        if method != "GET":
            headers["X-CSRFToken"] = self.csrf
        start = time.perf_counter()
        try:
            response = await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as error:
            self.stats.statuses[(operation, "transport error")] += 1
            self.stats.problem(f"{self.email} {operation}: {type(error).__name__} {error}")
            return None
        self.stats.latencies[operation].append(time.perf_counter() - start)
        self.stats.statuses[(operation, response.status_code)] += 1
        if response.status_code >= 500:
            self.stats.problem(f"{self.email} {operation}: {response.status_code} {response.text[:200]}")
        return response

    def mine(self, operation: str, body: dict) -> bool:
        """An answer about another customer is the worst mix-up there is."""
        if body.get("email") != self.email:
            self.stats.problem(f"{self.email} {operation}: answer is about {body.get('email')!r}")
            return False
        return True

    async def login(self, gate: asyncio.Semaphore) -> None:
        """Before the clock starts, a few at a time: argon2 is meant to be slow."""
        async with gate:
            token = await self.http.get("/csrf_token/", timeout=120)  # once, as a storefront does
            response = await self.http.post(
                "/users/login/", json={"email": self.email, "password": PASSWORD}, timeout=120
            )
        if response.status_code != 200:
            raise BenchError(f"login {self.email}: {response.status_code} {response.text[:200]}")
        cookies = set_cookies(response)  # Secure cookies, sent by hand over loopback HTTP
        self.csrf = token.json()["csrf_token"]
        self.headers = {"Cookie": f"osessionid={cookies['osessionid']}; csrftoken={self.csrf}"}

    async def read_profile(self) -> None:
        response = await self.call("GET /users/profile/", "GET", "/users/profile/")
        if response is not None and response.status_code == 200:
            body = response.json()
            if self.mine("GET /users/profile/", body):
                self.expected.user_id = body["id"]
                if self.expected.sms_allowed is None:
                    self.expected.sms_allowed = body["sms_allowed"]

    async def read_page(self) -> None:
        response = await self.call("GET /account/profile", "GET", "/account/profile", accept="text/html")
        if response is not None and response.status_code == 200 and self.email not in response.text:
            self.stats.problem(f"{self.email} GET /account/profile: page does not show this customer")

    async def rename(self) -> None:
        self.writes += 1
        name = f"L{letters(self.n)}x{letters(self.writes)}"
        response = await self.call("PATCH /users/profile/ name", "PATCH", "/users/profile/", json={"first_name": name})
        if response is None or response.status_code != 200:
            if response is not None and response.status_code < 500:
                self.stats.problem(f"{self.email} rename: {response.status_code} {response.text[:200]}")
            return
        body = response.json()
        if self.mine("PATCH /users/profile/", body):
            if body.get("first_name") != name:
                self.stats.problem(f"{self.email} rename: sent {name!r}, answer says {body.get('first_name')!r}")
            self.expected.first_name = name

    async def list_segments(self) -> None:
        response = await self.call("GET /users/segments/", "GET", "/users/segments/")
        if response is not None and response.status_code == 404:
            self.stats.missing.add("segments (GET /users/segments/ answers 404)")
        elif response is not None and response.status_code == 200:
            self.segments = sorted(item["pk"] for item in response.json())

    async def switch_segment(self) -> None:
        if not self.segments:
            await self.list_segments()
        choices = [pk for pk in self.segments if pk != self.expected.segment] or self.segments
        if not choices:
            return
        pk = random.choice(choices)
        response = await self.call("POST /users/segments/<id>/set/", "POST", f"/users/segments/{pk}/set/")
        if response is not None and response.status_code == 200:
            if response.json().get("pk") != pk:
                self.stats.problem(f"{self.email} segment set {pk}: answer says {response.json().get('pk')}")
            self.expected.segment = pk
        elif response is not None and response.status_code < 500:
            self.stats.problem(f"{self.email} segment set {pk}: {response.status_code} {response.text[:200]}")

    async def change_consent(self) -> None:
        """A consent change waits for the code sent to the phone, then applies with it."""
        if self.expected.sms_allowed is None:
            await self.read_profile()
        wanted = not self.expected.sms_allowed
        change = {"sms_allowed": wanted}
        response = await self.call("PATCH consent (asks code)", "PATCH", "/users/profile/", json=change)
        if response is None or response.status_code >= 500:
            return
        if response.status_code == 200:
            self.stats.missing.add("KVKK confirmation (a consent change applied without a code)")
        elif response.status_code != 202:
            self.stats.problem(f"{self.email} consent: {response.status_code} {response.text[:200]}")
            return
        else:
            code = await asyncio.to_thread(self.sms.take_code, self.phone)
            if code is None:
                self.stats.problem(f"{self.email} consent: no SMS code reached the gateway")
                return
            response = await self.call(
                "PATCH consent (with code)", "PATCH", "/users/profile/", json={**change, "code": code}
            )
            if response is None or response.status_code != 200:
                if response is not None and response.status_code < 500:
                    self.stats.problem(f"{self.email} consent code: {response.status_code} {response.text[:200]}")
                return
        body = response.json()
        if self.mine("consent", body) and body.get("sms_allowed") is wanted:
            self.expected.sms_allowed = wanted
        else:
            self.stats.problem(f"{self.email} consent: asked {wanted}, answer says {body.get('sms_allowed')}")

    async def run(self, until: float) -> None:
        await self.read_profile()
        await self.list_segments()
        consent_at = time.monotonic() + random.uniform(2, max(3.0, until - time.monotonic() - 15))
        consent_done = not self.kvkk
        mix = [
            (self.read_profile, 35),
            (self.read_page, 10),
            (self.rename, 25),
            (self.list_segments, 15),
            (self.switch_segment, 15),
        ]
        operations, weights = zip(*mix, strict=True)
        while time.monotonic() < until:
            if not consent_done and time.monotonic() >= consent_at:
                consent_done = True
                await self.change_consent()
                continue
            await random.choices(operations, weights)[0]()


# -- memory --------------------------------------------------------------------------


class MemorySampler:
    """Each worker's RSS once a second, keyed by pid (a new pid is a replaced worker)."""

    def __init__(self, master_pid: int):
        self.master = psutil.Process(master_pid)
        self.samples: dict[int, list[tuple[float, int]]] = defaultdict(list)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            for worker in self.master.children():
                with contextlib.suppress(psutil.NoSuchProcess):
                    self.samples[worker.pid].append((time.monotonic(), worker.memory_info().rss))
            self.stop.wait(1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def report(self, workers: int, since: float) -> tuple[list[str], bool]:
        """Steady: the median RSS of the last quarter of the run is within 10 %
        (+2 MiB) of the median of the second quarter (the first is warm-up).
        Only samples from ``since`` on count: the logins before it run argon2,
        which takes 64 MiB for a moment by design."""
        lines, ok = [], True
        if len(self.samples) != workers:
            ok = False
            lines.append(f"  {len(self.samples)} worker pids seen for {workers} workers: a worker was replaced")
        for pid, samples in sorted(self.samples.items()):
            rss = [value for at, value in samples if at >= since] or [value for _, value in samples]
            quarter = max(1, len(rss) // 4)
            early = statistics.median(rss[quarter : 2 * quarter] or rss)
            late = statistics.median(rss[-quarter:])
            steady = late <= early * 1.10 + 2 * MIB
            ok = ok and steady
            lines.append(
                f"  worker {pid}: start {rss[0] / MIB:.1f} MiB, second quarter {early / MIB:.1f} MiB, "
                f"last quarter {late / MIB:.1f} MiB, max {max(rss) / MIB:.1f} MiB "
                f"({len(rss)} samples): {'steady' if steady else 'GROWING'}"
            )
        return lines, ok


# -- the final check ---------------------------------------------------------------


def check_final_state(database_url: str, clients: list[Client], stats: Stats) -> int:
    """Compare the database with what each client last had acknowledged."""
    mismatches = 0
    engine = create_engine(database_url)
    with engine.connect() as conn:
        query = text("SELECT id, email, first_name, sms_allowed FROM users WHERE email LIKE 'load%'")
        users = {row.email: row for row in conn.execute(query)}
        try:
            choices = dict(conn.execute(text("SELECT user_id, segment_id FROM segment_choices")).all())
        except DBAPIError:  # no segments feature (table) on this branch
            choices = {}
    engine.dispose()
    for client in clients:
        row = users[client.email]
        want = client.expected
        found = {"first_name": row.first_name, "sms_allowed": bool(row.sms_allowed), "segment": choices.get(row.id)}
        expected = {"first_name": want.first_name, "sms_allowed": want.sms_allowed, "segment": want.segment}
        if want.sms_allowed is None:
            del found["sms_allowed"], expected["sms_allowed"]
        if found != expected:
            mismatches += 1
            stats.problem(f"{client.email}: database has {found}, last acknowledged {expected}")
    return mismatches


# -- the run -------------------------------------------------------------------------


async def drive(base_url: str, clients_count: int, seconds: int, sms: SmsGateway, kvkk: bool):
    stats = Stats()
    limits = httpx.Limits(max_connections=clients_count, max_keepalive_connections=clients_count)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        clients = [Client(n, http, stats, sms, kvkk) for n in range(clients_count)]
        gate = asyncio.Semaphore(2)
        await asyncio.gather(*(client.login(gate) for client in clients))
        stats.started = time.monotonic()
        until = stats.started + seconds
        await asyncio.gather(*(client.run(until) for client in clients))
    return clients, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", 60)))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    sms = SmsGateway()
    try:
        url = postgres_url()
        env = portal_env(url, SMS_GATEWAY_URL=sms.url)
        log("== PostgreSQL: migrating and seeding")
        prepare_portal(env)
        kvkk = seed(env, args.clients)
        with gunicorn("wsgi:app", env, workers=args.workers, probe="/healthz") as server:
            log(f"== {args.clients} clients for {args.seconds} s against {args.workers} workers")
            with MemorySampler(server.process.pid) as memory:
                clients, stats = asyncio.run(drive(server.base_url, args.clients, args.seconds, sms, kvkk))
            elapsed = time.monotonic() - stats.started
            server_log = server.log_path.read_text()
    except BenchError as error:
        log(f"load: {error}")
        return 2
    finally:
        sms.close()

    mismatches = check_final_state(url, clients, stats)
    memory_lines, memory_ok = memory.report(args.workers, since=stats.started)
    total = sum(stats.statuses.values())
    server_errors = sum(n for (_, status), n in stats.statuses.items() if status == "transport error" or status >= 500)
    tracebacks = server_log.count("Traceback")

    print(f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.0f} req/s), {args.clients} clients, "
          f"{args.workers} gunicorn workers, PostgreSQL, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| operation | status | count | p50 ms | p99 ms |")
    print("|---|---|---:|---:|---:|")
    for (operation, status), count in sorted(stats.statuses.items(), key=lambda item: str(item[0])):
        times = sorted(stats.latencies.get(operation, [0.0]))
        p50 = times[len(times) // 2] * 1000
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
        print(f"| {operation} | {status} | {count} | {p50:.0f} | {p99:.0f} |")
    print("\nworker memory (RSS, sampled every second):")
    print("\n".join(memory_lines))
    if not kvkk:
        stats.missing.add("consent changes confirmed by code (no dynamic settings: KVKK confirmation unavailable)")
    for note in sorted(stats.missing):
        print(f"not exercised: {note}")
    print()
    verdicts = [
        ("no 5xx or transport errors", server_errors == 0),
        ("no tracebacks in the server log", tracebacks == 0),
        ("every answer about its own customer, final state = last acknowledged writes", mismatches == 0
         and not any("answer" in p for p in stats.problems)),
        ("worker memory steady, no worker replaced", memory_ok),
    ]
    for label, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}: {label}")
    if stats.problems:
        print("\nproblems (first 50):")
        print("\n".join(f"  {p}" for p in stats.problems))
    return 0 if all(ok for _, ok in verdicts) and not stats.problems else 1


if __name__ == "__main__":
    sys.exit(main())
