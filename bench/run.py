"""``make bench``: requests per second and latency of the portal, each measured
beside what it is fairly compared with, on the same machine and database.

- JSON reads and writes beside a bare Flask reference (``bench/reference_app.py``:
  Flask-Login's cookie session and one user row as JSON), in rounds that
  alternate: reference, endpoint, reference, endpoint, …
- Pages beside the same page built the stock way (``bench/stock_app``: stock
  Jinja, Flask-WTF, Flask-Babel) and built in Django (``bench/django_site``),
  all three reading the demo customer from the portal's database, in rounds that
  alternate: stock, Django, portal, stock, Django, portal, …

For SQLite and then PostgreSQL: migrate an empty database, load the demo data,
start every app under gunicorn with the same sync worker count (the portal with
the production configuration), log in to each as the demo customer, warm each
up unmeasured, then measure with wrk at 16 connections. An endpoint that is not
built yet (404/405) is skipped with a note.

Each round's ratio compares two runs a few seconds apart; the tables show the
median of the rounds' ratios (their range in the verdicts), the mean rate and
the median p50/p99. On a shared host the machine's speed changes from minute to
minute: one long run per app would measure that as much as the app.

Run ``python -m bench.run --help`` for the knobs; ``--quick`` (``make bench
BENCH_ARGS=--quick``) is a run of a few minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench import reference_app
from bench.django_site.catalogues import compile_catalogues
from bench.servers import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    USER_AGENT,
    BenchError,
    Login,
    Server,
    gunicorn,
    log,
    portal_env,
    portal_login,
    postgres_url,
    prepare_django,
    prepare_portal,
    set_cookies,
    sqlite_url,
)

LUA = Path(__file__).with_name("request.lua")

# Sync workers run Python on a CPU each while they hold a request; two per core
# lets one parse and render while the other waits on the database, without the
# context switching of many more processes than cores. wrk and PostgreSQL share
# the same cores, as they would share a small production host with the app.
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1)


@dataclass(frozen=True)
class Target:
    label: str
    method: str
    path: str
    accept: str = "application/json"
    target_ratio: float | None = None  # the issue's goal against the reference


REFERENCE = Target("reference: GET /me (bare Flask, mean of its runs)", "GET", "/me")
# JSON reads of the logged-in user's own row: at least the bare reference's rate.
# The segment list (a query over the segment rules) and PATCH (a write) are shown
# beside the reference without a target.
PORTAL_TARGETS = (
    Target("GET /users/profile/", "GET", "/users/profile/", target_ratio=1.0),
    Target("PATCH /users/profile/ (name)", "PATCH", "/users/profile/"),
    Target("GET /users/segments/", "GET", "/users/segments/"),
    Target("GET /users/user/ (foundation)", "GET", "/users/user/", target_ratio=1.0),
)


@dataclass(frozen=True)
class Page:
    """A portal page and the same page built the stock way and in Django (same path in each)."""

    label: str
    path: str
    stock_goal: float  # portal / stock at least this
    django_goal: float  # portal / Django at least this

    def target(self, app: str) -> Target:
        return Target(f"{self.label} ({app})", "GET", self.path, accept="text/html")


PAGES = (Page("GET /account/profile", "/account/profile", stock_goal=1.3, django_goal=2.0),)
PAGE_APPS = ("stock", "Django", "portal")  # the order of each round


@dataclass
class Result:
    target: Target
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    note: str = ""
    ratio: float | None = None  # median over the rounds of (this run's rate / the reference run's just before)
    ratios: list[float] = field(default_factory=list)  # each round's
    cpu_ms: float | None = None  # the app's workers' CPU time per request
    cpu_ratios: list[float] = field(default_factory=list)  # each round's (reference's CPU per request / this one's)


@dataclass
class PageResult:
    """A page's three rows (stock, Django, portal) and the portal's ratio to each, by round."""

    page: Page
    rows: dict[str, Result]
    over_stock: list[float] = field(default_factory=list)
    over_django: list[float] = field(default_factory=list)
    # The same by the workers' CPU time per request (the other page's over the portal's).
    cpu_over_stock: list[float] = field(default_factory=list)
    cpu_over_django: list[float] = field(default_factory=list)
    note: str = ""


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        raise BenchError(
            "wrk is required (the HTTP load generator): as root run `apt-get install -y wrk` "
            "(`make bench` does it for you when run as root)"
        )
    return wrk


def probe(base_url: str, target: Target, login: Login) -> str | None:
    """One request first: a note when the endpoint cannot be measured."""
    unsafe = target.method != "GET"
    response = httpx.request(
        target.method,
        base_url + target.path,
        headers={**login.headers(unsafe=unsafe), "Accept": target.accept},
        json={"first_name": "Benchprobe"} if unsafe else None,
        timeout=30,
    )
    if response.status_code in (404, 405):
        return f"skipped: not built yet ({response.status_code})"
    if response.status_code != 200:
        return f"skipped: answered {response.status_code} {response.text[:120]!r}"
    return None


def run_wrk(base_url: str, target: Target, login: Login, *, seconds: int, connections: int) -> dict:
    env = dict(
        os.environ,
        BENCH_METHOD=target.method,
        BENCH_COOKIE=login.cookie,
        BENCH_CSRF=login.csrf_token,
        BENCH_FIELD="first_name",
        BENCH_ACCEPT=target.accept,
    )
    threads = min(2, connections)
    command = [
        require_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
        "--timeout", "10s", "-s", str(LUA), base_url + target.path,
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        if line.startswith('{"bench"'):
            return json.loads(line)
    raise BenchError(f"wrk printed no summary:\n{result.stdout}{result.stderr}")


def worker_cpu_seconds(server: Server) -> dict[int, float]:
    """CPU time (user + system) each of the server's gunicorn workers has used so far."""
    times = {}
    for worker in psutil.Process(server.process.pid).children():
        try:
            cpu = worker.cpu_times()
        except psutil.NoSuchProcess:
            continue
        times[worker.pid] = cpu.user + cpu.system
    return times


