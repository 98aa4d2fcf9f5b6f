"""The hardening tests (issue 17) use the fixtures of the features they attack, and a
live server for the races: real threads sending real HTTP requests at once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.agents.conftest import acting, agent, console  # noqa: F401
from tests.browser.conftest import LiveServer
from tests.conftest import DEMO_PASSWORD
from tests.loyalty.conftest import loyalty_service, loyalty_sim  # noqa: F401
from tests.profile.conftest import kvkk_off, kvkk_on, media_dir  # noqa: F401


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


def api_session(live_server, email: str = "demo@example.com", password: str = DEMO_PASSWORD) -> requests.Session:
    """A storefront's session: logged in through ``/users/login/``, sending ``X-CSRFToken``."""
    http = requests.Session()
    response = http.post(f"{live_server.url}/users/login/", json={"email": email, "password": password}, timeout=30)
    assert response.status_code == 200, response.text
    token = http.get(f"{live_server.url}/csrf_token/", timeout=30).json()["csrf_token"]
    http.headers["X-CSRFToken"] = token
    return http


def all_at_once(count: int, send: Callable[[int], requests.Response]) -> list[requests.Response]:
    """``send(0)`` … ``send(count - 1)``, each from a thread of its own, all started together."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(send, range(count)))
