"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []



def test_service_accessed_at_is_backfilled_from_acting_sessions(tmp_path):
    """Customers acted as before the column existed get their latest start; others stay empty.

    On a database of its own (SQLite), since it goes down and up the migrations.
    """
    from datetime import UTC, datetime

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import insert, select

    from portal.accounts.models import User
    from portal.agents.models import ActingSession
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'backfill.sqlite3'}")
    users, acting = User.__table__, ActingSession.__table__
    day = lambda n: datetime(2026, 3, n, 12, tzinfo=UTC)  # noqa: E731
    with app.app_context():
        upgrade(revision="agents_02")
        downgrade(revision="-1")  # the schema just before the column, whatever that revision is called
        with db.engine.begin() as conn:
            for user_id in (1, 2, 3):
                conn.execute(insert(users).values(id=user_id, email=f"u{user_id}@example.com", password_hash="x"))
            for started in (day(1), day(9), day(5)):
                conn.execute(
                    insert(acting).values(agent_id=1, customer_id=2, reason="T-1", started_at=started, ends_at=day(20))
                )
        upgrade(revision="agents_02")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(select(users.c.id, users.c.service_accessed_at)).all())
        db.engine.dispose()
    assert rows == {1: None, 2: day(9), 3: None}


def test_consent_records_are_backfilled_with_their_iys_view(tmp_path):
    """h13_01: type, status and İYS source from what each row says; the recipient from the user's address."""
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from portal.accounts.models import User
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'consents.sqlite3'}")
    when = datetime(2026, 3, 1, 12, tzinfo=UTC).replace(tzinfo=None)
    with app.app_context():
        upgrade(revision="h13_01")
        downgrade(revision="-1")
        with db.engine.begin() as conn:
            conn.execute(
                sa.insert(User.__table__).values(id=1, email="a@example.com", password_hash="x", phone="+905551112233")
            )
            old_rows = (("sms", True, "web"), ("email", True, "api"), ("call", False, "call_center"))
            for channel, granted, source in old_rows:
                conn.execute(
                    sa.text(
                        "INSERT INTO consent_records (user_id, channel, granted, created_at, source, user_agent) "
                        "VALUES (1, :channel, :granted, :when, :source, '')"
                    ),
                    {"channel": channel, "granted": granted, "when": when, "source": source},
                )
        upgrade(revision="h13_01")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT channel, iys_type, recipient, status, iys_source FROM consent_records ORDER BY id"
            )).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("sms", "MESAJ", "+905551112233", "ONAY", "HS_WEB"),
        ("email", "EPOSTA", "a@example.com", "ONAY", "HS_MOBIL"),
        ("call", "ARAMA", "+905551112233", "RET", "HS_CAGRI_MERKEZI"),
    ]
