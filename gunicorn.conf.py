"""gunicorn's settings for production (docs/deploy.md). gunicorn reads this file
from the directory it starts in; ``make serve`` runs ``gunicorn wsgi:app`` with it.

Each setting can be changed from the environment without editing the file:
``GUNICORN_BIND`` (default ``127.0.0.1:$PORT``, PORT defaulting to 8000),
``GUNICORN_WORKERS`` (default 2 x CPUs + 1), ``GUNICORN_TIMEOUT``,
``GUNICORN_GRACEFUL_TIMEOUT``.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Sync workers: a request holds a worker while it waits for the database or the SMS
# gateway, so a few more workers than cores keep the CPUs busy.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# A worker silent this long is killed and replaced (the slowest outside call, the SMS
# gateway, gives up after about 13 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On SIGTERM (a deploy, a scale-in), requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Behind a proxy on the same host; the proxy sends X-Forwarded-* (TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: JSON lines on stderr. The access log is the portal's own line per request
# (logger "portal.access": request id, method, path, status, duration, user id),
# written through the same JSON formatter, so gunicorn's access log stays off.
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.observability.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
    },
}

# Prometheus: each worker writes its counters to files in this directory, and any
# worker's /metrics adds them up. Emptied at start: files of an earlier run would count.
# Without PROMETHEUS_MULTIPROC_DIR, a temporary directory made here and removed at exit.
metrics_dir_is_temporary = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if metrics_dir_is_temporary:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")
metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def on_starting(server):
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()


def on_exit(server):
    if metrics_dir_is_temporary:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
