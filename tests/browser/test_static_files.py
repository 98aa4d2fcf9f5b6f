"""Static files in a real browser (issue 21, defect 5): in development a CSS edit
shows on reload; elsewhere the browser keeps the versioned files and does not ask again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import request

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static"
BACKGROUND = "getComputedStyle(document.body).backgroundColor"


@pytest.mark.config(STATIC_VERSIONED=False, SEND_FILE_MAX_AGE_DEFAULT=0)  # DevelopmentConfig's values
def test_development_css_edit_shows_on_reload(app, page, live_server, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    app.static_folder = str(static)
    page.goto(live_server.url + "/account/login")
    before = page.evaluate(BACKGROUND)
    tokens = static / "css" / "tokens.css"
    tokens.write_text(tokens.read_text().replace("--color-bg: #f6f7f9;", "--color-bg: #102030;"))
    page.reload()
    assert (before, page.evaluate(BACKGROUND)) == ("rgb(246, 247, 249)", "rgb(16, 32, 48)")


def test_versioned_files_come_from_the_browser_cache(app, page, live_server):
    served = []

    @app.before_request
    def record():
        if request.endpoint == "static":
            served.append(request.path)

    page.goto(live_server.url + "/account/login")
    page.goto(live_server.url + "/account/register")  # another page, same stylesheets
    assert served.count("/static/css/portal.css") == 1