def run(server: Server, target: Target, login: Login, args) -> Result:
    """One measured run of ``args.duration`` seconds.

    Besides the rate, the CPU time the app's workers spent per request: other
    processes on a shared machine slow the rate down, but hardly change what one
    request costs the app (the database server's own time is not in it)."""
    before = worker_cpu_seconds(server)
    summary = run_wrk(server.base_url, target, login, seconds=args.duration, connections=args.connections)
    after = worker_cpu_seconds(server)
    cpu = sum(after[pid] - before[pid] for pid in after.keys() & before.keys())
    # Sync gunicorn workers close each connection after answering; wrk reconnects
    # and counts nothing for that. Status >= 400, timeouts and failed reads are errors.
    errors = sum(summary[k] for k in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts"))
    return Result(
        target,
        rps=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=errors,
        cpu_ms=1000 * cpu / summary["requests"] if summary["requests"] else None,
    )


def cpu_ratio(other: Result, this: Result) -> float:
    """How many times less CPU per request ``this`` needed than ``other`` (0 if unknown)."""
    return other.cpu_ms / this.cpu_ms if other.cpu_ms and this.cpu_ms else 0.0


def combine(
    target: Target, runs: list[Result], ratios: list[float] | None = None, cpu_ratios: list[float] | None = None
) -> Result:
    """The runs of one endpoint as one row: mean rate, median latencies and CPU, median ratios."""
    errors = sum(r.errors for r in runs)
    rates = [r.rps for r in runs]
    cpu = [r.cpu_ms for r in runs if r.cpu_ms]
    return Result(
        target,
        rps=statistics.mean(rates),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        errors=errors,
        note=f"{errors} errors" if errors else "",
        ratio=statistics.median(ratios) if ratios else None,
        ratios=ratios or [],
        cpu_ms=statistics.median(cpu) if cpu else None,
        cpu_ratios=cpu_ratios or [],
    )


def measure_against_reference(
    portal: Server, target: Target, login: Login, reference: Server, reference_login: Login, args
) -> tuple[Result, list[Result]]:
    """The endpoint in ``args.rounds`` rounds, each right after a reference run.

    Returns the endpoint's row and the reference runs (for the reference's row).
    """
    run_wrk(reference.base_url, REFERENCE, reference_login, seconds=args.warmup, connections=args.connections)
    run_wrk(portal.base_url, target, login, seconds=args.warmup, connections=args.connections)
    references, runs, ratios, cpu_ratios = [], [], [], []
    for _ in range(args.rounds):
        reference_run = run(reference, REFERENCE, reference_login, args)
        result = run(portal, target, login, args)
        references.append(reference_run)
        runs.append(result)
        ratios.append(result.rps / reference_run.rps)
        cpu_ratios.append(cpu_ratio(reference_run, result))
    row = combine(target, runs, ratios, cpu_ratios)
    log(f"  {target.label}: {row.rps:.0f} req/s, p50 {row.p50_ms:.1f} ms, p99 {row.p99_ms:.1f} ms; "
        f"× reference by round: {', '.join(f'{r:.2f}' for r in ratios)} (median {row.ratio:.2f}); "
        f"by CPU per request: {', '.join(f'{r:.2f}' for r in cpu_ratios)}"
        + (f", {row.errors} ERRORS" if row.errors else ""))
    return row, references


def reference_login(base_url: str) -> Login:
    response = httpx.post(
        f"{base_url}/login",
        json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD},
        headers={"User-Agent": USER_AGENT},
        timeout=30,
    )
    if response.status_code != 200:
        raise BenchError(f"reference login failed: {response.status_code}")
    return Login(cookie=f"session={set_cookies(response)['session']}")


