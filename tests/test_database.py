"""The pool's health check (portal.database.ping_connections_after_idle).

A connection that sat idle is checked before use and replaced if it died; one
in use a moment ago is not checked (no round trip per request), and if it died,
one statement fails and the pool then starts afresh. A connection is killed for
real: closed under SQLAlchemy on SQLite, ended by the server on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from portal.extensions import db
from tests.conftest import page


def _kill_the_pooled_connection(app) -> None:
    """Use the pool's one connection, give it back, then kill it behind the pool's back."""
    with app.app_context():
        engine = db.engine
        engine.dispose()
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            if engine.dialect.name == "postgresql":
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        if engine.dialect.name == "postgresql":
            killer = create_engine(engine.url.render_as_string(hide_password=False), poolclass=NullPool)
            with killer.begin() as other:
                assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
            killer.dispose()
        else:
            raw.close()
        assert engine.pool.checkedin() == 1


@pytest.mark.config(DATABASE_PING_AFTER_IDLE_SECONDS=0)
def test_an_idle_connection_that_died_is_replaced_before_the_request_uses_it(app, client, api, customer):
    assert api.login().status_code == 200
    _kill_the_pooled_connection(app)
    response = client.get("/account/profile")
    assert response.status_code == 200
    assert page(response).find(id="profile-email").get_text() == "demo@example.com"
    with app.app_context():
        assert db.session.execute(select(1)).scalar_one() == 1


@pytest.mark.config(DATABASE_PING_AFTER_IDLE_SECONDS=3600)
def test_a_connection_used_a_moment_ago_is_not_checked_and_the_pool_recovers(app, customer):
    _kill_the_pooled_connection(app)
    with app.app_context():
        with pytest.raises(DBAPIError) as failed:
            db.session.execute(select(1))
        assert failed.value.connection_invalidated
        db.session.remove()
        assert db.session.execute(select(1)).scalar_one() == 1


# --- append-only models (portal.database.refuse_bulk_changes) ------------------------


def test_bulk_changes_are_refused_only_for_append_only_models(app, customer):
    from sqlalchemy import delete, update

    from portal.accounts.models import User
    from portal.agents.models import AppendOnlyError as AuditAppendOnly
    from portal.agents.models import AuditEvent
    from portal.profile.models import AppendOnlyError as ConsentAppendOnly
    from portal.profile.models import ConsentRecord

    with app.app_context():
        with pytest.raises(AuditAppendOnly, match="audit events"):
            db.session.execute(delete(AuditEvent))
        with pytest.raises(ConsentAppendOnly, match="consent records"):
            db.session.execute(update(ConsentRecord).values(granted=False))
        db.session.rollback()
        # Any other model's bulk statements go through.
        db.session.execute(update(User).where(User.id == customer.id).values(first_name="Bulk"))
        db.session.commit()
        assert db.session.get(User, customer.id).first_name == "Bulk"
