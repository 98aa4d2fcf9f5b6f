"""The simulator's Flask app: İYS's token, add-consent and consent-changes calls, plus test switches.

Modelled on İYS's published API (https://apidocs.iys.org.tr): ``POST /oauth2/token``
(password grant, JSON body), ``POST /sps/{iysCode}/brands/{brandCode}/consents``
(one consent: ``recipient``, ``recipientType``, ``type``, ``source``, ``status``,
``consentDate``; answers ``transactionId`` and ``creationDate``) and
``GET /sps/{iysCode}/brands/{brandCode}/consents/changes?after=…&limit=…``
(every consent movement of the brand, oldest first, with the cursor to ask from
next time). Where it deviates (docs/iys.md): its error codes are its own
(``DUPLICATE``, ``RET_FIRST``, ``INVALID``, ``UNAUTHORIZED``), a duplicate is
answered 409 with the first ``transactionId``, and the cursor is the last
movement's number as a string.

Test switches under ``/_sim/`` (never faulty, no token): ``fault`` (answer 500,
or hang, for the next N calls or until cleared, optionally after letting some through), ``ret-first`` (refuse a RET for
an address it has no consent for, as İYS does; on by default), ``refusals`` (a
citizen's refusal made in İYS, with source ``IYS_WEB``, ``IYS_MOBIL``,
``IYS_EDEVLET``, ``IYS_KISA_MESAJ``…) and ``consents`` (what it holds).
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, abort, g, jsonify, request

TURKEY = ZoneInfo("Europe/Istanbul")
CONSENT_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
PHONE = re.compile(r"^\+\d{10,15}$")
TYPES = ("MESAJ", "ARAMA", "EPOSTA")
STATUSES = ("ONAY", "RET")
RECIPIENT_TYPES = ("BIREYSEL", "TACIR")
# The sources a service provider may give (İYS's HS_* list); IYS_* are İYS's own.
PROVIDER_SOURCES = (
    "HS_FIZIKSEL_ORTAM", "HS_ISLAK_IMZA", "HS_WEB", "HS_CAGRI_MERKEZI", "HS_SOSYAL_MEDYA", "HS_EPOSTA",
    "HS_MESAJ", "HS_MOBIL", "HS_EORTAM", "HS_ETKINLIK", "HS_2015", "HS_ATM", "HS_KARAR",
)
IYS_SOURCES = ("IYS_WEB", "IYS_MOBIL", "IYS_EDEVLET", "IYS_KISA_MESAJ", "IYS_CAGRI_MERKEZI")
TOKEN_SECONDS = 7200

SCHEMA = """
CREATE TABLE IF NOT EXISTS consents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_code TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_type TEXT NOT NULL,
    type TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    consent_date TEXT NOT NULL,
    creation_date TEXT NOT NULL,
    transaction_id TEXT NOT NULL UNIQUE,
    UNIQUE (brand_code, recipient, type, status, consent_date)
);
"""


def _turkey_now() -> str:
    return datetime.now(TURKEY).strftime("%Y-%m-%d %H:%M:%S")


def _errors(status: int, code: str, message: str, **extra):
    return jsonify({"errors": [{"code": code, "message": message}], **extra}), status


class Fault:
    """What the simulator does instead of answering normally: nothing ("ok"), "500", or "hang".

    ``remaining`` limits the fault to the next N calls (None: until cleared);
    ``passing`` lets that many calls through normally before it starts. A
    hang waits ``seconds`` (or until the fault is cleared) and then does the work
    and answers, as a slow İYS would: the caller gave up, but the consent is in.
    """

    def __init__(self):
        self.mode = "ok"
        self.seconds = 0.0
        self.remaining: int | None = None
        self.passing = 0
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.hanging = 0  # calls in a hang, or doing their work after one
        self.done = threading.Condition(self.lock)

    def set(self, mode: str, seconds: float = 30.0, count: int | None = None, passing: int = 0) -> None:
        with self.lock:
            self.released.set()  # let a call hanging under the old fault go on
            self.released = threading.Event()
            self.mode, self.seconds, self.remaining, self.passing = mode, seconds, count, passing
            # Cleared: wait (a little) for the released calls to finish their work, so that
            # whoever cleared the fault then sees what they did.
            if mode == "ok":
                self.done.wait_for(lambda: self.hanging == 0, timeout=10)

    def hang_began(self) -> None:
        with self.lock:
            self.hanging += 1

    def hang_ended(self) -> None:
        with self.lock:
            self.hanging -= 1
            self.done.notify_all()

    def take(self) -> tuple[str, float, threading.Event]:
        with self.lock:
            if self.passing > 0:
                self.passing -= 1
                return "ok", 0.0, self.released
            mode = self.mode
            if mode != "ok" and self.remaining is not None:
                self.remaining -= 1
                if self.remaining <= 0:
                    self.mode, self.remaining = "ok", None
            return mode, self.seconds, self.released


class IysSimulator:
    """The simulator's state: its consents (SQLite), tokens, fault and switches."""

    def __init__(self, *, username: str, password: str, iys_code: str, brand_code: str, database: str = ":memory:"):
        self.username, self.password = username, password
        self.iys_code, self.brand_code = iys_code, brand_code
        self.db = sqlite3.connect(database, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()
        self.tokens: dict[str, float] = {}
        self.fault = Fault()
        self.refuse_ret_first = True
        self.calls: list[tuple[str, str]] = []  # (method, path) of every İYS call, for tests

    # --- storage -------------------------------------------------------------

    @staticmethod
    def body(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "recipient": row["recipient"],
            "recipientType": row["recipient_type"],
            "type": row["type"],
            "source": row["source"],
            "status": row["status"],
            "consentDate": row["consent_date"],
            "creationDate": row["creation_date"],
            "transactionId": row["transaction_id"],
        }

    def consents(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute("SELECT * FROM consents ORDER BY id").fetchall()
        return [self.body(row) for row in rows]

    def store(self, consent: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Insert a consent; (its body, True) or (the same consent stored before, False)."""
        with self.lock:
            existing = self.db.execute(
                "SELECT * FROM consents WHERE brand_code = ? AND recipient = ? AND type = ? AND status = ?"
                " AND consent_date = ?",
                (self.brand_code, consent["recipient"], consent["type"], consent["status"], consent["consentDate"]),
            ).fetchone()
            if existing is not None:
                return self.body(existing), False
            transaction_id = secrets.token_hex(16)
            self.db.execute(
                "INSERT INTO consents (brand_code, recipient, recipient_type, type, source, status, consent_date,"
                " creation_date, transaction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.brand_code, consent["recipient"], consent.get("recipientType", "BIREYSEL"), consent["type"],
                 consent["source"], consent["status"], consent["consentDate"], _turkey_now(), transaction_id),
            )
            self.db.commit()
            row = self.db.execute("SELECT * FROM consents WHERE transaction_id = ?", (transaction_id,)).fetchone()
            return self.body(row), True

    def knows(self, recipient: str, consent_type: str) -> bool:
        with self.lock:
            row = self.db.execute(
                "SELECT 1 FROM consents WHERE brand_code = ? AND recipient = ? AND type = ?",
                (self.brand_code, recipient, consent_type),
            ).fetchone()
        return row is not None

    def changes(self, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        with self.lock:
            rows = self.db.execute(
                "SELECT * FROM consents WHERE brand_code = ? AND id > ? ORDER BY id LIMIT ?",
                (self.brand_code, after, limit),
            ).fetchall()
        return [self.body(row) for row in rows], (rows[-1]["id"] if rows else after)

    # --- tokens --------------------------------------------------------------

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + TOKEN_SECONDS
        return token

    def token_valid(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return False
        with self.lock:
            expires = self.tokens.get(token)
        return expires is not None and expires > time.monotonic()

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()


def _validate(consent: Any) -> dict[str, str]:
    if not isinstance(consent, dict):
        return {"body": "a JSON object is required"}
    problems = {}
    recipient = consent.get("recipient")
    if consent.get("type") not in TYPES:
        problems["type"] = "one of " + ", ".join(TYPES)
    if consent.get("status") not in STATUSES:
        problems["status"] = "ONAY or RET"
    if consent.get("recipientType", "BIREYSEL") not in RECIPIENT_TYPES:
        problems["recipientType"] = "BIREYSEL or TACIR"
    if consent.get("source") not in PROVIDER_SOURCES:
        problems["source"] = "an HS_* source"
    if not isinstance(consent.get("consentDate"), str) or not CONSENT_DATE.match(consent["consentDate"]):
        problems["consentDate"] = "YYYY-MM-DD HH:mm:ss"
    if not isinstance(recipient, str) or not recipient:
        problems["recipient"] = "required"
    elif consent.get("type") == "EPOSTA" and "@" not in recipient:
        problems["recipient"] = "an email address"
    elif consent.get("type") in ("MESAJ", "ARAMA") and not PHONE.match(recipient):
        problems["recipient"] = "a phone number as +90…"
    return problems


def create_app(
    *,
    username: str = "sim-user",
    password: str = "sim-password",  # noqa: S107 - the simulator's own
    iys_code: str = "600000",
    brand_code: str = "600001",
    database: str = ":memory:",
) -> Flask:
    app = Flask(__name__)
    sim = IysSimulator(username=username, password=password, iys_code=iys_code, brand_code=brand_code,
                       database=database)
    app.extensions["iys_sim"] = sim

    def faulty():
        """Apply the fault to an İYS call: a 500 answer, or a hang before going on."""
        sim.calls.append((request.method, request.path))
        mode, seconds, released = sim.fault.take()
        if mode == "500":
            return _errors(500, "INTERNAL", "simulated failure")
        if mode == "hang":
            sim.fault.hang_began()
            g.hung = True
            released.wait(seconds)
        return None

    @app.teardown_request
    def hang_over(_error):
        if g.pop("hung", False):
            sim.fault.hang_ended()

    def authorised(iys_code: str, brand_code: str):
        if not sim.token_valid(request.headers.get("Authorization", "")):
            return _errors(401, "UNAUTHORIZED", "a valid access token is required")
        if (iys_code, brand_code) != (sim.iys_code, sim.brand_code):
            return _errors(403, "FORBIDDEN", "unknown iysCode or brandCode for this account")
        return None

    @app.post("/oauth2/token")
    def token():
        failure = faulty()
        if failure:
            return failure
        data = request.get_json(silent=True) or request.form
        if data.get("grant_type") != "password":
            return _errors(400, "INVALID", "grant_type must be password")
        if not (secrets.compare_digest(str(data.get("username", "")), sim.username)
                and secrets.compare_digest(str(data.get("password", "")), sim.password)):
            return _errors(401, "UNAUTHORIZED", "wrong username or password")
        return jsonify({"access_token": sim.issue_token(), "token_type": "bearer", "expires_in": TOKEN_SECONDS,
                        "refresh_token": secrets.token_urlsafe(24)})

    @app.post("/sps/<iys_code>/brands/<brand_code>/consents")
    def add_consent(iys_code: str, brand_code: str):
        failure = faulty() or authorised(iys_code, brand_code)
        if failure:
            return failure
        consent = request.get_json(silent=True)
        problems = _validate(consent)
        if problems:
            return _errors(400, "INVALID", "; ".join(f"{k}: {v}" for k, v in sorted(problems.items())))
        if consent["status"] == "RET" and sim.refuse_ret_first and not sim.knows(consent["recipient"], consent["type"]):
            return _errors(422, "RET_FIRST", "the first consent of an address cannot be RET")
        body, created = sim.store(consent)
        if not created:
            return _errors(409, "DUPLICATE", "this consent is already registered", transactionId=body["transactionId"])
        return jsonify({"transactionId": body["transactionId"], "creationDate": body["creationDate"]})

    @app.get("/sps/<iys_code>/brands/<brand_code>/consents/changes")
    def changes(iys_code: str, brand_code: str):
        failure = faulty() or authorised(iys_code, brand_code)
        if failure:
            return failure
        try:
            after = int(request.args.get("after") or 0)
            limit = max(1, min(int(request.args.get("limit") or 100), 999))
        except ValueError:
            return _errors(400, "INVALID", "after and limit are numbers")
        listed, last = sim.changes(after, limit)
        return jsonify({"after": str(last), "list": listed})

    # --- test switches (no token, never faulty) --------------------------------

    @app.post("/_sim/fault")
    def set_fault():
        data = request.get_json(silent=True) or {}
        mode = data.get("mode", "ok")
        if mode not in ("ok", "500", "hang"):
            abort(400)
        sim.fault.set(mode, float(data.get("seconds", 30.0)), data.get("count"), int(data.get("passing") or 0))
        return jsonify({"mode": mode})

    @app.post("/_sim/ret-first")
    def set_ret_first():
        sim.refuse_ret_first = bool((request.get_json(silent=True) or {}).get("refuse", True))
        return jsonify({"refuse": sim.refuse_ret_first})

    @app.post("/_sim/refusals")
    def citizen_refusal():
        """A refusal the citizen made in İYS itself (web, app, e-Devlet, SMS to 3338)."""
        data = request.get_json(silent=True) or {}
        source = data.get("source", "IYS_WEB")
        consent = {"recipient": data.get("recipient"), "recipientType": "BIREYSEL", "type": data.get("type"),
                   "status": "RET", "source": "HS_WEB", "consentDate": data.get("consentDate") or _turkey_now()}
        problems = _validate(consent)
        if source not in IYS_SOURCES:
            problems["source"] = "one of " + ", ".join(IYS_SOURCES)
        if problems:
            return _errors(400, "INVALID", "; ".join(f"{k}: {v}" for k, v in sorted(problems.items())))
        body, _created = sim.store({**consent, "source": source})
        return jsonify(body), 201

    @app.get("/_sim/consents")
    def list_consents():
        return jsonify({"list": sim.consents()})

    return app
