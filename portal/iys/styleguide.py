"""Style guide entries for the İYS admin page."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.iys.services import Status
from portal.styleguide import entry, fixtures


def _admin():
    return fixtures.customer(id=9, email="admin@example.com", first_name="Deniz", last_name="Arslan", role="admin")


@entry("iys/status.html", "working", logged_in=True, note="Some records waiting, one failing, both runs recent.")
def iys_working():
    status = Status(enabled=True, pending=12, failed=1, rejected=0,
                    last_push=datetime(2026, 5, 4, 9, 40, tzinfo=UTC), last_pull=datetime(2026, 5, 4, 9, 7, tzinfo=UTC))
    return {"current_user": _admin(), "status": status}


@entry("iys/status.html", "off", logged_in=True, note="IYS_URL is empty: nothing is pushed; never ran.")
def iys_off():
    status = Status(enabled=False, pending=1520, failed=0, rejected=0, last_push=None, last_pull=None)
    return {"current_user": _admin(), "status": status}
