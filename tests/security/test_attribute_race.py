"""Issue 17 item 4: concurrent changes of one profile's ``attributes`` all survive.

Each request merges its keys into what is stored while it holds the user's row
(``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on SQLite): 32 requests at
once, each adding a key, leave 32 keys.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from tests.security.conftest import all_at_once, api_session

REQUESTS = 32


def test_thirty_two_concurrent_merges_keep_every_key(app, customer, kvkk_off, live_server):
    http = api_session(live_server)
    url = f"{live_server.url}/users/profile/"

    responses = all_at_once(REQUESTS, lambda i: http.patch(url, json={"attributes": {f"key{i}": i}}, timeout=60))

    assert [r.status_code for r in responses] == [200] * REQUESTS
    expected = {f"key{i}": i for i in range(REQUESTS)}
    assert http.get(url, timeout=30).json()["attributes"] == expected
    with app.app_context():
        assert db.session.execute(select(User.attributes).where(User.id == customer.id)).scalar_one() == expected


def test_concurrent_merges_and_consent_changes_keep_both(app, customer, kvkk_off, live_server):
    """A consent change writes an attribute too (the notice version): it merges under the same lock."""
    http = api_session(live_server)
    url = f"{live_server.url}/users/profile/"

    def send(i: int):
        if i % 2:
            return http.patch(url, json={"attributes": {f"key{i}": i}}, timeout=60)
        return http.patch(url, json={"sms_allowed": bool(i % 4)}, timeout=60)

    responses = all_at_once(16, send)

    assert [r.status_code for r in responses] == [200] * 16
    attributes = http.get(url, timeout=30).json()["attributes"]
    assert {k: v for k, v in attributes.items() if k.startswith("key")} == {f"key{i}": i for i in range(1, 16, 2)}
    assert attributes["kvkk_flat_page_version"] == app.config["KVKK_NOTICE_VERSION"]
