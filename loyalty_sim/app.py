"""The simulator's WSGI app: plain Werkzeug, no Flask, so that it shares nothing with the portal."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import threading
from collections import deque
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cards (
    number TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL UNIQUE REFERENCES customers(id),
    status TEXT NOT NULL,
    points INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS transactions (
    id TEXT PRIMARY KEY,
    card_number TEXT NOT NULL REFERENCES cards(number),
    amount TEXT NOT NULL,
    order_number TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL
);
"""

CUSTOMER_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth")
REQUIRED_ON_CREATE = ("external_id", "first_name", "last_name", "email", "phone")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMOUNT = re.compile(r"^-?\d{1,9}(\.\d{1,2})?$")
MAX_PAGE = 100
# What a card made for the demo customer starts with (amount, order number, days ago): `make run`.
DEMO_TRANSACTIONS = (("25.00", "100000101", 30), ("-10.00", "100000102", 12), ("12.50", "100000103", 2))


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat().replace("+00:00", "Z")


def _json(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def _error(status: int, code: str, message: str, **extra) -> Response:
    return _json({"error": code, "message": message, **extra}, status)


class Fault:
    """What the simulator does instead of answering: nothing, 503, or hang.

    ``remaining`` limits the fault to the next N requests (None: until cleared).
    A hang waits ``seconds`` or until the fault is cleared, then answers
    normally (so the work is done although the caller gave up: the case an
    idempotency key exists for).
    """

    def __init__(self):
        self.mode = "ok"
        self.seconds = 0.0
        self.remaining: int | None = None
        self.released = threading.Event()
        self.lock = threading.Lock()

    def set(self, mode: str, seconds: float = 30.0, count: int | None = None) -> None:
        with self.lock:
            self.released.set()  # let any request hanging under the old fault go on
            self.released = threading.Event()
            self.mode, self.seconds, self.remaining = mode, seconds, count

    def take(self) -> tuple[str, float, threading.Event]:
        """The fault for this request (and count it)."""
        with self.lock:
            mode = self.mode
            if mode != "ok" and self.remaining is not None:
                self.remaining -= 1
                if self.remaining <= 0:
                    self.mode, self.remaining = "ok", None
            return mode, self.seconds, self.released

    def describe(self) -> dict:
        return {"mode": self.mode, "seconds": self.seconds, "remaining": self.remaining}


class Simulator:
    """The app object: ``Simulator(api_key=…, database=":memory:")`` is a WSGI callable."""

    def __init__(
        self,
        *,
        api_key: str = "sim-key",
        database: str = ":memory:",
        card_prefix: str = "6000",
        demo_email: str | None = None,
    ):
        self.api_key = api_key
        self.card_prefix = card_prefix
        # A card created for this address gets DEMO_TRANSACTIONS (python -m loyalty_sim: the demo customer).
        self.demo_email = demo_email
        self.fault = Fault()
        self.lock = threading.Lock()
        self.db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)
        self.requests_seen: deque[tuple[str, str]] = deque(maxlen=10_000)  # (method, path), for tests
        self.url_map = Map(
            [
                Rule("/v1/customers", methods=["POST"], endpoint="create_customer"),
                Rule("/v1/customers/<customer_id>", methods=["GET"], endpoint="get_customer"),
                Rule("/v1/customers/<customer_id>", methods=["PATCH"], endpoint="update_customer"),
                Rule("/v1/cards/<number>", methods=["GET"], endpoint="get_card"),
                Rule("/v1/cards/<number>/balance", methods=["GET"], endpoint="get_balance"),
                Rule("/v1/cards/<number>/transactions", methods=["GET"], endpoint="list_transactions"),
                Rule("/v1/erasures", methods=["POST"], endpoint="erase_customer"),
                Rule("/v1/health", methods=["GET"], endpoint="health"),
                Rule("/_sim/fault", methods=["GET", "POST"], endpoint="sim_fault"),
                Rule("/_sim/state", methods=["GET"], endpoint="sim_state"),
                Rule("/_sim/reset", methods=["POST"], endpoint="sim_reset"),
                Rule("/_sim/transactions", methods=["POST"], endpoint="sim_transactions"),
                Rule("/_sim/redirect/<path:rest>", methods=["GET", "POST", "PATCH"], endpoint="sim_redirect"),
            ]
        )

    # ---- WSGI -------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            endpoint, args = self.url_map.bind_to_environ(environ).match()
        except HTTPException as error:
            response = _error(error.code or 404, "not_found", error.description or "")
            return response(environ, start_response)
        if endpoint.startswith("sim_") or endpoint == "health":
            response = getattr(self, endpoint)(request, **args)
            return response(environ, start_response)
        with self.lock:
            self.requests_seen.append((request.method, request.path))
        mode, seconds, released = self.fault.take()
        if mode == "503":
            return _error(503, "unavailable", "The loyalty service is down (simulated).")(environ, start_response)
        if mode == "hang":
            released.wait(seconds)
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "unauthorized", "Missing or wrong API key.")(environ, start_response)
        try:
            response = getattr(self, endpoint)(request, **args)
        except NotFound:
            response = _error(404, "not_found", "No such resource.")
        return response(environ, start_response)

    # ---- storage ------------------------------------------------------------

    def _customer_body(self, row: sqlite3.Row) -> dict:
        card = self.db.execute("SELECT * FROM cards WHERE customer_id = ?", (row["id"],)).fetchone()
        return {
            "id": row["id"],
            "external_id": row["external_id"],
            **json.loads(row["data"]),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "card": self._card_body(card) if card else None,
        }

    @staticmethod
    def _card_body(row: sqlite3.Row) -> dict:
        return {
            "number": row["number"],
            "status": row["status"],
            "points": row["points"],
            "customer_id": row["customer_id"],
            "created_at": row["created_at"],
        }

    def _new_card_number(self) -> str:
        (count,) = self.db.execute("SELECT COUNT(*) FROM cards").fetchone()
        return f"{self.card_prefix}{count + 1:012d}"

    @staticmethod
    def _validate(body: Any, required: tuple[str, ...]) -> dict[str, list[str]]:
        if not isinstance(body, dict):
            return {"body": ["Expected a JSON object."]}
        errors: dict[str, list[str]] = {}
        for name in required:
            if not body.get(name):
                errors[name] = ["This field is required."]
        for name in (*CUSTOMER_FIELDS, "external_id"):
            value = body.get(name)
            if value is not None and not isinstance(value, str):
                errors[name] = ["Must be a string."]
        dob = body.get("date_of_birth")
        if isinstance(dob, str) and dob and not DATE.match(dob):
            errors["date_of_birth"] = ["Use YYYY-MM-DD."]
        return errors

    # ---- the contract -------------------------------------------------------

    def create_customer(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if not 8 <= len(key) <= 255:
            return _error(400, "idempotency_key_required", "Send an Idempotency-Key header (8 to 255 characters).")
        body = request.get_json(silent=True)
        request_hash = hashlib.sha256(request.get_data()).hexdigest()
        with self.lock:
            seen = self.db.execute("SELECT * FROM idempotency WHERE key = ?", (key,)).fetchone()
            if seen is not None:
                if seen["request_hash"] != request_hash:
                    return _error(422, "idempotency_key_reused", "This Idempotency-Key was used with another body.")
                return _json(json.loads(seen["body"]), seen["status"], {"Idempotent-Replayed": "true"})
            errors = self._validate(body, REQUIRED_ON_CREATE)
            if errors:
                return _error(400, "validation", "Invalid customer.", fields=errors)
            existing = self.db.execute(
                "SELECT * FROM customers WHERE external_id = ?", (body["external_id"],)
            ).fetchone()
            if existing is not None:
                return _error(409, "customer_exists", "A customer with this external_id exists.",
                              customer=self._customer_body(existing))
            now = _now()
            customer_id = "cus_" + secrets.token_hex(8)
            data = {name: body.get(name) for name in CUSTOMER_FIELDS}
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT INTO customers (id, external_id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                (customer_id, body["external_id"], json.dumps(data), now, now),
            )
            number = self._new_card_number()
            self.db.execute(
                "INSERT INTO cards (number, customer_id, status, created_at) VALUES (?, ?, 'active', ?)",
                (number, customer_id, now),
            )
            if self.demo_email and data["email"] == self.demo_email:
                for amount, order, days_ago in DEMO_TRANSACTIONS:
                    self._insert_transaction(number, amount, order, _days_ago(days_ago))
            row = self.db.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
            response_body = self._customer_body(row)
            self.db.execute(
                "INSERT INTO idempotency (key, request_hash, status, body) VALUES (?, ?, 201, ?)",
                (key, request_hash, json.dumps(response_body)),
            )
            self.db.execute("COMMIT")
        return _json(response_body, 201)

    def get_customer(self, request: Request, customer_id: str) -> Response:
        with self.lock:
            row = self.db.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
            if row is None:
                raise NotFound()
            return _json(self._customer_body(row))

    def update_customer(self, request: Request, customer_id: str) -> Response:
        body = request.get_json(silent=True)
        errors = self._validate(body, ())
        if isinstance(body, dict):
            for name in set(body) - set(CUSTOMER_FIELDS):
                errors[name] = ["Unknown or read-only field."]
        if errors:
            return _error(400, "validation", "Invalid customer.", fields=errors)
        with self.lock:
            row = self.db.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
            if row is None:
                raise NotFound()
            data = {**json.loads(row["data"]), **body}
            self.db.execute(
                "UPDATE customers SET data = ?, updated_at = ? WHERE id = ?", (json.dumps(data), _now(), customer_id)
            )
            row = self.db.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
            return _json(self._customer_body(row))

    def get_card(self, request: Request, number: str) -> Response:
        with self.lock:
            row = self.db.execute("SELECT * FROM cards WHERE number = ?", (number,)).fetchone()
            if row is None:
                raise NotFound()
            return _json(self._card_body(row))

    def _card_or_404(self, number: str) -> sqlite3.Row:
        row = self.db.execute("SELECT * FROM cards WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise NotFound()
        return row

    def _balance(self, number: str) -> str:
        amounts = self.db.execute("SELECT amount FROM transactions WHERE card_number = ?", (number,)).fetchall()
        return str(sum((Decimal(a["amount"]) for a in amounts), Decimal("0.00")))

    def get_balance(self, request: Request, number: str) -> Response:
        """The card's money: the sum of its transactions, a decimal string."""
        with self.lock:
            self._card_or_404(number)
            return _json({"number": number, "balance": self._balance(number), "currency": "TRY"})

    def list_transactions(self, request: Request, number: str) -> Response:
        """The card's transactions, newest first: ``?offset=0&limit=20`` (limit at most 100)."""
        try:
            offset = int(request.args.get("offset", "0"))
            limit = int(request.args.get("limit", "20"))
        except ValueError:
            offset = limit = -1
        if offset < 0 or not 1 <= limit <= MAX_PAGE:
            return _error(400, "validation", "Invalid page.", fields={"offset": ["0 or more."], "limit": ["1 to 100."]})
        with self.lock:
            self._card_or_404(number)
            (count,) = self.db.execute(
                "SELECT COUNT(*) FROM transactions WHERE card_number = ?", (number,)
            ).fetchone()
            rows = self.db.execute(
                "SELECT * FROM transactions WHERE card_number = ? ORDER BY created_at DESC, rowid DESC"
                " LIMIT ? OFFSET ?",
                (number, limit, offset),
            ).fetchall()
        results = [
            {"id": r["id"], "amount": r["amount"], "order": r["order_number"], "created_at": r["created_at"]}
            for r in rows
        ]
        return _json({"count": count, "results": results})

    def _insert_transaction(self, number: str, amount: str, order: str | None, created_at: str) -> dict:
        transaction_id = "txn_" + secrets.token_hex(8)
        self.db.execute(
            "INSERT INTO transactions (id, card_number, amount, order_number, created_at) VALUES (?, ?, ?, ?, ?)",
            (transaction_id, number, amount, order, created_at),
        )
        return {"id": transaction_id, "amount": amount, "order": order, "created_at": created_at}

    def add_transaction(
        self, number: str, amount: str, order: str | None = None, created_at: str | None = None
    ) -> dict:
        """Credit (positive) or spend (negative) money on a card, as a shop's order would."""
        if not AMOUNT.match(amount):
            raise ValueError(f"amount {amount!r} is not a decimal with at most two places")
        amount = str(Decimal(amount).quantize(Decimal("0.01")))
        with self.lock:
            self._card_or_404(number)
            return self._insert_transaction(number, amount, order, created_at or _now())

    def erase_customer(self, request: Request) -> Response:
        """Forget a customer, their card and the remembered answers that named them.
        Idempotent: an unknown ``external_id`` answers the same (``erased: false``)."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("external_id"), str) or not body["external_id"]:
            return _error(400, "validation", "Invalid erasure.", fields={"external_id": ["Required."]})
        with self.lock:
            row = self.db.execute("SELECT * FROM customers WHERE external_id = ?", (body["external_id"],)).fetchone()
            if row is not None:
                self.db.execute("BEGIN")
                self.db.execute(
                    "DELETE FROM transactions WHERE card_number IN (SELECT number FROM cards WHERE customer_id = ?)",
                    (row["id"],),
                )
                self.db.execute("DELETE FROM cards WHERE customer_id = ?", (row["id"],))
                self.db.execute("DELETE FROM customers WHERE id = ?", (row["id"],))
                self.db.execute("DELETE FROM idempotency WHERE body LIKE ?", (f'%"{row["id"]}"%',))
                self.db.execute("COMMIT")
        return _json({"external_id": body["external_id"], "erased": row is not None})

    def health(self, request: Request) -> Response:
        return _json({"status": "ok"})

    # ---- test and operator controls (no API key: a simulator only) ----------

    def sim_fault(self, request: Request) -> Response:
        if request.method == "POST":
            body = request.get_json(silent=True) or {}
            mode = body.get("mode", "ok")
            if mode not in ("ok", "503", "hang"):
                return _error(400, "validation", "mode is ok, 503 or hang")
            self.fault.set(mode, float(body.get("seconds", 30.0)), body.get("count"))
        return _json(self.fault.describe())

    def sim_state(self, request: Request) -> Response:
        with self.lock:
            customers = [self._customer_body(r) for r in self.db.execute("SELECT * FROM customers ORDER BY rowid")]
            return _json({"customers": customers, "fault": self.fault.describe()})

    def sim_reset(self, request: Request) -> Response:
        self.fault.set("ok")
        with self.lock:
            self.db.executescript(
                "DELETE FROM transactions; DELETE FROM cards; DELETE FROM customers; DELETE FROM idempotency;"
            )
            self.requests_seen.clear()
        return _json({"status": "reset"})

    def sim_transactions(self, request: Request) -> Response:
        """``{"card": number, "amount": "12.50", "order": "100000123"}``: add a transaction to a card."""
        body = request.get_json(silent=True) or {}
        try:
            card, amount = str(body.get("card", "")), str(body.get("amount", ""))
            transaction = self.add_transaction(card, amount, body.get("order"))
        except ValueError as error:
            return _error(400, "validation", str(error))
        except NotFound:
            return _error(404, "not_found", "No such card.")
        return _json(transaction, 201)

    def sim_redirect(self, request: Request, rest: str) -> Response:
        """Answers with a redirect, to show that the portal's client does not follow one."""
        return Response("", status=302, headers={"Location": "http://127.0.0.1:9/elsewhere"})


def create_app(*, api_key: str = "sim-key", database: str = ":memory:", demo_email: str | None = None) -> Simulator:
    return Simulator(api_key=api_key, database=database, demo_email=demo_email)
