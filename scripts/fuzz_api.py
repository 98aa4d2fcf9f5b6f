"""``make fuzz``: Schemathesis against a running portal, bounded and repeatable.

Starts the portal (testing configuration: SMS codes go to the outbox) under
gunicorn on a loopback port with a fresh SQLite database and the demo data,
logs in as the demo customer, and runs Schemathesis over
``/api/openapi.json`` twice: authenticated with ``Authorization: Token <key>``
(no CSRF token needed), then anonymously. Any 5xx, any status, content type or
body the description does not allow, is a failure (exit status 1).

Bounded: ``FUZZ_MAX_EXAMPLES`` cases per operation and phase (default 20),
``FUZZ_TIMEOUT`` seconds per run at most (default 150); deterministic
generation, so every run sends the same cases.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.servers import BIN, BenchError, flask, gunicorn, log

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Logging out with the run's own token would leave every later request a 401.
AUTHENTICATED_EXCLUDE = ["/users/logout/"]


def portal_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "FLASK_DEBUG", "SMS_BACKEND"}}
    env.update(PORTAL_CONFIG="testing", DATABASE_URL=database_url, FLASK_APP="wsgi.py", PYTHONUNBUFFERED="1")
    # Loose limits so that the logic behind them gets fuzzed too (429 stays documented).
    env.update(REGISTRATION_RATE_LIMIT="10000 per minute", LOGIN_FAILURES_PER_ADDRESS="10000 per minute")
    return env


def schemathesis(base_url: str, workdir: str, *extra: str) -> int:
    """Run in ``workdir``: its cache (``.schemathesis/``) starts empty every time and stays out of the repo."""
    command = [
        str(BIN / "schemathesis"), "run", f"{base_url}/api/openapi.json",
        "--url", base_url,
        "--checks", CHECKS,
        "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "20"),
        "--generation-deterministic",  # the same cases every run (no random seed at all)
        "--phases", "examples,coverage,fuzzing",
        "--workers", "1",
        "--request-timeout", "10",
        "--suppress-health-check", "all",
        "--no-color",
        *extra,
    ]
    timeout = int(os.environ.get("FUZZ_TIMEOUT", "150"))
    try:
        return subprocess.run(command, cwd=workdir, check=False, timeout=timeout).returncode  # noqa: S603 - our own argv
    except subprocess.TimeoutExpired:
        log(f"schemathesis did not finish in {timeout} s: lower FUZZ_MAX_EXAMPLES or raise FUZZ_TIMEOUT")
        return 1


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="portal-fuzz-") as directory:
        env = portal_env(f"sqlite:///{Path(directory) / 'fuzz.sqlite3'}")
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
        with gunicorn("wsgi:app", env, workers=1, probe="/healthz") as server:
            log(f"portal on {server.base_url} (log: {server.log_path})")
            response = httpx.post(
                f"{server.base_url}/users/login/",
                json={"email": "demo@example.com", "password": "portal-demo-2026"},
                timeout=30,
            )
            if response.status_code != 200:
                raise BenchError(f"login failed: {response.status_code} {response.text[:300]}")
            key = response.json()["key"]
            log("== authenticated (Authorization: Token)")
            excluded = [arg for path in AUTHENTICATED_EXCLUDE for arg in ("--exclude-path", path)]
            authenticated = schemathesis(server.base_url, directory, "-H", f"Authorization: Token {key}", *excluded)
            log("== anonymous")
            anonymous = schemathesis(server.base_url, directory)
            errors = [line for line in server.log_path.read_text().splitlines() if "Traceback" in line]
            if errors:
                log(f"the portal logged {len(errors)} tracebacks: see {server.log_path}")
            return 1 if authenticated or anonymous or errors else 0


if __name__ == "__main__":
    sys.exit(main())
