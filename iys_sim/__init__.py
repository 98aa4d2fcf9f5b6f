"""An İYS (İleti Yönetim Sistemi) simulator: the few calls of İYS's API the portal uses.

A small Flask app with its own storage (SQLite), for development (`make run`
starts it beside the portal) and for tests (which serve it on a loopback
port). It can be told to fail (answer 500, hang past the client's timeout),
to accept or refuse a RET for an address it has no consent for, and to take
a citizen's refusal as if it were made on İYS's web site, app, e-Devlet or by
SMS to 3338 (docs/iys.md).
"""

from iys_sim.app import IysSimulator, create_app

__all__ = ["IysSimulator", "create_app"]
