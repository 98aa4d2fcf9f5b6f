"""The simulator's own contract points that the client tests do not reach."""

import requests

from tests.loyalty.conftest import SIM_KEY

AUTH = {"Authorization": f"Bearer {SIM_KEY}"}
BODY = {"external_id": "portal-9", "first_name": "A", "last_name": "B", "email": "a@example.com",
        "phone": "+905551112233"}


def test_create_needs_an_idempotency_key(loyalty_sim):
    response = requests.post(loyalty_sim.url + "/v1/customers", json=BODY, headers=AUTH, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"] == "idempotency_key_required"


def test_validation_errors_name_the_fields(loyalty_sim):
    headers = {**AUTH, "Idempotency-Key": "key-00000009"}
    response = requests.post(loyalty_sim.url + "/v1/customers", json={**BODY, "phone": ""}, headers=headers, timeout=5)
    assert response.status_code == 400
    assert response.json()["fields"] == {"phone": ["This field is required."]}


def test_replay_is_marked(loyalty_sim):
    headers = {**AUTH, "Idempotency-Key": "key-00000009"}
    first = requests.post(loyalty_sim.url + "/v1/customers", json=BODY, headers=headers, timeout=5)
    again = requests.post(loyalty_sim.url + "/v1/customers", json=BODY, headers=headers, timeout=5)
    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_fault_controls_over_http(loyalty_sim):
    assert requests.get(loyalty_sim.url + "/v1/health", timeout=5).json() == {"status": "ok"}
    requests.post(loyalty_sim.url + "/_sim/fault", json={"mode": "503", "count": 1}, timeout=5)
    assert requests.get(loyalty_sim.url + "/v1/cards/1", headers=AUTH, timeout=5).status_code == 503
    assert requests.get(loyalty_sim.url + "/v1/cards/1", headers=AUTH, timeout=5).status_code == 404
    assert requests.get(loyalty_sim.url + "/_sim/fault", timeout=5).json()["mode"] == "ok"
    requests.post(loyalty_sim.url + "/v1/customers", json=BODY, headers={**AUTH, "Idempotency-Key": "key-1234567"},
                  timeout=5)
    assert len(requests.get(loyalty_sim.url + "/_sim/state", timeout=5).json()["customers"]) == 1
    requests.post(loyalty_sim.url + "/_sim/reset", timeout=5)
    assert requests.get(loyalty_sim.url + "/_sim/state", timeout=5).json()["customers"] == []


def test_sqlite_file_storage_survives_a_restart(tmp_path):
    from loyalty_sim import Simulator

    path = str(tmp_path / "sim.sqlite3")
    Simulator(database=path).db.execute(
        "INSERT INTO customers (id, external_id, data, created_at, updated_at) VALUES ('c1', 'e1', '{}', 'x', 'x')"
    )
    assert Simulator(database=path).db.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 1


def create(sim_url: str, body: dict = BODY, key: str = "key-00000042") -> dict:
    response = requests.post(sim_url + "/v1/customers", json=body, headers={**AUTH, "Idempotency-Key": key}, timeout=5)
    assert response.status_code == 201
    return response.json()


def test_a_card_has_a_balance_and_transactions(loyalty_sim):
    number = create(loyalty_sim.url)["card"]["number"]
    card = f"{loyalty_sim.url}/v1/cards/{number}"
    assert requests.get(card + "/balance", headers=AUTH, timeout=5).json() == {
        "number": number, "balance": "0.00", "currency": "TRY"
    }
    assert requests.get(card + "/transactions", headers=AUTH, timeout=5).json() == {"count": 0, "results": []}

    added = requests.post(loyalty_sim.url + "/_sim/transactions", json={"card": number, "amount": "12.5",
                          "order": "1001"}, timeout=5)
    assert added.status_code == 201
    loyalty_sim.sim.add_transaction(number, "-2", created_at="2099-01-01T00:00:00Z")
    assert requests.get(card + "/balance", headers=AUTH, timeout=5).json()["balance"] == "10.50"
    listed = requests.get(card + "/transactions?offset=0&limit=1", headers=AUTH, timeout=5).json()
    assert listed["count"] == 2
    assert [(t["amount"], t["order"]) for t in listed["results"]] == [("-2.00", None)]  # newest first
    listed = requests.get(card + "/transactions?offset=1&limit=1", headers=AUTH, timeout=5).json()
    assert [(t["amount"], t["order"], t["id"]) for t in listed["results"]] == [("12.50", "1001", added.json()["id"])]


def test_card_reads_need_the_key_and_a_known_card(loyalty_sim):
    number = create(loyalty_sim.url)["card"]["number"]
    assert requests.get(f"{loyalty_sim.url}/v1/cards/{number}/balance", timeout=5).status_code == 401
    assert requests.get(f"{loyalty_sim.url}/v1/cards/9/balance", headers=AUTH, timeout=5).status_code == 404
    assert requests.get(f"{loyalty_sim.url}/v1/cards/9/transactions", headers=AUTH, timeout=5).status_code == 404
    bad = requests.get(f"{loyalty_sim.url}/v1/cards/{number}/transactions?limit=500", headers=AUTH, timeout=5)
    assert (bad.status_code, bad.json()["error"]) == (400, "validation")
    refused = requests.post(loyalty_sim.url + "/_sim/transactions", json={"card": number, "amount": "1e3"}, timeout=5)
    assert refused.status_code == 400
    unknown = requests.post(loyalty_sim.url + "/_sim/transactions", json={"card": "9", "amount": "1"}, timeout=5)
    assert unknown.status_code == 404


def test_the_demo_customers_card_starts_with_transactions():
    from werkzeug.test import Client

    from loyalty_sim import Simulator
    from loyalty_sim.app import DEMO_TRANSACTIONS

    sim = Client(Simulator(api_key=SIM_KEY, demo_email="demo@example.com"))
    counts = {}
    for email in ("a@example.com", "demo@example.com"):
        body = {**BODY, "external_id": email, "email": email}
        created = sim.post("/v1/customers", json=body, headers={**AUTH, "Idempotency-Key": f"key-{email}"})
        number = created.get_json()["card"]["number"]
        counts[email] = sim.get(f"/v1/cards/{number}/transactions", headers=AUTH).get_json()["count"]
    assert counts == {"a@example.com": 0, "demo@example.com": len(DEMO_TRANSACTIONS)}


def test_erasure_forgets_the_transactions(loyalty_sim):
    number = create(loyalty_sim.url)["card"]["number"]
    loyalty_sim.sim.add_transaction(number, "5")
    erased = requests.post(loyalty_sim.url + "/v1/erasures", json={"external_id": BODY["external_id"]}, headers=AUTH,
                           timeout=5)
    assert erased.json()["erased"] is True
    assert loyalty_sim.sim.db.execute("SELECT COUNT(*) FROM transactions").fetchone()[0] == 0
