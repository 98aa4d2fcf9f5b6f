"""The İYS simulator (iys_sim), served for real on a loopback port, and the portal configured for it.

Tests reach the simulator's switches (faults, RET-first, a citizen's refusal)
over HTTP, as a person testing against it would.
"""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from iys_sim import create_app as create_simulator
from portal.extensions import db as _db
from portal.iys.models import IysPush
from portal.profile import services as profile
from portal.profile.models import ConsentRecord
from portal.request_context import ChangeOrigin

USERNAME, PASSWORD = "test-iys-user", "test-iys-password-7c1d"
IYS_CODE, BRAND_CODE = "612345", "612346"
PHONE = "+905551112233"
# A loaded CI machine can take well over half a second to answer on loopback, so the
# portal waits generously; a test of a hanging İYS shortens the wait (``short_timeout``).
TIMEOUT = 10.0
HANG_TIMEOUT = 0.5


class IysSimServer:
    def __init__(self):
        self.app = create_simulator(username=USERNAME, password=PASSWORD, iys_code=IYS_CODE, brand_code=BRAND_CODE)
        self.sim = self.app.extensions["iys_sim"]
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _post(self, path: str, body: dict) -> requests.Response:
        return requests.post(self.url + path, json=body, timeout=10)

    def fail(self, mode: str, *, seconds: float = 10.0, count: int | None = None, passing: int = 0) -> None:
        """``mode``: "500" or "hang" (for ``seconds``, or until ``heal()``), after ``passing`` good calls."""
        body = {"mode": mode, "seconds": seconds, "count": count, "passing": passing}
        assert self._post("/_sim/fault", body).status_code == 200

    def heal(self) -> None:
        assert self._post("/_sim/fault", {"mode": "ok"}).status_code == 200

    def refuse_ret_first(self, refuse: bool) -> None:
        assert self._post("/_sim/ret-first", {"refuse": refuse}).status_code == 200

    def citizen_refuses(self, **fields) -> dict:
        response = self._post("/_sim/refusals", fields)
        assert response.status_code == 201, response.text
        return response.json()

    def consents(self) -> list[dict]:
        return requests.get(self.url + "/_sim/consents", timeout=10).json()["list"]

    def consent_posts(self) -> int:
        return sum(1 for method, path in self.sim.calls if method == "POST" and path.endswith("/consents"))

    def stop(self) -> None:
        self.sim.fault.set("ok")  # release any call still hanging
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def iys_sim():
    server = IysSimServer()
    yield server
    server.stop()


@pytest.fixture
def iys(app, iys_sim):
    """The simulator, configured as the portal's İYS."""
    app.config.update(
        IYS_URL=iys_sim.url, IYS_CODE=IYS_CODE, IYS_BRAND_CODE=BRAND_CODE, IYS_USERNAME=USERNAME,
        IYS_PASSWORD=PASSWORD, IYS_READ_TIMEOUT=TIMEOUT,
    )
    return iys_sim


WEB = ChangeOrigin(source="web", actor_id=None, client_ip="127.0.0.1", user_agent="tests")


def change_consents(app, user_id: int, **consents: bool) -> list[int]:
    """The customer changes consents (the service every face calls); the new records' ids."""
    with app.app_context():
        user = profile.get_user(user_id)
        records = profile.record_consents(user=user, consents=consents, origin=WEB)
        _db.session.commit()
        return [record.id for record in records]


def pushes(app) -> dict[int, IysPush]:
    with app.app_context():
        found = {p.record_id: p for p in _db.session.execute(select(IysPush)).unique().scalars()}
        _db.session.expunge_all()
        return found


def records(app) -> list[ConsentRecord]:
    with app.app_context():
        found = list(_db.session.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars())
        _db.session.expunge_all()
        return found
