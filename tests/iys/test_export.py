"""`flask iys export`: the records in İYS's field names, for shops that use an İYS partner."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from portal import clock
from portal.extensions import db as _db
from portal.profile import services as profile
from portal.profile.models import ConsentRecord
from portal.request_context import ChangeOrigin
from tests.iys.conftest import PHONE, WEB, change_consents

FIELDS = ["recipient", "recipientType", "type", "source", "status", "consentDate"]


@pytest.fixture
def history(app, make_user):
    """Sign-up (email on, SMS and calls refused), a withdrawal by the shop, a refusal pulled from İYS."""
    fan = make_user(email="fan@example.com", phone=PHONE)
    clock.freeze(datetime(2026, 1, 15, 21, 30, 5, tzinfo=UTC))  # 00:30:05 the next day in Turkey
    with app.app_context():
        user = profile.get_user(fan.id)
        profile.record_consents(user=user, consents={"email_allowed": True, "sms_allowed": False,
                                                     "call_allowed": False}, origin=WEB, initial=True)
        _db.session.commit()
    clock.advance(days=1)
    change_consents(app, fan.id, sms_allowed=True)
    clock.advance(days=1)
    with app.app_context():
        user = profile.get_user(fan.id)
        origin = ChangeOrigin(source="api", actor_id=None, client_ip=None, user_agent="")
        profile.record_consents(user=user, consents={"sms_allowed": False}, origin=origin)
        profile.record_consents(user=user, consents={"email_allowed": False}, origin=origin, iys_source="IYS_WEB")
        _db.session.commit()
        assert _db.session.query(ConsentRecord).count() == 6
    return fan


EXPECTED = [
    {"recipient": "fan@example.com", "recipientType": "BIREYSEL", "type": "EPOSTA", "source": "HS_WEB",
     "status": "ONAY", "consentDate": "2026-01-16 00:30:05"},
    {"recipient": PHONE, "recipientType": "BIREYSEL", "type": "MESAJ", "source": "HS_WEB",
     "status": "ONAY", "consentDate": "2026-01-17 00:30:05"},
    {"recipient": PHONE, "recipientType": "BIREYSEL", "type": "MESAJ", "source": "HS_MOBIL",
     "status": "RET", "consentDate": "2026-01-18 00:30:05"},
]


def test_csv_export(runner, app, history):
    result = runner.invoke(args=["iys", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    reader = csv.DictReader(io.StringIO(result.output))
    assert reader.fieldnames == FIELDS
    assert list(reader) == EXPECTED


def test_json_export_to_a_file(runner, app, history, tmp_path):
    target = tmp_path / "consents.json"
    result = runner.invoke(args=["iys", "export", "--format", "json", "--output", str(target)])
    assert result.exit_code == 0, result.output
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported == EXPECTED
    assert [list(row) for row in exported] == [FIELDS] * 3


def test_export_works_with_iys_sync_off_and_nothing_recorded(runner, app, db):
    assert app.config["IYS_URL"] == ""
    result = runner.invoke(args=["iys", "export", "--format", "json"])
    assert (result.exit_code, json.loads(result.output)) == (0, [])
