"""The İYS simulator itself, over HTTP: tokens, validation, duplicates, RET-first, the changes feed."""

from __future__ import annotations

import pytest
import requests

from tests.iys.conftest import BRAND_CODE, IYS_CODE, PASSWORD, PHONE, USERNAME

CONSENTS = f"/sps/{IYS_CODE}/brands/{BRAND_CODE}/consents"
GRANT = {"recipient": PHONE, "recipientType": "BIREYSEL", "type": "MESAJ", "source": "HS_WEB", "status": "ONAY",
         "consentDate": "2026-06-15 15:00:00"}


def token(sim) -> dict:
    response = requests.post(sim.url + "/oauth2/token", timeout=10,
                             json={"username": USERNAME, "password": PASSWORD, "grant_type": "password"})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_token_is_needed(iys_sim):
    wrong = requests.post(iys_sim.url + "/oauth2/token", timeout=10,
                          json={"username": USERNAME, "password": "wrong", "grant_type": "password"})
    assert (wrong.status_code, wrong.json()["errors"][0]["code"]) == (401, "UNAUTHORIZED")
    anonymous = requests.post(iys_sim.url + CONSENTS, json=GRANT, timeout=10)
    assert anonymous.status_code == 401
    other_brand = requests.post(iys_sim.url + f"/sps/{IYS_CODE}/brands/999/consents", json=GRANT,
                                headers=token(iys_sim), timeout=10)
    assert other_brand.status_code == 403


def test_add_duplicate_and_invalid(iys_sim):
    auth = token(iys_sim)
    first = requests.post(iys_sim.url + CONSENTS, json=GRANT, headers=auth, timeout=10)
    assert first.status_code == 200
    again = requests.post(iys_sim.url + CONSENTS, json=GRANT, headers=auth, timeout=10)
    assert (again.status_code, again.json()["transactionId"]) == (409, first.json()["transactionId"])
    bad = requests.post(iys_sim.url + CONSENTS, json={**GRANT, "consentDate": "2026-06-15T15:00:00Z",
                                                       "source": "IYS_WEB"}, headers=auth, timeout=10)
    assert bad.status_code == 400
    assert "consentDate" in bad.json()["errors"][0]["message"] and "source" in bad.json()["errors"][0]["message"]
    assert len(iys_sim.consents()) == 1


def test_ret_first_is_refused_unless_switched_off(iys_sim):
    auth = token(iys_sim)
    refusal = {**GRANT, "status": "RET", "recipient": "+905321234567"}
    refused = requests.post(iys_sim.url + CONSENTS, json=refusal, headers=auth, timeout=10)
    assert (refused.status_code, refused.json()["errors"][0]["code"]) == (422, "RET_FIRST")
    iys_sim.refuse_ret_first(False)
    assert requests.post(iys_sim.url + CONSENTS, json=refusal, headers=auth, timeout=10).status_code == 200


def test_changes_feed_pages_with_a_cursor(iys_sim):
    auth = token(iys_sim)
    requests.post(iys_sim.url + CONSENTS, json=GRANT, headers=auth, timeout=10)
    iys_sim.citizen_refuses(recipient=PHONE, type="MESAJ", source="IYS_KISA_MESAJ")
    first = requests.get(iys_sim.url + CONSENTS + "/changes", params={"limit": 1}, headers=auth, timeout=10).json()
    assert (first["after"], [c["source"] for c in first["list"]]) == ("1", ["HS_WEB"])
    rest = requests.get(iys_sim.url + CONSENTS + "/changes", params={"after": first["after"]}, headers=auth,
                        timeout=10).json()
    assert (rest["after"], [(c["source"], c["status"]) for c in rest["list"]]) == ("2", [("IYS_KISA_MESAJ", "RET")])
    empty = requests.get(iys_sim.url + CONSENTS + "/changes", params={"after": "2"}, headers=auth, timeout=10).json()
    assert empty == {"after": "2", "list": []}


def test_faults(iys_sim):
    iys_sim.fail("500", count=1)
    assert requests.post(iys_sim.url + "/oauth2/token", json={}, timeout=10).status_code == 500
    assert requests.post(iys_sim.url + "/oauth2/token", json={}, timeout=10).status_code == 400  # healed
    iys_sim.fail("hang", seconds=5)
    with pytest.raises(requests.Timeout):
        requests.post(iys_sim.url + "/oauth2/token", json={}, timeout=0.3)
    iys_sim.heal()