def page_login(base_url: str, path: str) -> Login:
    """Log in to the stock or Django app (``POST /login``), then open the page once and
    keep the cookies it sets (the CSRF token's), as a browser would send them back."""
    response = httpx.post(
        f"{base_url}/login",
        json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD},
        headers={"User-Agent": USER_AGENT},
        timeout=30,
    )
    if response.status_code != 200:
        raise BenchError(f"login to {base_url} failed: {response.status_code} {response.text[:200]!r}")
    cookies = set_cookies(response)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    page = httpx.get(base_url + path, headers={"Cookie": cookie, "User-Agent": USER_AGENT}, timeout=30)
    if page.status_code != 200:
        raise BenchError(f"{base_url}{path} answered {page.status_code} after login")
    cookies.update(set_cookies(page))
    return Login(cookie="; ".join(f"{k}={v}" for k, v in cookies.items()))


def measure_page(page: Page, servers: dict[str, tuple[Server, Login]], args) -> PageResult:
    """The page in each app, in ``args.rounds`` rounds of stock, Django, portal."""
    for app in PAGE_APPS:
        server, login = servers[app]
        run_wrk(server.base_url, page.target(app), login, seconds=args.warmup, connections=args.connections)
    runs: dict[str, list[Result]] = {app: [] for app in PAGE_APPS}
    result = PageResult(page, {})
    for _ in range(args.rounds):
        this_round = {}
        for app in PAGE_APPS:
            server, login = servers[app]
            this_round[app] = run(server, page.target(app), login, args)
            runs[app].append(this_round[app])
        portal = this_round["portal"]
        result.over_stock.append(portal.rps / this_round["stock"].rps)
        result.over_django.append(portal.rps / this_round["Django"].rps)
        result.cpu_over_stock.append(cpu_ratio(this_round["stock"], portal))
        result.cpu_over_django.append(cpu_ratio(this_round["Django"], portal))
    result.rows = {app: combine(page.target(app), runs[app]) for app in PAGE_APPS}
    rows = ", ".join(f"{app} {row.rps:.0f} req/s" for app, row in result.rows.items())

    def rounds(ratios: list[float]) -> str:
        return ", ".join(f"{r:.2f}" for r in ratios)

    log(f"  {page.label}: {rows}; portal/stock by round {rounds(result.over_stock)}, "
        f"portal/Django {rounds(result.over_django)}; by CPU per request {rounds(result.cpu_over_stock)} "
        f"and {rounds(result.cpu_over_django)}"
        + ("".join(f", {app} {row.errors} ERRORS" for app, row in result.rows.items() if row.errors)))
    return result


def selected(label: str, args) -> bool:
    return not args.only or any(part in label for part in args.only)


