"""Helpers that build price lists and segments through the real services."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from portal.extensions import db as _db
from portal.segments import services


@pytest.fixture
def make_price_list(app):
    counter = {"n": 0}

    def factory(name: str | None = None, code: str | None = None, currency: str = "TRY", is_default: bool = False):
        counter["n"] += 1
        with app.app_context():
            price_list = services.create_price_list(
                name=name or f"Price list {counter['n']}",
                code=code or f"PL{counter['n']}",
                currency=currency,
                is_default=is_default,
            )
            return price_list.id

    return factory


@pytest.fixture
def make_segment(app, make_price_list):
    """``make_segment(name, priority=…, rule=…, …)`` → the new segment's id.

    A default price list is created first if there is none, so segments
    without their own price list are allowed.
    """

    def factory(name: str = "Segment", priority: int = 0, rule: str = "everyone", **fields):
        with app.app_context():
            if services.default_price_list() is None:
                make_price_list(name="Standard", code="STD", currency="TRY")
            return services.create_segment(name=name, priority=priority, rule=rule, **fields).id

    return factory


class StatementCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __len__(self):
        return len(self.statements)


@pytest.fixture
def count_statements(app):
    """Count the SQL statements sent to the database inside ``with count_statements() as counter:``."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = StatementCounter()
        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
