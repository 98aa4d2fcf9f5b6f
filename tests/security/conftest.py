"""The hardening tests (issue 17) use the fixtures of the features they attack."""

from tests.agents.conftest import acting, agent, console  # noqa: F401
from tests.profile.conftest import media_dir  # noqa: F401
