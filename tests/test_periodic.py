"""Periodic commands: bounded batches, progress, interruption, and two copies at once.

The concurrency tests run two real ``flask`` processes at the same moment
against PostgreSQL and check the database (and the loyalty simulator) after:
each item is handled exactly once because rows are claimed with
``FOR UPDATE SKIP LOCKED``, not because the timing happened to be kind.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from portal import clock
from portal.accounts.models import User
from portal.extensions import db as _db
from portal.loyalty import services as loyalty
from portal.loyalty.models import ACTIVE, LoyaltyLink
from portal.otp.models import CodeFailure, OneTimeCode, SmsMessage
from portal.otp.services import purge_old_records
from portal.sessions import ServerSession, delete_expired_sessions
from tests.loyalty.conftest import SimServer, configure_service

ROOT = Path(__file__).resolve().parent.parent


def add_otp_rows(*, old: int, recent: int) -> None:
    """``old`` codes (each with an SMS and a failure) from two days ago, ``recent`` from now."""
    now = clock.now()
    for count, at in ((old, now - timedelta(days=40)), (recent, now)):
        if not count:
            continue
        sms = (
            _db.session.execute(
                insert(SmsMessage).returning(SmsMessage.id),
                [
                    {"to": "+905551112233", "purpose": "t", "backend": "outbox", "status": "sent", "sent_at": at}
                    for _ in range(count)
                ],
            )
            .scalars()
            .all()
        )
        codes = (
            _db.session.execute(
                insert(OneTimeCode).returning(OneTimeCode.id),
                [
                    {
                        "purpose": "t",
                        "subject": f"user:{n}",
                        "phone": "+905551112233",
                        "payload_hash": "p",
                        "code_hash": "c",
                        "status": "used",
                        "created_at": at,
                        "expires_at": at,
                        "resend_at": at,
                        "sms_id": sms_id,
                    }
                    for n, sms_id in enumerate(sms)
                ],
            )
            .scalars()
            .all()
        )
        _db.session.execute(
            insert(CodeFailure),
            [
                {
                    "purpose": "t",
                    "subject": "s",
                    "phone": "+905551112233",
                    "error_code": "e",
                    "code_id": c,
                    "created_at": at,
                }
                for c in codes
            ],
        )
    _db.session.commit()


def counts() -> tuple[int, int, int]:
    return tuple(
        _db.session.execute(select(func.count()).select_from(m)).scalar_one()
        for m in (CodeFailure, OneTimeCode, SmsMessage)
    )


def test_cleanup_deletes_in_batches_and_reports_each(db):
    add_otp_rows(old=7, recent=2)
    lines: list[str] = []
    deleted = purge_old_records(batch_size=3, progress=lines.append)
    assert deleted == {"failures": 7, "codes": 7, "messages": 7}
    assert counts() == (2, 2, 2)
    assert lines == [
        "failures: 3 deleted", "failures: 6 deleted", "failures: 7 deleted",
        "codes: 3 deleted", "codes: 6 deleted", "codes: 7 deleted",
        "messages: 3 deleted", "messages: 6 deleted", "messages: 7 deleted",
    ]  # fmt: skip


def test_an_interrupted_cleanup_keeps_its_batches_and_goes_on_when_run_again(db):
    add_otp_rows(old=7, recent=0)

    def interrupt_after_two(line: str) -> None:
        if line == "failures: 6 deleted":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        purge_old_records(batch_size=3, progress=interrupt_after_two)
    _db.session.rollback()
    assert counts() == (1, 7, 7)  # two batches of failures committed
    assert purge_old_records(batch_size=3) == {"failures": 1, "codes": 7, "messages": 7}
    assert counts() == (0, 0, 0)


def test_retention_settings_decide_what_stays(app, db, runner):
    add_otp_rows(old=2, recent=1)  # old: 40 days
    app.config["SMS_RETENTION_DAYS"] = 60
    result = runner.invoke(args=["otp", "cleanup", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 failures, 2 codes, 0 messages deleted"
    assert counts() == (1, 1, 3)


def test_sessions_cleanup_deletes_only_expired_sessions(db, runner):
    now = clock.now()
    _db.session.execute(
        insert(ServerSession),
        [{"session_id": f"s{n}", "data": b"x", "expiry": now + timedelta(minutes=n - 5)} for n in range(10)],
    )
    _db.session.commit()
    result = runner.invoke(args=["sessions-cleanup", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "6 expired sessions deleted"  # n = 0..5: expiry <= now
    assert sorted(_db.session.execute(select(ServerSession.session_id)).scalars()) == [f"s{n}" for n in range(6, 10)]
    assert delete_expired_sessions(batch_size=2) == 0


# --- two processes at the same moment (PostgreSQL) ------------------------------

needs_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="two writers at once need PostgreSQL (SKIP LOCKED); SQLite allows one writer at a time",
)


def run_twice_at_once(database_url: str, *args: str) -> list[str]:
    """Start the same ``flask`` command twice, together; both outputs once both exit."""
    env = {**os.environ, "DATABASE_URL": database_url, "PORTAL_CONFIG": "testing", "FLASK_APP": "wsgi.py"}
    command = [sys.executable, "-m", "flask", *args]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        outputs.append(out)
    return outputs


@needs_postgresql
def test_two_otp_cleanups_at_once_delete_each_row_once(app, db, migrated):
    add_otp_rows(old=3000, recent=5)
    outputs = run_twice_at_once(migrated, "otp", "cleanup", "--batch-size", "100")
    totals = [0, 0, 0]
    for out in outputs:
        found = re.fullmatch(r"(\d+) failures, (\d+) codes, (\d+) messages deleted\n", out)
        assert found, out
        totals = [t + int(n) for t, n in zip(totals, found.groups(), strict=True)]
    assert totals == [3000, 3000, 3000]
    _db.session.expire_all()
    assert counts() == (5, 5, 5)


@needs_postgresql
def test_two_sessions_cleanups_at_once_delete_each_row_once(app, db, migrated):
    expired = clock.now() - timedelta(minutes=1)
    _db.session.execute(
        insert(ServerSession), [{"session_id": f"s{n}", "data": b"x", "expiry": expired} for n in range(3000)]
    )
    _db.session.commit()
    outputs = run_twice_at_once(migrated, "sessions-cleanup", "--batch-size", "100")
    assert sum(int(out.split()[0]) for out in outputs) == 3000
    assert _db.session.execute(select(func.count()).select_from(ServerSession)).scalar_one() == 0


@needs_postgresql
def test_two_loyalty_retries_at_once_try_each_link_once_and_make_one_card_each(app, db, migrated):
    sim = SimServer()
    try:
        configure_service(app, sim)
        users = [
            User(
                email=f"c{n}@example.com",
                password_hash="x",
                first_name="C",
                last_name=f"N{n}",
                phone=f"+9055500{n:05d}",
            )
            for n in range(60)
        ]
        _db.session.add_all(users)
        _db.session.flush()
        for user in users:
            loyalty.add_pending_link(user=user)
        _db.session.commit()
        sim.fail("hang", seconds=0.03)  # every call takes a moment: the two runs overlap

        outputs = run_twice_at_once(migrated, "loyalty", "retry-pending")

        tried = 0
        for out in outputs:
            found = re.fullmatch(r"active: (\d+), still pending: (\d+), failed: (\d+)\n", out)
            assert found, out
            assert found.group(2) == found.group(3) == "0"
            tried += int(found.group(1))
        assert tried == 60  # each link tried by exactly one of the two
        assert len(sim.requests("POST", "/v1/customers")) == 60  # one create call per link
        customers = sim.customers()
        assert sorted(c["external_id"] for c in customers) == sorted(f"portal-{u.id}" for u in users)
        _db.session.expire_all()
        links = _db.session.execute(select(LoyaltyLink)).scalars().all()
        assert {link.status for link in links} == {ACTIVE} and all(link.attempts == 1 for link in links)
    finally:
        sim.stop()
