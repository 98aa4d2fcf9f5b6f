"""Production refuses to start with the example data controller: the privacy notice
would name a company that does not exist. Development and tests keep the examples."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.servers import DATA_CONTROLLER
from config import EXAMPLE_DATA_CONTROLLER
from portal import create_app
from portal.extensions import db
from tests.conftest import PRODUCTION_SETTINGS, page

ROOT = Path(__file__).resolve().parent.parent.parent
# Everything else production needs, so that only the data controller can be wrong.
PRODUCTION = PRODUCTION_SETTINGS


def refusal(settings: dict) -> str:
    with pytest.raises(RuntimeError, match="Refusing to start in production") as refused:
        create_app(settings)
    return str(refused.value)


def named(message: str) -> list[str]:
    """The DATA_CONTROLLER_* settings the message asks to set, in its order."""
    return re.findall(r"DATA_CONTROLLER_[A-Z]+", message)


@pytest.mark.parametrize("key", sorted(EXAMPLE_DATA_CONTROLLER))
@pytest.mark.parametrize("how", ["example", "example with other case and spaces", "empty", "missing"])
def test_each_example_or_missing_value_is_refused_by_name(database_url, key, how):
    value = {
        "example": EXAMPLE_DATA_CONTROLLER[key],
        "example with other case and spaces": f"  {EXAMPLE_DATA_CONTROLLER[key].upper()} ",
        "empty": "   ",
        "missing": None,
    }[how]
    message = refusal({**PRODUCTION, **DATA_CONTROLLER, key: value})
    assert named(message) == [key]
    assert f"set {key} to the shop's own legal identity" in message


def test_the_shipped_examples_are_refused_all_at_once(database_url):
    message = refusal({**PRODUCTION, **EXAMPLE_DATA_CONTROLLER})
    assert named(message) == [
        "DATA_CONTROLLER_NAME",
        "DATA_CONTROLLER_ADDRESS",
        "DATA_CONTROLLER_EMAIL",
        "DATA_CONTROLLER_MERSIS",
    ]
    # The other problems are listed in the same message, as before.
    message = refusal({**PRODUCTION, **EXAMPLE_DATA_CONTROLLER, "SMS_BACKEND": "outbox"})
    assert "SMS_BACKEND=outbox is for development only" in message
    assert "DATA_CONTROLLER_NAME" in message


@pytest.mark.parametrize(
    "mersis", ["061234567890001", "06123456789000178", "0612 3456 7890 0017", "０６１２３４５６７８９０００１７"]
)
def test_a_mersis_number_that_is_not_16_digits_is_refused(database_url, mersis):
    message = refusal({**PRODUCTION, **DATA_CONTROLLER, "DATA_CONTROLLER_MERSIS": mersis})
    assert "DATA_CONTROLLER_MERSIS must be the 16-digit MERSIS number" in message


def test_production_with_the_shops_identity_shows_it_on_the_privacy_notice(migrated):
    app = create_app({**PRODUCTION, **DATA_CONTROLLER, "SQLALCHEMY_DATABASE_URI": migrated, "DATA_CONTROLLER_KEP": ""})
    response = app.test_client().get(
        "/legal/privacy-notice", base_url="https://localhost", headers={"Accept-Language": "en"}
    )
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 200
    doc = page(response)
    assert doc.find(id="controller-name").get_text(strip=True) == DATA_CONTROLLER["DATA_CONTROLLER_NAME"]
    assert doc.find(id="controller-mersis").get_text(strip=True) == DATA_CONTROLLER["DATA_CONTROLLER_MERSIS"]
    assert doc.find(id="controller-kep") is None  # optional: production starts without it


def test_an_operator_without_the_settings_is_told_which_to_set(migrated):
    """As gunicorn imports wsgi.py: a fresh interpreter, settings from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATA_CONTROLLER_") and k != "DEV_PAGES"}
    env.update({**PRODUCTION, "DATABASE_URL": migrated})
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("RuntimeError: Refusing to start in production")
    assert named(last_line) == [
        "DATA_CONTROLLER_NAME",
        "DATA_CONTROLLER_ADDRESS",
        "DATA_CONTROLLER_EMAIL",
        "DATA_CONTROLLER_MERSIS",
    ]


@pytest.mark.parametrize("name", ["development", "testing"])
def test_development_and_testing_start_with_the_examples(database_url, name):
    app = create_app({"PORTAL_CONFIG": name, "SQLALCHEMY_DATABASE_URI": database_url, **EXAMPLE_DATA_CONTROLLER})
    assert {key: app.config[key] for key in EXAMPLE_DATA_CONTROLLER} == EXAMPLE_DATA_CONTROLLER
