"""İYS's look-ups by address use ``ix_consent_records_recipient`` (PostgreSQL; issue 23, migration h23_01).

``flask iys push`` asks, for each record it sends, about earlier records for the
same address and type (still unsent? a grant?), and an erasure asks which
permissions İYS holds. Without the index each question reads every consent
record, or walks the primary key from the start (``id <``), which
``enable_seqscan = off`` alone would not tell from an index: so the plan must
name the address index (or, for "still unsent?", start from the few unsent push
rows). The statements are the ones the code sends, over real
HTTP to the simulator; plans, not timings.
"""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import text

from portal.iys import services
from portal.privacy import services as privacy
from tests.iys.conftest import WEB, change_consents
from tests.test_index_use import plan, statements_of

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="index use is checked on PostgreSQL (the production database); SQLite, the demo database, may scan",
)

OTHERS = 3000


@pytest.fixture
def crowd(db, make_user):
    """Three thousand other consent records with addresses, all in İYS, around the customer's."""
    someone = make_user(email="someone@example.com")
    db.session.execute(
        text(
            """INSERT INTO consent_records (user_id, channel, granted, created_at, source, client_ip, user_agent,
                                            notice_version, status, iys_type, recipient)
               SELECT :user_id, 'sms', n % 2 = 0, now(), 'web', '10.0.0.1', 'tests', '1',
                      CASE WHEN n % 2 = 0 THEN 'ONAY' ELSE 'RET' END, 'MESAJ', '+90555' || lpad(n::text, 7, '0')
               FROM generate_series(1, :others) AS n"""
        ),
        {"user_id": someone.id, "others": OTHERS},
    )
    db.session.execute(
        text("INSERT INTO iys_pushes (record_id, state, attempts) SELECT id, 'sent', 1 FROM consent_records")
    )
    db.session.commit()


def address_lookups(sent) -> list[tuple[str, object]]:
    def asks_by_address(statement: str) -> bool:
        _, where, condition = " ".join(statement.split()).partition(" WHERE ")
        return "consent_records" in statement and bool(where) and re.search(r"\.recipient (=|IN) ", condition)

    found = [(s, p) for s, p in sent if asks_by_address(s)]
    assert found, "no statement looked records up by address"
    return found


def assert_found_by_address(statement: str, parameters) -> None:
    """The records are found by the address index, or (for "is an earlier record still
    unsent?") from the few unsent push rows, each record then read by its id: either way
    not by walking the records. Which of the two the planner takes depends on the
    statistics of the moment, so both are accepted."""
    explained = plan(statement, parameters)
    by_address = "ix_consent_records_recipient" in explained
    from_unsent = "ix_iys_pushes_unsent" in explained and "(id = iys_pushes.record_id)" in explained
    assert by_address or from_unsent, f"{' '.join(statement.split())}\n{explained}"


def test_a_push_finds_earlier_records_for_the_address_by_index(app, iys, crowd, customer):
    change_consents(app, customer.id, sms_allowed=True)
    change_consents(app, customer.id, sms_allowed=False)
    with app.app_context():
        sent = statements_of(lambda: services.push())
    assert iys.consent_posts() == 2  # the ONAY, then the RET after it
    for statement, parameters in address_lookups(sent):
        assert_found_by_address(statement, parameters)


def test_an_erasure_finds_what_iys_holds_by_index(app, iys, crowd, customer):
    change_consents(app, customer.id, sms_allowed=True)
    with app.app_context():
        services.push()
    with app.test_request_context():
        sent = statements_of(lambda: privacy.erase_account(user_id=customer.id, origin=WEB))
        for statement, parameters in address_lookups(sent):
            assert_found_by_address(statement, parameters)
