"""``python -m iys_sim``: serve the İYS simulator on 127.0.0.1:$IYS_SIM_PORT (default 5002).

Environment: IYS_USERNAME / IYS_PASSWORD (default ``sim-user`` /
``sim-password``, the development configuration's), IYS_SIM_DB (SQLite file,
default ``instance/iys-sim.sqlite3``), IYS_SIM_FAULT (``500`` or ``hang`` to
start failing).
"""

from __future__ import annotations

import os
from pathlib import Path

from werkzeug.serving import run_simple

from iys_sim.app import create_app


def main() -> None:
    port = int(os.environ.get("IYS_SIM_PORT", "5002"))
    default_db = Path(__file__).resolve().parent.parent / "instance" / "iys-sim.sqlite3"
    database = os.environ.get("IYS_SIM_DB") or str(default_db)
    if database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    app = create_app(
        username=os.environ.get("IYS_USERNAME", "sim-user"),
        password=os.environ.get("IYS_PASSWORD", "sim-password"),
        database=database,
    )
    fault = os.environ.get("IYS_SIM_FAULT")
    if fault in ("500", "hang"):
        app.extensions["iys_sim"].fault.set(fault)
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
