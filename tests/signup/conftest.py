"""Sign-up with a card talks to the loyalty service: the real simulator, as in tests/loyalty."""

from tests.loyalty.conftest import app_client_factory, loyalty_service, loyalty_sim  # noqa: F401 (fixtures)
