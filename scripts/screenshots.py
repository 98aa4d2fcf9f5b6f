"""``make screenshots``: the pages and every style guide entry, at 390 and 1280 px.

The pages: every HTML GET route without arguments (``html_pages``), the API reference
and the console's search results (``MORE_PAGES``), and the pages that need an id with
the ids of the demo data (``demo_pages``: the agent's page of the demo customer
``/agent/customers/<id>``, each demo segment's and the default price list's edit form,
the demo customer's unsubscribe page, the email links' pages).

``scripts/screenshots.py --pages`` shoots only the real pages (logged out, customer,
agent, admin), not the style guide entries: a quicker look at what people meet.

Serves the app on a loopback port with a throwaway SQLite database holding the
demo data (``flask seed-demo``), and drives Debian's Chromium with Playwright.
The PNGs go to ``screenshots/`` (git-ignored): ``<who>/<page>-<width>.png`` for the
real pages, ``styleguide/<entry>-<language>-<width>.png`` for every state.
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from portal import create_app, styleguide  # noqa: E402
from portal.styleguide.pages import MORE_PAGES, demo_pages, html_pages  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (390, 1280)
ACCOUNTS = {
    "customer": ("demo@example.com", "portal-demo-2026"),
    "agent": ("agent@example.com", "portal-agent-2026"),
    "admin": ("admin@example.com", "portal-admin-2026"),
}
OUT = ROOT / "screenshots"


def file_name(path: str) -> str:
    """``/agent/customers/1`` → ``agent-customers-1``; a signed token in a page's URL
    (``/unsubscribe/<token>``) is named ``token``."""
    if not path.startswith("/_styleguide/"):
        path = re.sub(r"[^/?=&]{40,}", "token", path)
    return re.sub(r"[^a-z0-9]+", "-", path.removeprefix("/_styleguide/").lower()).strip("-") or "home"


def shoot(browser, base_url: str, paths: list[str], folder: Path, account=None) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
        page = context.new_page()
        if account:
            page.goto(base_url + "/account/login")
            page.fill("#email", account[0])
            page.fill("#password", account[1])
            page.click("#login-submit")
            page.wait_for_selector("#logout-button")
        for path in paths:
            page.goto(base_url + path)
            page.screenshot(path=str(folder / f"{file_name(path)}-{width}.png"), full_page=True)
            count += 1
        context.close()
    return count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"PORTAL_CONFIG": "development", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/screenshots.sqlite3"}
        )
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
        with app.app_context():
            upgrade()
        seeded = app.test_cli_runner().invoke(args=["seed-demo"])
        if seeded.exit_code != 0:
            raise SystemExit(f"seed-demo failed:\n{seeded.output}")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_port}"
        with app.app_context():  # the pages that need an id, with the demo data's ids
            examples = demo_pages(app)
        pages = [*html_pages(app), *MORE_PAGES, *examples, "/no-such-page"]
        entries = [
            f"/_styleguide/{e.slug}?lang={lang}" for e in styleguide.entries() for lang in app.config["LANGUAGES"]
        ]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                )
                count = shoot(browser, base_url, pages, OUT / "logged-out")
                for who, account in ACCOUNTS.items():
                    count += shoot(browser, base_url, pages, OUT / who, account)
                if "--pages" not in sys.argv[1:]:
                    count += shoot(browser, base_url, entries, OUT / "styleguide")
                browser.close()
        finally:
            server.shutdown()
    print(f"{count} screenshots in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