def bench_database(name: str, url: str, args, tmp: Path) -> tuple[list[Result], list[PageResult]]:
    """The JSON endpoints beside the reference, then the pages beside their stock
    and Django builds. The reference row shows the mean of all its runs, and their spread."""
    log(f"== {name}: migrating and seeding")
    env = portal_env(url)
    prepare_portal(env)
    reference_app.prepare_database(url, email=DEMO_EMAIL, password=DEMO_PASSWORD)
    django_env = dict(
        env,
        DJANGO_SETTINGS_MODULE="bench.django_site.settings",
        DJANGO_LOCALE_PATH=str(compile_catalogues(tmp / "django-locale")),
    )
    prepare_django(django_env)
    pages = [page for page in PAGES if selected(page.label, args)]
    with contextlib.ExitStack() as stack:
        reference = stack.enter_context(
            gunicorn("bench.reference_app:create_app()", env, workers=args.workers, probe="/me"))
        portal = stack.enter_context(gunicorn("wsgi:app", env, workers=args.workers, probe="/healthz"))
        log(f"== {name}: reference app and portal (production config), {args.workers} workers each")
        reference_session = reference_login(reference.base_url)
        login = portal_login(portal.base_url)
        references, results = [], []
        for target in PORTAL_TARGETS:
            if not selected(target.label, args):
                continue
            note = probe(portal.base_url, target, login)
            if note:
                log(f"  {target.label}: {note}")
                results.append(Result(target, note=note))
                continue
            result, paired = measure_against_reference(
                portal, target, login, reference, reference_session, args
            )
            references.extend(paired)
            results.append(result)
        if not references:  # nothing to compare with, but the reference still gets its line
            references.append(run(reference, REFERENCE, reference_session, args))
        page_results = []
        if pages:
            stock = stack.enter_context(
                gunicorn("bench.stock_app:create_app()", env, workers=args.workers, probe="/account/login"))
            django = stack.enter_context(
                gunicorn("bench.django_site.wsgi:application", django_env, workers=args.workers,
                         probe="/account/login"))
            log(f"== {name}: stock Flask and Django pages, {args.workers} workers each")
            for page in pages:
                note = probe(portal.base_url, page.target("portal"), login)
                if note:
                    log(f"  {page.label}: {note}")
                    page_results.append(PageResult(page, {}, note=note))
                    continue
                servers = {
                    "stock": (stock, page_login(stock.base_url, page.path)),
                    "Django": (django, page_login(django.base_url, page.path)),
                    "portal": (portal, login),
                }
                page_results.append(measure_page(page, servers, args))
    mean = combine(REFERENCE, references)
    rates = [r.rps for r in references]
    mean.note = f"{len(rates)} runs, {min(rates):.0f} to {max(rates):.0f} req/s" + (
        f", {mean.errors} errors" if mean.errors else ""
    )
    mean.ratio = 1.0
    return [mean, *results], page_results


def _cell(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v]
    return statistics.median(values) if values else None


def table(runs: dict[str, list[Result]]) -> str:
    names = list(runs)
    header = "| endpoint | " + " | ".join(
        f"{n} req/s | p50 ms | p99 ms | CPU ms/req | × ref | × ref by CPU" for n in names
    ) + " |"
    rule = "|---|" + "---:|---:|---:|---:|---:|---:|" * len(names)
    lines = [header, rule]
    for row in range(len(next(iter(runs.values())))):
        cells = []
        for name in names:
            result = runs[name][row]
            by_cpu = 1.0 if row == 0 else _median(result.cpu_ratios)
            cells.append(
                f"{_cell(result.rps, '.0f')} | {_cell(result.p50_ms, '.1f')} | {_cell(result.p99_ms, '.1f')}"
                f" | {_cell(result.cpu_ms, '.2f')} | {_cell(result.ratio, '.2f')} | {_cell(by_cpu, '.2f')}"
            )
        label = runs[names[0]][row].target.label
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(subject: str, ratio: float, ratios: list[float], by_cpu: float | None, goal: float, what: str) -> str:
    cpu = f"; by CPU per request {by_cpu:.2f}" if by_cpu else ""
    return (
        f"{subject}: {ratio:.2f} × {what} (rounds {min(ratios):.2f} to {max(ratios):.2f}{cpu}), "
        f"target {goal}: " + ("met" if ratio >= goal else "NOT met")
    )


def verdicts(runs: dict[str, list[Result]]) -> list[str]:
    lines = []
    for name, results in runs.items():
        reference = results[0]
        lines.append(f"{name}: reference {reference.note}")
        for result in results[1:]:
            if result.note and result.rps is None:
                lines.append(f"{name}: {result.target.label}: {result.note}")
            elif result.errors:
                lines.append(f"{name}: {result.target.label}: {result.errors} errors during the run")
            goal = result.target.target_ratio
            if goal and result.ratio is not None:
                lines.append(verdict(f"{name}: {result.target.label}", result.ratio, result.ratios,
                                     _median(result.cpu_ratios), goal, "the reference"))
    return lines


