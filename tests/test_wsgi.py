"""The production entry point, ``wsgi.py``, as gunicorn imports it: in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.servers import DATA_CONTROLLER
from tests.conftest import PRODUCTION_SETTINGS

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import gc, json, wsgi
response = wsgi.app.test_client().get("/healthz")
print(json.dumps({"status": response.status_code, "frozen": gc.get_freeze_count()}))
"""


def test_the_worker_serves_with_its_long_lived_objects_kept_out_of_the_collector(migrated):
    env = {**os.environ, **PRODUCTION_SETTINGS, "DATABASE_URL": migrated, **DATA_CONTROLLER}
    env.pop("DEV_PAGES", None)
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 200
    # The app, its modules and templates: tens of thousands of objects the
    # collector no longer walks on every full collection.
    assert outcome["frozen"] > 10_000
