"""The main requests' statements can use an index (PostgreSQL; issue 23, docs/scale.md).

The statements are the ones the code really sends: each service runs once
with a listener recording its SQL and parameters, then each is EXPLAINed on a
few thousand rows with sequential scans switched off for the check. A plan
that still holds a ``Seq Scan`` has no index to use; at a million rows that is
the statement that takes seconds. Plans, not timings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, text

from portal import clock
from portal.accounts.models import User
from portal.accounts.services import user_by_email
from portal.agents import services as agents
from portal.extensions import db as _db
from portal.otp.services import purge_old_records
from portal.search_text import name_key
from portal.sessions import delete_expired_sessions

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="index use is checked on PostgreSQL (the production database); SQLite, the demo database, may scan",
    ),
    pytest.mark.usefixtures("store"),
]


@pytest.fixture
def store() -> str:
    """Sessions in the database, whatever ``REDIS_URL`` the run has (tests/conftest.py
    ``store``): the pages' statements and the sessions cleanup are the database store's."""
    return "database"

ROWS = 3000
FIRST = ["Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Ahmet", "Çağla", "İsmail"]
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "İnce", "Aydın", "Arslan", "Doğan"]


@pytest.fixture
def rows(db):
    """A few thousand customers with sessions, acting sessions, audit events and old codes."""
    now = clock.now()
    users = [
        {
            "email": f"customer{n}@example.com",
            "password_hash": "x",
            "first_name": FIRST[n % len(FIRST)],
            "last_name": LAST[n % len(LAST)],
            "search_name": name_key(FIRST[n % len(FIRST)], LAST[n % len(LAST)]),
            "phone": f"+90532{n:07d}",
            "role": "agent" if n == 0 else "customer",
        }
        for n in range(ROWS)
    ]
    _db.session.execute(insert(User), users)
    statements = [
        # Closed acting sessions (most of them) and a few open ones; their audit events.
        """INSERT INTO acting_sessions (agent_id, customer_id, reason, started_at, ends_at, ended_at, end_reason)
           SELECT 1, 1 + n % :rows, 'T-1', :now - n * interval '1 minute',
                  :now - n * interval '1 minute' + interval '30 minutes',
                  CASE WHEN n > 5 THEN :now - n * interval '1 minute' + interval '5 minutes' END,
                  CASE WHEN n > 5 THEN 'stop' END
           FROM generate_series(1, :rows) AS n""",
        # Customer 7 has a long history: a third of all events.
        """INSERT INTO audit_events (created_at, agent_id, customer_id, acting_session_id, action, reason, details)
           SELECT :now - n * interval '1 minute', 1, CASE WHEN n % 3 = 0 THEN 7 ELSE 1 + n % :rows END,
                  1 + n % :rows, 'write', 'T-1', '{}'
           FROM generate_series(1, :rows * 3) AS n""",
        """INSERT INTO sms_messages ("to", purpose, backend, status, sent_at)
           SELECT '+905551112233', 't', 'outbox', 'sent', :now - n * interval '10 minutes'
           FROM generate_series(1, :rows) AS n""",
        """INSERT INTO otp_codes (purpose, subject, phone, payload_hash, code_hash, status, failed_attempts,
                                  created_at, expires_at, resend_at, sms_id)
           SELECT 't', 'user:' || n, '+905551112233', 'p', 'c', 'used', 0,
                  :now - n * interval '10 minutes', :now, :now, n
           FROM generate_series(1, :rows) AS n""",
        """INSERT INTO otp_failures (purpose, subject, phone, error_code, code_id, created_at)
           SELECT 't', 's', '+905551112233', 'e', n, :now - n * interval '10 minutes'
           FROM generate_series(1, :rows) AS n""",
        """INSERT INTO server_sessions (session_id, data, expiry)
           SELECT 's' || n, '\\x00', :now + (n - :rows / 2) * interval '1 minute'
           FROM generate_series(1, :rows) AS n""",
    ]
    for statement in statements:
        _db.session.execute(text(statement), {"rows": ROWS, "now": now.replace(tzinfo=None)})
    _db.session.commit()
    for table in (
        "users",
        "acting_sessions",
        "audit_events",
        "sms_messages",
        "otp_codes",
        "otp_failures",
        "server_sessions",
    ):
        _db.session.execute(text(f"ANALYZE {table}"))
    _db.session.commit()


def statements_of(action: Callable[[], object]) -> list[tuple[str, object]]:
    """The SQL statements (with parameters) ``action`` sends, rolled back afterwards where it writes."""
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def plan(statement: str, parameters) -> str:
    with _db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        conn.rollback()
    return "\n".join(row[0] for row in rows)


def assert_indexed(sent: list[tuple[str, object]], *, touching: str) -> None:
    checked = [(s, p) for s, p in sent if touching in s and not s.lstrip().upper().startswith(("COMMIT", "ROLLBACK"))]
    assert checked, f"no statement touched {touching}"
    for statement, parameters in checked:
        explained = plan(statement, parameters)
        assert "Seq Scan" not in explained, f"{' '.join(statement.split())}\n{explained}"


def test_login_lookup_uses_the_unique_email_index(rows):
    sent = statements_of(lambda: user_by_email("Customer42@Example.com"))
    assert_indexed(sent, touching="FROM users")


@pytest.mark.parametrize(
    ("query", "statements"),
    [
        # One name word: the surname-prefix check, then the counted, sorted page.
        ("YILMAZ", 2),
        ("öztürk", 2),
        ("İNCE", 2),
        # Several words, a word with digits, or a phone number: the counted, sorted page alone.
        ("customer12", 1),
        ("ayşe yılmaz", 1),
        ("0532 000 00 42", 1),
    ],
)
def test_agent_search_uses_indexes(app, rows, query, statements):
    with app.test_request_context():
        sent = statements_of(lambda: agents.search_customers(query=query))
    assert len([s for s, _ in sent if "FROM users" in s]) == statements
    assert_indexed(sent, touching="FROM users")


def test_a_surname_beyond_the_cap_is_told_by_the_prefix_index(app, rows):
    """300 Yılmaz of 3,000, a cap of 100: the prefix index says "100+", the page is read by number."""
    with app.test_request_context():
        sent = statements_of(lambda: agents.search_customers(query="yılmaz", count_cap=100))
    checked = [(s, p) for s, p in sent if "FROM users" in s]
    assert len(checked) == 2
    assert "ix_users_search_name_prefix" in plan(*checked[0])
    assert_indexed(sent, touching="FROM users")


def test_overdue_acting_check_reads_only_open_sessions(app, rows):
    with app.test_request_context():
        sent = statements_of(agents.close_overdue_sessions)
    select_open = [
        (s, p) for s, p in sent if s.lstrip().startswith("SELECT") and "acting_sessions.ended_at IS NULL" in s
    ]
    assert select_open
    for statement, parameters in select_open:
        assert "ix_acting_sessions_open_ends_at" in plan(statement, parameters)


def test_audit_trail_comes_from_the_customer_and_time_index(app, rows):
    first = agents.audit_trail(customer_id=7)
    for before in (None, first.older):  # the newest page, and an "older events" page after it
        sent = statements_of(lambda before=before: agents.audit_trail(customer_id=7, before=before))
        assert_indexed(sent, touching="FROM audit_events")
        [(statement, parameters)] = [(s, p) for s, p in sent if "FROM audit_events" in s and "LIMIT" in s]
        explained = plan(statement, parameters)
        assert "ix_audit_events_customer_id_created_at" in explained and "Sort" not in explained, explained


@pytest.mark.parametrize("deleting", ["DELETE FROM otp_failures", "DELETE FROM otp_codes", "DELETE FROM sms_messages"])
def test_otp_cleanup_deletes_find_rows_and_references_by_index(rows, deleting):
    clock.freeze(clock.now() + timedelta(days=40))
    sent = statements_of(lambda: purge_old_records(batch_size=500))
    assert_indexed(sent, touching=deleting)


def test_references_to_a_deleted_sms_or_code_are_found_by_index(rows):
    """ON DELETE SET NULL looks up the referencing rows: these are those lookups."""
    for statement in (
        "UPDATE otp_codes SET sms_id = NULL WHERE sms_id = %(id)s",
        "UPDATE otp_failures SET code_id = NULL WHERE code_id = %(id)s",
    ):
        assert "Seq Scan" not in plan(statement, {"id": 5}), statement


def test_sessions_cleanup_finds_expired_sessions_by_index(rows):
    sent = statements_of(lambda: delete_expired_sessions(batch_size=500))
    assert_indexed(sent, touching="DELETE FROM server_sessions")


def test_customer_page_statements_use_indexes(app, rows, client, auth):
    """Everything the agent's customer page asks, seen through the real page."""
    from portal.accounts.services import create_user

    create_user(email="agent@example.com", password="portal-demo-2026", role="agent")
    assert auth.login("agent@example.com").status_code == 302
    assert client.get("/agent/customers/7").status_code == 200  # warm-up
    sent = statements_of(lambda: client.get("/agent/customers/7"))
    for touching in ("FROM acting_sessions", "FROM audit_events", "FROM consent_records", "FROM loyalty_links"):
        if any(touching in s for s, _ in sent):
            assert_indexed(sent, touching=touching)
