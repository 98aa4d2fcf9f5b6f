"""Two-factor helpers: set it up through the pages, compute codes with pyotp from
the secret the setup page shows, and a frozen clock to step through 30-second codes."""

from __future__ import annotations

import pyotp
import pytest

from portal import clock
from tests.conftest import page


@pytest.fixture
def frozen():
    """The portal's clock, frozen; ``frozen.advance(seconds=30)`` gives the next code."""
    clock.freeze()
    return clock


def code_for(secret: str, steps: int = 0) -> str:
    """The code an authenticator app shows now (per the portal's clock), ``steps`` × 30 s away."""
    return pyotp.TOTP(secret).at(clock.now(), counter_offset=steps)


class TwoFactorActions:
    def __init__(self, client, auth):
        self.client = client
        self.auth = auth

    def read_secret(self) -> str:
        doc = page(self.client.get("/account/two-factor/setup"))
        return doc.find("code", id="totp-secret").text.strip()

    def set_up(self) -> tuple[str, list[str]]:
        """Set up through the setup page; returns the secret and the recovery codes shown."""
        secret = self.read_secret()
        response = self.auth.post("/account/two-factor/setup", {"code": code_for(secret)})
        assert response.status_code == 200, "setup was refused"
        codes = [li.text.strip() for li in page(response).find("ul", id="recovery-codes").find_all("li")]
        return secret, codes

    def login(self, email: str, password: str, code: str):
        """Both steps: the password, then the code."""
        first = self.auth.login(email, password)
        assert first.status_code == 303 and first.headers["Location"].startswith("/account/login/code")
        return self.auth.post("/account/login/code", {"code": code}, token_from="/account/login/code")


@pytest.fixture
def two_factor(client, auth):
    return TwoFactorActions(client, auth)
