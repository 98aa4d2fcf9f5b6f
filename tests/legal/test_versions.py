"""The versions of the texts are evidence: every consent record stores the consent text
version it was given or withdrawn under (and shows it in the history), and a sign-up
keeps the privacy notice version beside its acceptance."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.profile.models import ConsentRecord
from tests.conftest import page
from tests.profile.conftest import PHONE
from tests.signup.helpers import code_for, register

VERSIONS = {"CONSENT_TEXT_VERSION": "3", "KVKK_NOTICE_VERSION": "5"}
BEARER = {"Authorization": "Bearer shop-secret-0123456789"}


def records(app) -> list[ConsentRecord]:
    with app.app_context():
        found = list(db.session.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars())
        db.session.expunge_all()
        return found


@pytest.fixture
def subscribed(make_user):
    return make_user(email="demo@example.com", phone=PHONE, email_allowed=True, sms_allowed=True, call_allowed=False)


@pytest.mark.config(**VERSIONS)
def test_a_withdrawal_on_the_page_stores_the_text_version_and_shows_it(app, auth, subscribed):
    auth.login()
    response = auth.post("/account/consents", {"sms_allowed": "y"})  # email unticked: withdrawn at once
    assert response.status_code == 302
    [record] = records(app)
    assert (record.channel, record.granted, record.text_version, record.notice_version) == ("email", False, "3", "5")
    doc = page(auth.client.get("/account/consents"))
    [row] = doc.select("#consent-history tbody tr")
    assert row.find("td", class_="consent-history__text-version").get_text(strip=True) == "3"


@pytest.mark.config(**VERSIONS, CONSENT_API_TOKEN="shop-secret-0123456789")
def test_a_withdrawal_by_the_shops_systems_stores_the_text_version(app, client, subscribed):
    response = client.post("/consents/withdraw/", json={"recipient": PHONE, "channel": "sms"}, headers=BEARER)
    assert response.status_code == 200
    assert [(r.channel, r.text_version) for r in records(app)] == [("sms", "3")]


@pytest.mark.config(**VERSIONS)
def test_the_agent_sees_the_text_version_in_the_console(app, acting, customer):
    response = acting.auth.post("/account/consents", {"call_allowed": "y", "call_reference": "CALL-9"})
    assert response.status_code == 302
    [record] = records(app)
    assert (record.channel, record.granted, record.text_version, record.call_reference) == ("call", True, "3", "CALL-9")
    acting.stop()
    doc = page(acting.client.get(f"/agent/customers/{customer.id}"))
    [row] = doc.select("#consent-history tbody tr")
    assert row.find("td", class_="consent-text-version").get_text(strip=True) == "3"


@pytest.mark.config(**VERSIONS)
def test_a_sign_up_stores_both_versions(app, client, loyalty_service):
    clock.freeze()
    register(client, kvkk_confirm=True, confirm=True)
    assert register(client, kvkk_confirm=True, confirm=True, code=code_for(client)).status_code == 201
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        attributes = dict(user.attributes)
    # The notice version beside the acceptance the storefront sent.
    accepted = (attributes["kvkk_confirm"], attributes["confirm"], attributes["kvkk_flat_page_version"])
    assert accepted == (True, True, "5")
    assert sorted((r.channel, r.text_version, r.notice_version) for r in records(app)) == [
        ("call", "3", "5"),
        ("email", "3", "5"),
        ("sms", "3", "5"),
    ]


def test_the_data_export_holds_the_text_version(app, auth, subscribed):
    auth.login()
    auth.post("/account/consents", {"email_allowed": "y"})  # SMS withdrawn
    response = auth.post("/account/privacy/export", token_from="/account/privacy")
    [entry] = response.get_json()["consent_history"]
    assert (entry["channel"], entry["text_version"]) == ("sms", app.config["CONSENT_TEXT_VERSION"])


def test_h5_t1_backfills_the_text_version_from_the_notice_version(tmp_path):
    """Rows from before the column: their notice version, or '1' (SQLite, on a database of its own)."""
    from datetime import UTC, datetime

    from flask_migrate import downgrade, upgrade

    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'text_version.sqlite3'}")
    when = datetime(2026, 3, 1, 12, tzinfo=UTC).replace(tzinfo=None)
    with app.app_context():
        upgrade(revision="h5_t1")
        downgrade(revision="-1")
        with db.engine.begin() as conn:
            conn.execute(sa.insert(User.__table__).values(id=1, email="a@example.com", password_hash="x"))
            for channel, notice_version in (("sms", "2"), ("email", None)):
                conn.execute(
                    sa.text(
                        "INSERT INTO consent_records (user_id, channel, granted, created_at, source, user_agent,"
                        " notice_version) VALUES (1, :channel, true, :when, 'web', '', :notice_version)"
                    ),
                    {"channel": channel, "when": when, "notice_version": notice_version},
                )
        upgrade(revision="h5_t1")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT channel, text_version FROM consent_records ORDER BY id")).all()
        downgrade(revision="-1")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("consent_records")}
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [("sms", "2"), ("email", "1")]
    assert "text_version" not in columns
