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