def page_table(pages: dict[str, list[PageResult]]) -> str:
    apps = ("portal", "stock", "Django")
    header = (
        "| page | database | " + " | ".join(f"{app} req/s" for app in apps) + " | "
        + " | ".join(f"{app} p50/p99 ms" for app in apps) + " | "
        + " | ".join(f"{app} CPU ms/req" for app in apps)
        + " | portal / stock | portal / Django | by CPU: portal / stock | by CPU: portal / Django |"
    )
    lines = [header, "|---|---|" + "---:|" * 13]
    for name, results in pages.items():
        for result in results:
            if not result.rows:
                lines.append(f"| {result.page.label} | {name} | {result.note} |" + " |" * 12)
                continue
            rows = [result.rows[app] for app in apps]
            ratios = (result.over_stock, result.over_django, result.cpu_over_stock, result.cpu_over_django)
            lines.append(
                f"| {result.page.label} | {name} | "
                + " | ".join(f"{row.rps:.0f}" for row in rows) + " | "
                + " | ".join(f"{row.p50_ms:.1f} / {row.p99_ms:.1f}" for row in rows) + " | "
                + " | ".join(_cell(row.cpu_ms, ".2f") for row in rows) + " | "
                + " | ".join(_cell(_median(values), ".2f") for values in ratios) + " |"
            )
    return "\n".join(lines)


def page_verdicts(pages: dict[str, list[PageResult]]) -> list[str]:
    lines = []
    for name, results in pages.items():
        for result in results:
            if not result.rows:
                lines.append(f"{name}: {result.page.label}: {result.note}")
                continue
            for app, row in result.rows.items():
                if row.errors:
                    lines.append(f"{name}: {result.page.label} ({app}): {row.errors} errors during the run")
            for other, ratios, cpu, goal in (
                ("stock", result.over_stock, result.cpu_over_stock, result.page.stock_goal),
                ("Django", result.over_django, result.cpu_over_django, result.page.django_goal),
            ):
                lines.append(verdict(f"{name}: {result.page.label}", statistics.median(ratios), ratios,
                                     _median(cpu), goal, f"the {other} page"))
    return lines


QUICK = {"rounds": 3, "duration": 3, "warmup": 1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 5)),
                        help="reference/endpoint pairs per endpoint (default 5, env BENCH_ROUNDS)")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 4)),
                        help="measured seconds per run (default 4, env BENCH_DURATION)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds before each (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", DEFAULT_WORKERS)),
                        help=f"gunicorn sync workers for both apps (default 2 × cores = {DEFAULT_WORKERS})")
    parser.add_argument("--databases", default=os.environ.get("BENCH_DATABASES", "sqlite,postgresql"),
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="measure only the endpoints whose label contains TEXT (repeatable)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a run of a few minutes: {QUICK['rounds']} rounds of {QUICK['duration']} s, "
                             f"{QUICK['warmup']} s warm-up (explicit --rounds/--duration still win)")
    args = parser.parse_args(argv)
    if args.quick:
        given = argv if argv is not None else sys.argv[1:]
        for name, value in QUICK.items():
            if f"--{name}" not in given:
                setattr(args, name, value)
    load_before = os.getloadavg()[0]
    try:
        require_wrk()
        runs: dict[str, list[Result]] = {}
        pages: dict[str, list[PageResult]] = {}
        with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
            for name in args.databases.split(","):
                if name == "sqlite":
                    runs["SQLite"], pages["SQLite"] = bench_database("SQLite", sqlite_url(Path(tmp)), args, Path(tmp))
                elif name == "postgresql":
                    runs["PostgreSQL"], pages["PostgreSQL"] = bench_database(
                        "PostgreSQL", postgres_url(), args, Path(tmp))
                else:
                    raise BenchError(f"unknown database {name!r}")
    except BenchError as error:
        log(f"bench: {error}")
        return 2
    print()
    print(f"{args.connections} connections; per endpoint {args.rounds} rounds of {args.duration} s, each after "
          f"{args.duration} s of the reference (pages: stock, Django, portal, {args.duration} s each), "
          f"following {args.warmup} s warm-up of each; "
          f"gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs; load average {load_before:.1f} "
          f"before, {os.getloadavg()[0]:.1f} after (above the CPU count, other processes shared the machine)")
    print()
    print(table(runs))
    print()
    if any(pages.values()):
        print(page_table(pages))
        print()
    for line in verdicts(runs) + page_verdicts(pages):
        print(line)
    failed = any(r.errors for results in runs.values() for r in results) or any(
        row.errors for results in pages.values() for result in results for row in result.rows.values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
