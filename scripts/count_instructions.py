"""Instructions per request of a page, counted by valgrind's callgrind.

    .venv/bin/python -m scripts.count_instructions                       # GET /account/profile
    .venv/bin/python -m scripts.count_instructions --path /account/consents --runs 3

A wall-clock benchmark on a shared machine measures the neighbours as much as the
code; an instruction count does not move with them, so a change of a few per cent is
visible. The app runs in-process with the production configuration on a SQLite
database that ``flask db upgrade`` and ``flask seed-demo`` prepared (outside
valgrind). Under ``valgrind --tool=callgrind`` a child process logs in as the demo
customer through the login form, warms the page up, then requests it ``--few`` times
in one run and ``--many`` times in another; the difference of the two runs' totals,
divided by the difference of the counts, is one request's cost without the start-up.
Each pair is repeated ``--runs`` times; the median is printed, in millions.

Needs valgrind (``apt-get install valgrind``) and Redis (the production
configuration's rate-limit store; ``BENCH_RATELIMIT_STORAGE_URI``, as ``make bench``). A pair takes a minute or two.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.servers import DATA_CONTROLLER

ROOT = Path(__file__).resolve().parent.parent
EMAIL, PASSWORD = "demo@example.com", "portal-demo-2026"


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEV_PAGES", "FLASK_DEBUG"}}
    env.update(
        PORTAL_CONFIG="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=database_url,
        SMS_BACKEND="http",
        SMS_GATEWAY_URL="http://127.0.0.1:9/sms",  # the page sends no SMS
        # Production refuses per-process counters; the measured pages count nothing.
        RATELIMIT_STORAGE_URI=os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0"),
        FLASK_APP="wsgi.py",
        PYTHONHASHSEED="0",
        **DATA_CONTROLLER,
    )
    return env


def _child(path: str, count: int) -> None:
    """Inside valgrind: log in, warm up, then ``count`` requests of ``path``."""
    from portal import clock, create_app

    # The portal's clock stands still: a session is touched (written) once a minute of
    # wall time, and under valgrind a run takes minutes, so the count would depend on
    # how busy the machine was.
    clock.freeze()
    app = create_app()
    client = app.test_client()
    base = "https://localhost"  # production sends the session cookie over HTTPS only
    token = client.get("/csrf_token/", base_url=base).get_json()["csrf_token"]
    response = client.post(
        "/account/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        base_url=base,
        headers={"Referer": f"{base}/account/login"},
    )
    if response.status_code != 302:
        raise SystemExit(f"login failed: {response.status_code}")
    for _ in range(5):
        if client.get(path, base_url=base).status_code != 200:
            raise SystemExit(f"GET {path} did not answer 200")
    for _ in range(count):
        client.get(path, base_url=base)


def _total(env: dict[str, str], path: str, count: int, directory: Path) -> int:
    out = directory / f"callgrind.{count}.out"
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("needs valgrind: apt-get install valgrind")
    subprocess.run(  # noqa: S603 - our own argv
        [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            "scripts.count_instructions",
            "--child",
            str(count),
            "--path",
            path,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    match = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
    if match is None:
        raise SystemExit(f"no total in {out}")
    return int(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/account/profile")
    parser.add_argument("--few", type=int, default=5)
    parser.add_argument("--many", type=int, default=25)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.path, args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        env = _environment(f"sqlite:///{directory / 'count.sqlite3'}")
        flask = [str(Path(sys.executable).with_name("flask"))]
        for command in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        results = []
        for _ in range(args.runs):
            few = _total(env, args.path, args.few, directory)
            many = _total(env, args.path, args.many, directory)
            results.append((many - few) / (args.many - args.few))
            print(f"GET {args.path}: {results[-1] / 1e6:.3f} M instructions per request", flush=True)
    if args.runs > 1:
        print(f"median of {args.runs}: {statistics.median(results) / 1e6:.3f} M")
    return 0


if __name__ == "__main__":
    sys.exit(main())
