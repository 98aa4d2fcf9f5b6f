"""A loyalty-card service simulator speaking docs/loyalty-service.md.

A separate WSGI app with its own storage (SQLite), for development
(`make run` starts it beside the portal) and for tests (which serve it on a
loopback port). It can be told to fail: answer 503, or hang before answering.
"""

from loyalty_sim.app import Simulator, create_app

__all__ = ["Simulator", "create_app"]
