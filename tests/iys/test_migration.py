"""h4_i1: every consent record already stored gets a push row (pending; from İYS: skipped)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import make_app


def test_existing_records_are_queued(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'iys.sqlite3'}")
    when = datetime(2026, 3, 1, 12, tzinfo=UTC).replace(tzinfo=None)
    with app.app_context():
        upgrade(revision="h4_i1")
        downgrade(revision="-1")
        with db.engine.begin() as conn:
            conn.execute(sa.insert(User.__table__).values(id=1, email="a@example.com", password_hash="x"))
            for source in ("HS_WEB", "IYS_EDEVLET", None):
                conn.execute(
                    sa.text(
                        "INSERT INTO consent_records (user_id, channel, granted, created_at, source, user_agent,"
                        " iys_source) VALUES (1, 'email', false, :when, 'web', '', :source)"
                    ),
                    {"when": when, "source": source},
                )
        upgrade(revision="h4_i1")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT record_id, state, attempts, error FROM iys_pushes ORDER BY record_id"
            )).all()
        downgrade(revision="-1")
        with db.engine.connect() as conn:
            assert "iys_pushes" not in sa.inspect(conn).get_table_names()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [
        (1, "pending", 0, None), (2, "skipped", 0, "from_iys"), (3, "pending", 0, None),
    ]


def test_h15_01_adds_and_removes_the_push_rows_recipient(tmp_path):
    """iys_pushes.recipient (an erased customer's address, until İYS has the row): down and up again."""
    app = make_app(f"sqlite:///{tmp_path / 'iys-recipient.sqlite3'}")
    with app.app_context():
        upgrade(revision="h15_01")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("iys_pushes")}
        downgrade(revision="-1")
        without = {c["name"] for c in sa.inspect(db.engine).get_columns("iys_pushes")}
        upgrade(revision="h15_01")
        again = {c["name"] for c in sa.inspect(db.engine).get_columns("iys_pushes")}
        db.engine.dispose()
    assert "recipient" in columns and "recipient" not in without and again == columns
