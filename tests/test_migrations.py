"""The migrations build exactly the schema the models describe."""

import sqlalchemy as sa
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
    # The columns of that revision only: the model's table has columns added later.
    required = {
        "first_name": "",
        "last_name": "",
        "language_code": "en",
        "attributes": "{}",
        "email_allowed": False,
        "sms_allowed": False,
        "call_allowed": False,
        "role": "customer",
        "is_active": True,
    }
    names = ["id", "email", "password_hash", "date_joined", "service_accessed_at", *required]
    users = sa.table("users", *(sa.column(name, User.__table__.c[name].type) for name in names))
    acting = ActingSession.__table__
    day = lambda n: datetime(2026, 3, n, 12, tzinfo=UTC)  # noqa: E731
    with app.app_context():
        upgrade(revision="agents_02")
        downgrade(revision="-1")  # the schema just before the column, whatever that revision is called
        with db.engine.begin() as conn:
            for user_id in (1, 2, 3):
                conn.execute(
                    insert(users).values(
                        id=user_id, email=f"u{user_id}@example.com", password_hash="x", date_joined=day(1), **required
                    )
                )
            for started in (day(1), day(9), day(5)):
                conn.execute(
                    insert(acting).values(agent_id=1, customer_id=2, reason="T-1", started_at=started, ends_at=day(20))
                )
        upgrade(revision="agents_02")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(select(users.c.id, users.c.service_accessed_at)).all())
        db.engine.dispose()
    assert rows == {1: None, 2: day(9), 3: None}


def test_search_names_are_backfilled_folded(tmp_path):
    """h4_01 writes the folded name of every existing user (SQLite, on a database of its own)."""
    from datetime import UTC, datetime

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import insert

    from portal.accounts.models import User
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'fold.sqlite3'}")
    required = {"language_code": "en", "attributes": {}, "role": "customer", "is_active": True,
                "email_allowed": False, "sms_allowed": False, "call_allowed": False,
                "date_joined": datetime(2026, 3, 1, tzinfo=UTC)}  # fmt: skip
    names = ["id", "email", "password_hash", "first_name", "last_name", *required]
    users = sa.table("users", *(sa.column(name, User.__table__.c[name].type) for name in names))
    people = {1: ("Ayşe", "YILMAZ"), 2: ("İsmail", "Öztürk"), 3: ("", "")}
    with app.app_context():
        upgrade(revision="h4_01")
        downgrade(revision="-1")
        with db.engine.begin() as conn:
            for user_id, (first, last) in people.items():
                conn.execute(
                    insert(users).values(
                        id=user_id,
                        email=f"u{user_id}@example.com",
                        password_hash="x",
                        first_name=first,
                        last_name=last,
                        **required,
                    )
                )
        upgrade(revision="h4_01")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT id, search_name FROM users")).all())
        db.engine.dispose()
    assert rows == {1: "yilmaz ayse", 2: "ozturk ismail", 3: ""}


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
