"""Two `flask iys push` at the same moment (two machines' cron) send each record once (PostgreSQL)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db as _db
from portal.iys.models import SENT, IysPush
from portal.profile.models import ConsentRecord
from tests.iys.conftest import BRAND_CODE, IYS_CODE, PASSWORD, USERNAME

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 60

needs_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="two pushes at once need PostgreSQL (SKIP LOCKED); SQLite allows one writer at a time",
)


@needs_postgresql
def test_two_pushes_at_once_send_each_record_once(app, db, migrated, iys, make_user):
    users = [make_user(email=f"fan{n}@example.com") for n in range(RECORDS)]
    _db.session.add_all(ConsentRecord(
        user_id=user.id, channel="email", granted=True, source="web", user_agent="", iys_type="EPOSTA",
        recipient=user.email, status="ONAY", iys_source="HS_WEB") for user in users)
    _db.session.commit()  # the listener queues each record
    iys.fail("hang", seconds=0.02)  # every call takes a moment, so that the two pushes overlap

    env = {**os.environ, "DATABASE_URL": migrated, "PORTAL_CONFIG": "testing", "FLASK_APP": "wsgi.py",
           "IYS_URL": iys.url, "IYS_CODE": IYS_CODE, "IYS_BRAND_CODE": BRAND_CODE, "IYS_USERNAME": USERNAME,
           "IYS_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "flask", "iys", "push", "--batch-size", "5"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    sent = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        found = re.match(r"sent: (\d+), failed: 0, refused by İYS: 0, skipped: 0", out)
        assert found, out
        sent.append(int(found.group(1)))

    assert sum(sent) == RECORDS
    assert iys.consent_posts() == RECORDS  # no record was sent twice (a second send would be a 409)
    assert sorted(c["recipient"] for c in iys.consents()) == sorted(u.email for u in users)
    _db.session.expire_all()
    assert set(_db.session.execute(select(IysPush.state)).scalars()) == {SENT}
