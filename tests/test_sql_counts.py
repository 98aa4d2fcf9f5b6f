"""How many SQL statements the hot requests make (issue 9: at most 3 each).

A logged-in customer's request should cost the session read, the user read and,
for a change, its write: a fourth statement is a query per request that a
feature added (a lazy relationship, a settings read, a session write on every
request), and it shows here with the statements listed, long before a load
test would. Counted with SQLAlchemy's ``before_cursor_execute`` event on the
app's engine, which the server-side session store shares. Counts, not timings.

Pool checkouts are counted too: each costs pool work of its own (and a ping
when the connection sat idle, portal.database), so a request that leaves the
session unchanged should use one connection.

Where the sessions live changes what is counted, so every test names its session
store (tests/conftest.py ``store``) instead of taking whatever ``REDIS_URL`` the run
has: the database store unless a test asks for Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from werkzeug.exceptions import MethodNotAllowed, NotFound

from portal.extensions import db

MAX_STATEMENTS = 3
MAX_CHECKOUTS = 1

pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture
def store() -> str:
    """Sessions in the database (and rate limits in memory), whatever the environment says."""
    return "database"


HOT_REQUESTS = [
    pytest.param("GET", "/users/profile/", None, id="GET /users/profile/"),
    pytest.param("GET", "/account/profile", None, id="GET /account/profile"),
    pytest.param("PATCH", "/users/profile/", "first_name", id="PATCH /users/profile/ name"),
    pytest.param("GET", "/users/segments/", None, id="GET /users/segments/"),
    pytest.param("GET", "/users/user/", None, id="GET /users/user/"),
]


@contextmanager
def counting_statements(app) -> Iterator[list[str]]:
    """The SQL statements sent to the app's database inside the ``with`` block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def sql_statements(app):
    """The SQL statements sent to the database while the test runs."""
    with counting_statements(app) as statements:
        yield statements


@pytest.fixture
def pool_checkouts(app):
    """How many times a connection is taken from the pool while the test runs."""
    checkouts: list[int] = []

    def record(dbapi_connection, connection_record, connection_proxy):
        checkouts.append(1)

    with app.app_context():
        pool = db.engine.pool
    event.listen(pool, "checkout", record)
    yield checkouts
    event.remove(pool, "checkout", record)


def has_route(app, method: str, path: str) -> bool:
    try:
        app.url_map.bind("localhost").match(path, method=method)
    except (NotFound, MethodNotAllowed):
        return False
    return True


@pytest.mark.parametrize("store", ["database", "redis"])
@pytest.mark.parametrize(("method", "path", "changed_field"), HOT_REQUESTS)
def test_hot_request_makes_at_most_three_statements(
    app, client, api, customer, sql_statements, pool_checkouts, method, path, changed_field
):
    if not has_route(app, method, path):
        pytest.skip(f"{method} {path} is not built yet")
    assert api.login().status_code == 200
    headers = {"Accept": "application/json"}
    if method != "GET":
        headers["X-CSRFToken"] = api.csrf()

    def send(value: str):
        body = {changed_field: value} if changed_field else None
        return client.open(path, method=method, json=body, headers=headers)

    warm_up = send("Warmup")  # first use of the session and of any lazily built state
    assert warm_up.status_code == 200, warm_up.get_data(as_text=True)[:300]
    sql_statements.clear()
    pool_checkouts.clear()

    response = send("Renamed")  # a real change again, for PATCH

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    if changed_field:
        assert response.get_json()[changed_field] == "Renamed"
    listing = "\n".join(f"  {n}. {' '.join(s.split())}" for n, s in enumerate(sql_statements, 1))
    assert len(sql_statements) <= MAX_STATEMENTS, f"{len(sql_statements)} statements:\n{listing}"
    assert sql_statements, "counted nothing: the listener is not on the app's engine"
    assert len(pool_checkouts) <= MAX_CHECKOUTS, f"{len(pool_checkouts)} connections for one request"


@pytest.mark.parametrize(
    ("store", "asked", "never_asked"),
    [
        # The session row brings its user along: one round trip.
        pytest.param("database", "FROM server_sessions LEFT OUTER JOIN users", None, id="database store"),
        # Redis holds the session: the database is asked for the user alone.
        pytest.param("redis", "FROM users WHERE users.id =", "server_sessions", id="redis store"),
    ],
)
def test_a_logged_in_read_is_one_statement(app, client, api, customer, sql_statements, store, asked, never_asked):
    assert bool(app.config["REDIS_URL"]) == (store == "redis"), "the store asked for is the one in use"
    assert api.login().status_code == 200
    assert client.get("/users/profile/").status_code == 200  # warm-up
    sql_statements.clear()

    response = client.get("/users/profile/")

    assert response.status_code == 200
    assert response.get_json()["email"] == customer.email
    assert len(sql_statements) == 1, "\n".join(sql_statements)
    flat = " ".join(sql_statements[0].split())
    assert asked in flat
    assert never_asked is None or never_asked not in flat


@contextmanager
def counting_statements_with_parameters(app) -> Iterator[list[tuple[str, str]]]:
    """Each statement with its parameters: the same pair twice is the same question asked twice."""
    statements: list[tuple[str, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((" ".join(statement.split()), repr(parameters)))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def assert_nothing_asked_twice(app, client, url: str) -> None:
    """GET ``url`` (after a warm-up) and fail on a statement sent twice with the same parameters."""
    assert client.get(url).status_code == 200  # warm-up
    with counting_statements_with_parameters(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    repeated = sorted({s for s in statements if statements.count(s) > 1})
    assert statements, "counted nothing"
    assert repeated == [], "\n".join(f"{statements.count(s)}x {s[0]} {s[1]}" for s in repeated)


@pytest.mark.parametrize("path", ["/agent/?q=YILMAZ", "/agent/customers/{customer_id}"])
def test_agent_console_asks_nothing_twice(app, client, auth, make_user, customer, path):
    """The customer page once asked for the segment and the choice twice (segment_for)."""
    make_user(email="agent@example.com", role="agent")
    assert auth.login("agent@example.com").status_code == 302
    assert_nothing_asked_twice(app, client, path.format(customer_id=customer.id))


@pytest.mark.parametrize(
    "path",
    [
        "/account/profile",
        "/account/consents",
        "/account/segments",
        "/account/loyalty",
        "/account/privacy",
        "/account/security",
        "/users/profile/",
        "/users/segments/",
    ],
)
def test_customer_pages_ask_nothing_twice(app, client, auth, customer, path):
    """Issue 23: no statement runs twice in one request (the same SQL with the same parameters)."""
    assert auth.login().status_code == 302
    assert_nothing_asked_twice(app, client, path)
