"""The legal texts' tests use the loyalty simulator (the loyalty step) and the console (acting)."""

from tests.agents.conftest import acting, agent, console  # noqa: F401 (fixtures)
from tests.loyalty.conftest import app_client_factory, loyalty_service, loyalty_sim  # noqa: F401 (fixtures)
