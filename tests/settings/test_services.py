from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import event, select

from portal.errors import FieldErrors
from portal.settings import services
from portal.settings.models import Setting

LOYALTY = services.CUSTOMER_LOYALTY_CARD_SERVICE
KVKK = services.KVKK_CONFIRMATION_ENABLED
GOOD = {"base_url": "https://loyalty.example.com/api/", "api_key": "k-123", "timeout": 3}


@pytest.fixture
def settings_queries(db):
    """The SQL statements that read the settings table, in order."""
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if "FROM settings" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listener)


def test_missing_setting_gives_default(db):
    assert services.get_setting(KVKK) is None
    assert services.get_setting(KVKK, default=False) is False


def test_set_then_get_and_row_records_who_and_when(db, make_user):
    admin = make_user(role="admin")
    services.set_setting(KVKK, True, actor_id=admin.id)
    row = db.session.execute(select(Setting).where(Setting.key == KVKK)).scalar_one()
    assert row.value is True
    assert row.updated_by == admin.id
    assert row.updated_at.tzinfo is not None
    assert services.get_setting(KVKK) is True


def test_loyalty_value_is_cleaned(db):
    stored = services.set_setting(LOYALTY, GOOD)
    assert stored == {"base_url": "https://loyalty.example.com/api", "api_key": "k-123", "timeout": 3.0}


def test_value_read_once_per_app_context(app, db, settings_queries):
    services.set_setting(KVKK, True)
    g.pop("_portal_settings", None)
    settings_queries.clear()
    for _ in range(3):
        assert services.get_setting(KVKK) is True
        assert services.get_setting(LOYALTY) is None
    # one query per key, the missing key cached as missing too
    assert len(settings_queries) == 2


def test_each_request_reads_afresh(app, db, settings_queries):
    """A change made elsewhere is seen by the next request, not by the one already running.

    Every request pushes its own app context, hence its own ``g``."""
    with app.app_context():
        assert services.get_setting(KVKK, False) is False
        db.session.add(Setting(key=KVKK, value=True))
        db.session.commit()
        assert services.get_setting(KVKK, False) is False
    with app.app_context():
        assert services.get_setting(KVKK, False) is True
    assert len(settings_queries) == 2


@pytest.mark.parametrize("value", ["true", 1, None, {"x": 1}])
def test_kvkk_must_be_boolean(db, value):
    with pytest.raises(FieldErrors) as error:
        services.set_setting(KVKK, value)
    assert list(error.value.errors) == ["value"]
    assert db.session.get(Setting, KVKK) is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"base_url": "ftp://loyalty.example.com"}, "base_url"),
        ({"base_url": "loyalty.example.com"}, "base_url"),
        ({"base_url": "https://"}, "base_url"),
        ({"base_url": "https://x.example.com/?a=1"}, "base_url"),
        ({"base_url": None}, "base_url"),
        ({"api_key": ""}, "api_key"),
        ({"api_key": 12}, "api_key"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": 31}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"extra": 1}, "value"),
    ],
)
def test_loyalty_service_rules(db, change, field):
    with pytest.raises(FieldErrors) as error:
        services.set_setting(LOYALTY, {**GOOD, **change})
    assert field in error.value.errors
    assert db.session.get(Setting, LOYALTY) is None


def test_loyalty_service_must_be_an_object(db):
    with pytest.raises(FieldErrors) as error:
        services.set_setting(LOYALTY, "https://loyalty.example.com")
    assert list(error.value.errors) == ["value"]


def test_unknown_key_refused(db):
    with pytest.raises(FieldErrors) as error:
        services.set_setting("KVKK_CONFIRMATION_ENABLE", True)
    assert list(error.value.errors) == ["key"]


def test_unset(db):
    services.set_setting(KVKK, True)
    assert services.unset_setting(KVKK) is True
    assert services.get_setting(KVKK) is None
    assert services.unset_setting(KVKK) is False
    assert db.session.get(Setting, KVKK) is None


def test_redacted_hides_api_key():
    assert services.redacted(LOYALTY, {"base_url": "https://a.example", "api_key": "s3cret", "timeout": 2.0}) == {
        "base_url": "https://a.example",
        "api_key": "********",
        "timeout": 2.0,
    }
