"""Issue 17 item 9: the per-code limit of wrong guesses (``OTP_MAX_WRONG_PER_CODE``, 5)
holds when the guesses arrive all at once, on SQLite and on PostgreSQL: each guess
claims a try with one conditional ``UPDATE`` before it is compared."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.otp.models import EXHAUSTED, CodeFailure, OneTimeCode
from portal.otp.services import TOO_MANY, WRONG_CODE
from tests.profile.conftest import last_code, wrong
from tests.security.conftest import all_at_once, api_session

GUESSES = 40


def test_forty_parallel_wrong_guesses_check_at_most_five(app, client, customer, kvkk_on, live_server):
    http = api_session(live_server)
    url = f"{live_server.url}/users/profile/"
    pending = http.patch(url, json={"sms_allowed": True}, timeout=30)
    assert pending.status_code == 202
    guess = wrong(last_code(client))

    responses = all_at_once(GUESSES, lambda i: http.patch(url, json={"sms_allowed": True, "code": guess}, timeout=60))

    assert {r.status_code for r in responses} == {406}
    codes = [r.json()["error_code"] for r in responses]
    assert codes.count(WRONG_CODE) == app.config["OTP_MAX_WRONG_PER_CODE"] == 5
    assert codes.count(TOO_MANY) == GUESSES - 5
    with app.app_context():
        row = db.session.execute(select(OneTimeCode)).scalar_one()
        assert (row.status, row.failed_attempts) == (EXHAUSTED, 5)
        wrong_rows = db.session.execute(
            select(func.count(CodeFailure.id)).where(CodeFailure.error_code == WRONG_CODE)
        ).scalar_one()
        assert wrong_rows == 5


def test_the_right_code_after_four_wrong_ones_still_confirms(app, client, customer, kvkk_on, live_server):
    http = api_session(live_server)
    url = f"{live_server.url}/users/profile/"
    assert http.patch(url, json={"sms_allowed": True}, timeout=30).status_code == 202
    code = last_code(client)
    for _ in range(4):
        refused = http.patch(url, json={"sms_allowed": True, "code": wrong(code)}, timeout=30)
        assert refused.json()["error_code"] == WRONG_CODE
    confirmed = http.patch(url, json={"sms_allowed": True, "code": code}, timeout=30)
    assert confirmed.status_code == 200
    assert confirmed.json()["sms_allowed"] is True
    with app.app_context():
        assert db.session.execute(select(OneTimeCode.failed_attempts)).scalar_one() == 4
