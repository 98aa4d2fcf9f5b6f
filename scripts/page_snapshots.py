"""Render every HTML page into a directory, to compare a refactor's pages before and after.

    .venv/bin/python -m scripts.page_snapshots OUT_DIR            # write the pages
    .venv/bin/python -m scripts.page_snapshots --compare OLD NEW  # list the pages that differ

Each page is one file, ``<role>-<lang>-<page>.html``. The pages are the real ones
(login, register, profile, consents, security, segments, loyalty, the agent's search
and customer page, the admin's segment, price-list and settings pages, the API docs,
an error page) as each role sees them, and every entry of the style guide (every page
template in each of its states, form errors included), in English and Turkish.

It builds the app with the factory on a fresh SQLite file, upgrades it with the
migrations, runs ``flask seed-demo``, serves the loyalty-service simulator on a
loopback port, freezes the portal's clock and logs in through the login form, so two
runs over the same code write the same bytes. What still differs between runs (the
session's CSRF token, the simulator's port) is replaced by a fixed text. The database and the simulator
are thrown away at the end.

``--compare`` prints a unified diff of each differing page and exits non-zero if any
differ or if either side has a page the other has not.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.serving import make_server

LANGUAGES = ("en", "tr")
FROZEN_AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
ACCOUNTS = {
    "customer": ("demo@example.com", "portal-demo-2026"),
    "agent": ("agent@example.com", "portal-agent-2026"),
    "admin": ("admin@example.com", "portal-admin-2026"),
}
CUSTOMER_PAGES = [
    "/account/profile",
    "/account/consents",
    "/account/security",
    "/account/segments",
    "/account/loyalty",
    "/account/loyalty/join",
    "/admin/settings",  # 403 for a customer
]
AGENT_PAGES = ["/agent/", "/agent/?q=demo", "/agent/?q=nobody-by-this-name", "/agent/customers/{customer_id}"]
ADMIN_PAGES = [
    "/admin/segments",
    "/admin/segments/new",
    "/admin/segments/{segment_id}/edit",
    "/admin/price-lists",
    "/admin/price-lists/new",
    "/admin/price-lists/{price_list_id}/edit",
    "/admin/settings",
    "/account/profile",
]
ANONYMOUS_PAGES = ["/account/login", "/account/register", "/api/docs", "/no-such-page", "/_styleguide/"]


def _start_simulator():
    from loyalty_sim import Simulator

    sim = Simulator(api_key="snapshot-key")
    server = make_server("127.0.0.1", 0, sim, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _app(directory: Path, sim_url: str):
    from flask_migrate import upgrade

    from portal import clock, create_app
    from portal.settings import services as settings

    app = create_app(
        {
            "PORTAL_CONFIG": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'pages.sqlite3'}",
            "PASSWORD_HASH_PROFILE": "fast-for-tests",
            "RATELIMIT_ENABLED": False,
        }
    )
    clock.freeze(FROZEN_AT)
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    with app.app_context():
        settings.set_setting(
            settings.CUSTOMER_LOYALTY_CARD_SERVICE, {"base_url": sim_url, "api_key": "snapshot-key", "timeout": 10.0}
        )
    return app


def _ids(app) -> dict[str, int]:
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.segments.models import PriceList, Segment

    with app.app_context():
        return {
            "customer_id": db.session.scalar(select(User.id).where(User.email == ACCOUNTS["customer"][0])),
            "segment_id": db.session.scalar(select(Segment.id).order_by(Segment.id)),
            "price_list_id": db.session.scalar(select(PriceList.id).order_by(PriceList.id)),
        }


def _csrf(client) -> str:
    return client.get("/csrf_token/").get_json()["csrf_token"]


def _client(app, role: str | None, lang: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    if role is not None:
        email, password = ACCOUNTS[role]
        response = client.post(
            "/account/login", data={"email": email, "password": password, "csrf_token": _csrf(client)}
        )
        if response.status_code != 302:
            raise SystemExit(f"could not log in as {role}: {response.status_code}")
    # The language for everyone, whatever a profile says (the footer's switch).
    client.post("/language", data={"language": lang, "next": "/", "csrf_token": _csrf(client)})
    return client


def _file_name(role: str, lang: str, path: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "root"
    return f"{role}-{lang}-{name}.html"


def _write(out: Path, name: str, client, path: str, sim_url: str) -> None:
    response = client.get(path)
    body = response.get_data(as_text=True)
    body = body.replace(_csrf(client), "CSRF-TOKEN").replace(sim_url, "http://loyalty-simulator")
    out.joinpath(name).write_text(f"<!-- {response.status_code} {path} -->\n{body}", encoding="utf-8")


def snapshot(out: Path) -> int:
    from portal import clock, styleguide

    out.mkdir(parents=True, exist_ok=True)
    server, sim_url = _start_simulator()
    count = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = _app(Path(tmp), sim_url)
            ids = _ids(app)
            slugs = [item.slug for item in styleguide.entries()]
            for lang in LANGUAGES:
                pages = {
                    "anonymous": ANONYMOUS_PAGES + [f"/_styleguide/{slug}?lang={lang}" for slug in slugs],
                    "customer": CUSTOMER_PAGES,
                    "agent": AGENT_PAGES,
                    "admin": ADMIN_PAGES,
                }
                for role, paths in pages.items():
                    client = _client(app, None if role == "anonymous" else role, lang)
                    for path in paths:
                        path = path.format(**ids)
                        _write(out, _file_name(role, lang, path), client, path, sim_url)
                        count += 1
            with app.app_context():
                from portal.extensions import db

                db.engine.dispose()
    finally:
        server.shutdown()
        server.server_close()
        clock.unfreeze()
    return count


def compare(old: Path, new: Path) -> int:
    old_names = {p.name for p in old.glob("*.html")}
    new_names = {p.name for p in new.glob("*.html")}
    differing = 0
    for name in sorted(old_names ^ new_names):
        print(f"only in {'old' if name in old_names else 'new'}: {name}")
        differing += 1
    for name in sorted(old_names & new_names):
        a = old.joinpath(name).read_text(encoding="utf-8").splitlines()
        b = new.joinpath(name).read_text(encoding="utf-8").splitlines()
        if a != b:
            differing += 1
            diff = difflib.unified_diff(a, b, f"old/{name}", f"new/{name}", n=1, lineterm="")
            sys.stdout.writelines(line + "\n" for line in diff)
    print(f"{len(old_names & new_names)} pages compared, {differing} differ")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), type=Path)
    parser.add_argument("out", nargs="?", type=Path)
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("give OUT_DIR, or --compare OLD NEW")
    print(f"{snapshot(args.out)} pages written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
