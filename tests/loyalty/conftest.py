"""The loyalty-service simulator, served for real on a loopback port."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from loyalty_sim import Simulator
from portal.settings import services as settings

SIM_KEY = "test-sim-key-5f2c"


class SimServer:
    def __init__(self, ssl_context=None):
        self.sim = Simulator(api_key=SIM_KEY)
        self._server = make_server("127.0.0.1", 0, self.sim, threaded=True, ssl_context=ssl_context)
        scheme = "https" if ssl_context else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def fail(self, mode: str, *, seconds: float = 10.0, count: int | None = None) -> None:
        """``mode``: "503" or "hang" (for ``seconds``, or until ``heal()``)."""
        self.sim.fault.set(mode, seconds, count)

    def heal(self) -> None:
        self.sim.fault.set("ok")

    def customers(self) -> list[dict]:
        with self.sim.lock:
            rows = self.sim.db.execute("SELECT * FROM customers ORDER BY rowid").fetchall()
            return [self.sim._customer_body(row) for row in rows]

    def requests(self, method: str | None = None, path: str | None = None) -> list[tuple[str, str]]:
        with self.sim.lock:
            return [r for r in self.sim.requests_seen if (method in (None, r[0])) and (path in (None, r[1]))]

    def stop(self) -> None:
        self.heal()  # release any request still hanging
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def short_timeout(app, sim: SimServer, fault: str = "hang"):
    """While a hang is tested, the portal waits only ``HANG_TIMEOUT`` seconds."""
    if fault != "hang":
        yield
        return
    configure_service(app, sim, timeout=HANG_TIMEOUT)
    try:
        yield
    finally:
        configure_service(app, sim)


@pytest.fixture
def loyalty_sim():
    server = SimServer()
    yield server
    server.stop()


# A loaded CI machine can take well over half a second to answer on loopback, so
# the portal waits generously; a test of a hanging service shortens the wait
# only while it makes the service hang (``short_timeout``).
TIMEOUT = 10.0
HANG_TIMEOUT = 0.5


def service_setting(sim: SimServer, **overrides) -> dict:
    return {"base_url": sim.url, "api_key": SIM_KEY, "timeout": TIMEOUT, **overrides}


def configure_service(app, sim: SimServer, **overrides) -> None:
    with app.app_context():
        settings.set_setting(settings.CUSTOMER_LOYALTY_CARD_SERVICE, service_setting(sim, **overrides))


@pytest.fixture
def loyalty_service(app, loyalty_sim):
    """The simulator, configured as the portal's loyalty service."""
    configure_service(app, loyalty_sim)
    return loyalty_sim


@pytest.fixture
def app_client_factory(app):
    """Another browser or storefront: a test client with its own cookies."""
    return app.test_client
