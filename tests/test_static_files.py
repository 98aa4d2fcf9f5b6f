"""Static files: fresh in development, cached long under a content-hashed URL elsewhere
(issue 21, defect 5)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from config import DevelopmentConfig, ProductionConfig
from tests.conftest import page

CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "portal.css"
DEVELOPMENT = {"STATIC_VERSIONED": False, "SEND_FILE_MAX_AGE_DEFAULT": 0}


def fetch(client, url):
    """The response, its file closed (Flask streams static files)."""
    response = client.get(url)
    response.close()
    return response


def stylesheet_urls(client) -> list[str]:
    return [link["href"] for link in page(client.get("/account/login")).find_all("link", rel="stylesheet")]


def test_development_serves_static_files_fresh():
    assert (DevelopmentConfig.STATIC_VERSIONED, DevelopmentConfig.SEND_FILE_MAX_AGE_DEFAULT) == (False, 0)
    assert ProductionConfig.STATIC_VERSIONED is True


@pytest.mark.config(**DEVELOPMENT)
def test_development_urls_carry_no_version_and_the_browser_asks_again(client):
    assert stylesheet_urls(client) == ["/static/css/tokens.css", "/static/css/portal.css"]
    response = fetch(client, "/static/css/portal.css")
    assert response.status_code == 200
    assert response.cache_control.max_age in (None, 0)
    assert not response.cache_control.immutable


def test_urls_carry_the_content_hash_and_are_cached_long(client, app):
    urls = stylesheet_urls(client)
    portal_css = urlsplit(urls[1])
    assert portal_css.path == "/static/css/portal.css"
    assert parse_qs(portal_css.query) == {"v": [hashlib.sha256(CSS.read_bytes()).hexdigest()[:12]]}
    response = fetch(client, urls[1])
    assert response.status_code == 200
    assert response.cache_control.max_age == app.config["STATIC_VERSIONED_MAX_AGE"] == 365 * 24 * 3600
    assert response.cache_control.immutable


def test_a_wrong_or_missing_version_is_not_cached_long(client):
    for url in ("/static/css/portal.css", "/static/css/portal.css?v=000000000000"):
        response = fetch(client, url)
        assert response.status_code == 200
        assert response.cache_control.max_age == 3600
        assert not response.cache_control.immutable


def test_scripts_are_versioned_too(client):
    scripts = [s["src"] for s in page(client.get("/account/login")).find_all("script", src=True)]
    assert scripts and all(parse_qs(urlsplit(src).query)["v"] for src in scripts)


def test_urls_follow_where_the_portal_is_mounted(client):
    """A URL built once is kept per mount point: behind a proxy that mounts the portal
    under a prefix, the same page links the prefixed files, before and after."""
    plain = stylesheet_urls(client)
    mounted = [
        link["href"]
        for link in page(client.get("/account/login", base_url="http://localhost/shop/")).find_all(
            "link", rel="stylesheet"
        )
    ]
    assert [urlsplit(url).path for url in mounted] == ["/shop/static/css/tokens.css", "/shop/static/css/portal.css"]
    assert [url.removeprefix("/shop") for url in mounted] == plain
    assert stylesheet_urls(client) == plain
