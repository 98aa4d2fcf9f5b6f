"""The real client against the real simulator over loopback HTTP(S)."""

from __future__ import annotations

import logging
import ssl
import subprocess

import pytest

from portal.loyalty.client import LoyaltyClient, LoyaltyRejected, LoyaltyUnavailable, ServiceConfig
from tests.loyalty.conftest import HANG_TIMEOUT, SIM_KEY, TIMEOUT, SimServer

CUSTOMER = {
    "external_id": "portal-1",
    "first_name": "Ayşe",
    "last_name": "Yılmaz",
    "email": "ayse@example.com",
    "phone": "+905551112233",
    "date_of_birth": "1990-01-01",
}


@pytest.fixture
def client(app, loyalty_sim):
    with app.app_context():
        yield LoyaltyClient(ServiceConfig(base_url=loyalty_sim.url, api_key=SIM_KEY, timeout=TIMEOUT))


def test_create_customer_gives_a_card(client, loyalty_sim):
    customer = client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    assert customer["external_id"] == "portal-1"
    assert customer["first_name"] == "Ayşe"
    assert customer["card"]["status"] == "active"
    assert len(customer["card"]["number"]) == 16
    card = client.get_card(number=customer["card"]["number"])
    assert card["customer_id"] == customer["id"]


def test_same_key_same_card(client, loyalty_sim):
    first = client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    again = client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    assert again == first
    assert len(loyalty_sim.customers()) == 1


def test_same_external_id_under_another_key_returns_the_existing_customer(client, loyalty_sim):
    first = client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    other = client.create_customer(idempotency_key="key-00000002", customer=CUSTOMER)
    assert other["card"]["number"] == first["card"]["number"]
    assert len(loyalty_sim.customers()) == 1


def test_key_reused_with_another_body_is_refused(client, loyalty_sim):
    client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    with pytest.raises(LoyaltyRejected) as error:
        client.create_customer(idempotency_key="key-00000001", customer={**CUSTOMER, "external_id": "portal-2"})
    assert error.value.status == 422
    assert error.value.code == "idempotency_key_reused"


def test_a_passing_503_is_retried_with_the_same_key(client, loyalty_sim):
    loyalty_sim.fail("503", count=1)
    customer = client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    assert customer["card"]["number"]
    assert len(loyalty_sim.requests("POST", "/v1/customers")) == 2
    assert len(loyalty_sim.customers()) == 1


def test_a_lasting_503_gives_up_after_the_retries(client, loyalty_sim):
    loyalty_sim.fail("503")
    with pytest.raises(LoyaltyUnavailable):
        client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    assert len(loyalty_sim.requests("POST", "/v1/customers")) == 3  # 1 + 2 retries
    assert loyalty_sim.customers() == []


def test_hang_times_out_once_and_the_retry_finds_the_same_card(client, loyalty_sim, caplog):
    """The service did the work but we gave up waiting: the same key later returns that card."""
    loyalty_sim.fail("hang")
    impatient = LoyaltyClient(ServiceConfig(base_url=loyalty_sim.url, api_key=SIM_KEY, timeout=HANG_TIMEOUT))
    with pytest.raises(LoyaltyUnavailable, match="timed out"):
        impatient.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    assert len(loyalty_sim.requests("POST", "/v1/customers")) == 1  # a read timeout is not retried at once
    assert "loyalty service: POST /v1/customers timed out" in [r.getMessage() for r in caplog.records]
    loyalty_sim.heal()  # the hanging request now completes at the service
    customer = client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    assert len(loyalty_sim.customers()) == 1
    assert loyalty_sim.customers()[0]["card"]["number"] == customer["card"]["number"]


def test_nothing_listening_is_unavailable(app):
    server = SimServer()
    url = server.url
    server.stop()
    with app.app_context():
        client = LoyaltyClient(ServiceConfig(base_url=url, api_key=SIM_KEY, timeout=0.5))
        with pytest.raises(LoyaltyUnavailable):
            client.get_card(number="6000000000000001")


def test_wrong_key_is_rejected_and_the_key_never_logged(app, loyalty_sim, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "wrong-key-that-must-not-leak"
    with app.app_context():
        client = LoyaltyClient(ServiceConfig(base_url=loyalty_sim.url, api_key=secret, timeout=TIMEOUT))
        with pytest.raises(LoyaltyRejected) as error:
            client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    assert error.value.status == 401
    assert secret not in str(error.value)
    assert secret not in repr(client.config)
    assert all(secret not in record.getMessage() for record in caplog.records)
    assert caplog.records  # the request was logged, without the key


def test_redirects_are_not_followed(app, loyalty_sim):
    with app.app_context():
        config = ServiceConfig(base_url=loyalty_sim.url + "/_sim/redirect", api_key=SIM_KEY, timeout=TIMEOUT)
        client = LoyaltyClient(config)
        with pytest.raises(LoyaltyRejected) as error:
            client.get_card(number="6000000000000001")
    assert error.value.status == 302
    assert error.value.code == "redirect"


def test_update_customer(client, loyalty_sim):
    customer = client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
    updated = client.update_customer(customer_id=customer["id"], changes={"phone": "+905559998877"})
    assert updated["phone"] == "+905559998877"
    assert loyalty_sim.customers()[0]["phone"] == "+905559998877"
    with pytest.raises(LoyaltyRejected) as error:
        client.update_customer(customer_id="cus_missing", changes={"phone": "+905559998877"})
    assert error.value.status == 404


def test_tls_certificates_are_verified(app, tmp_path):
    """A self-signed certificate is refused: the request never reaches the service."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = SimServer(ssl_context=context)
    try:
        with app.app_context():
            client = LoyaltyClient(ServiceConfig(base_url=server.url, api_key=SIM_KEY, timeout=TIMEOUT))
            with pytest.raises(LoyaltyUnavailable):
                client.create_customer(idempotency_key="key-00000001", customer=CUSTOMER)
        assert server.requests() == []
    finally:
        server.stop()
