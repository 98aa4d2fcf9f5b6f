"""``python -m loyalty_sim``: serve the simulator on 127.0.0.1:$LOYALTY_SIM_PORT (default 5001).

Environment: LOYALTY_SIM_API_KEY (default ``sim-key``), LOYALTY_SIM_DB (SQLite
file, default ``instance/loyalty-sim.sqlite3``), LOYALTY_SIM_FAULT (``503`` or
``hang`` to start failing), LOYALTY_SIM_DEMO_EMAIL (a card created for this
address starts with a few transactions; default ``demo@example.com``, the demo
customer; empty: none).
"""

from __future__ import annotations

import os
from pathlib import Path

from werkzeug.serving import run_simple

from loyalty_sim.app import create_app


def main() -> None:
    port = int(os.environ.get("LOYALTY_SIM_PORT", "5001"))
    default_db = Path(__file__).resolve().parent.parent / "instance" / "loyalty-sim.sqlite3"
    database = os.environ.get("LOYALTY_SIM_DB") or str(default_db)
    if database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    app = create_app(
        api_key=os.environ.get("LOYALTY_SIM_API_KEY", "sim-key"),
        database=database,
        demo_email=os.environ.get("LOYALTY_SIM_DEMO_EMAIL", "demo@example.com") or None,
    )
    fault = os.environ.get("LOYALTY_SIM_FAULT")
    if fault in ("503", "hang"):
        app.fault.set(fault)
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
