"""Loyalty calls by outcome and the pending links, as /metrics shows them (portal.metrics)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.accounts.models import User
from portal.extensions import db as _db
from portal.loyalty import services as loyalty
from tests.test_metrics import scrape, value


@pytest.mark.config(METRICS_ALLOWED_NETWORKS="127.0.0.1/32")
def test_loyalty_calls_and_pending_links(app, client, make_user, loyalty_service):
    person = make_user(phone="+905551112230", date_of_birth=date(1990, 1, 1))
    before = scrape(client)
    loyalty_service.fail("503")
    with app.app_context():
        link = loyalty.add_pending_link(user=_db.session.get(User, person.id))
        _db.session.commit()
        loyalty.sync_link(link_id=link.id)
    pending = scrape(client)
    assert value(pending, "portal_loyalty_pending") == 1
    assert value(pending, "portal_loyalty_calls_total", outcome="unavailable") > value(
        before, "portal_loyalty_calls_total", outcome="unavailable"
    )
    loyalty_service.heal()
    with app.app_context():
        loyalty.sync_link(link_id=link.id)
    after = scrape(client)
    assert value(after, "portal_loyalty_pending") == 0
    assert value(after, "portal_loyalty_calls_total", outcome="ok") > value(pending, "portal_loyalty_calls_total",
                                                                             outcome="ok")
