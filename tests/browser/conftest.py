"""Whole journeys in a real browser: Playwright driving Debian's Chromium.

``live_server`` serves a fresh app on a loopback port from this process;
``page`` is a new Chromium page. Without /usr/bin/chromium the browser tests are
skipped, unless ``PORTAL_REQUIRE_BROWSER=1`` (CI sets it) turns that into a failure.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail("PORTAL_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def browser_page(chromium, *, width: int = 1280, locale: str = "en-US", **options):
    """A page in a context of its own (no cookies shared), ``width`` px wide, in ``locale``."""
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale=locale, **options)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(chromium):
    with browser_page(chromium) as pg:
        yield pg


def login(page, live_server, email="demo@example.com", password="portal-demo-2026"):
    page.goto(f"{live_server.url}/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


@pytest.fixture
def flow_server(app):
    """A live server with the test-only code-step flow (tests/otp/flow.py) mounted."""
    from tests.otp.flow import flow

    app.register_blueprint(flow)
    server = LiveServer(app).start()
    yield server
    server.stop()
