"""The pages ``make bench`` compares the portal's with (``bench/stock_app``,
``bench/django_site``) are the same page: the same elements by id, the same form
controls, the same labels in each language, the same stylesheets and links.
A change to the portal's profile page fails here until both are changed alike,
so the benchmark's ratios keep comparing like with like."""

from __future__ import annotations

import os

import pytest
from bs4 import BeautifulSoup

from bench.django_site.catalogues import compile_catalogues
from bench.stock_app import create_app as create_stock_app
from tests.conftest import DEMO_PASSWORD

# Django's CSRF input and its formset's bookkeeping inputs have Django's own names.
CSRF_NAMES = {"csrf_token", "csrfmiddlewaretoken"}


def skeleton(html: str) -> dict:
    """What a reader and a browser see of a page, without framework spellings."""
    soup = BeautifulSoup(html, "html.parser")

    def control(element) -> tuple:
        name = "csrf" if element.get("name") in CSRF_NAMES else element.get("name", "")
        value = element.get("value", "") if element.name == "button" else ""
        return element.name, name, element.get("type", ""), value

    def option(element) -> tuple:
        return element["value"], element.get_text(), element.has_attr("selected")

    return {
        "title": soup.title.get_text(),
        "lang": soup.html["lang"],
        "ids": sorted(
            (element.name, element["id"]) for element in soup.find_all(id=True) if not element["id"].endswith("_FORMS")
        ),
        "controls": {
            form.get("id") or form["action"]: sorted(
                control(element)
                for element in form.find_all(["input", "select", "textarea", "button"])
                # (the portal's stale-form owner, like the CSRF token, is a mechanism, not the page)
                if not element.get("name", "").endswith("_FORMS") and element.get("name") != "form_owner"
            )
            for form in soup.find_all("form")
        },
        "labels": {label["for"]: label.get_text(strip=True) for label in soup.find_all("label")},
        "options": {
            select["id"]: [option(element) for element in select.find_all("option")]
            for select in soup.find_all("select")
        },
        "links": [(a.get("href"), a.get_text(strip=True)) for a in soup.find_all("a")],
        "stylesheets": [link["href"] for link in soup.find_all("link", rel="stylesheet")],
        "scripts": [script.get("src") for script in soup.find_all("script")],
        "texts": [p.get_text(strip=True) for p in soup.find_all(["p", "h1", "h2", "dt", "dd"])],
    }


@pytest.fixture(scope="module")
def django_site(migrated, tmp_path_factory):
    """Django configured on the test database, the portal's catalogues compiled for it.

    The browser tests' Playwright keeps an event loop in this thread, where Django
    refuses database work unless told it is safe (DJANGO_ALLOW_ASYNC_UNSAFE, Django's
    documented switch for exactly that): these calls are synchronous and alone.
    The environment is restored afterwards, so later tests' subprocesses see none of it.
    """
    settings = {
        "DATABASE_URL": migrated,
        "DJANGO_LOCALE_PATH": str(compile_catalogues(tmp_path_factory.mktemp("django-locale"))),
        "DJANGO_SETTINGS_MODULE": "bench.django_site.settings",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    import django
    from django.db import connections

    django.setup()
    yield
    connections.close_all()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def portal_page(client, api) -> str:
    """Logged in as ``make bench`` does (``POST /users/login/``): no welcome message."""
    assert api.login().status_code == 200
    response = client.get("/account/profile")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def stock_page(database_url: str) -> str:
    app = create_stock_app(database_url, secret_key="test")
    client = app.test_client()
    assert client.post("/login", json={"email": "demo@example.com", "password": DEMO_PASSWORD}).status_code == 200
    response = client.get("/account/profile")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def django_page(user_id: int) -> str:
    """The Django view, called as its URL resolves, with a session that holds the user."""
    from django.test import RequestFactory
    from django.urls import resolve

    from bench.django_site import views

    request = RequestFactory().get("/account/profile")
    request.session = {"user_id": user_id}
    request.resolver_match = resolve("/account/profile")
    response = views.profile(request)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.config(DEV_PAGES=False, STATIC_VERSIONED=False)  # the bench copies link plain static URLs
@pytest.mark.parametrize("language", ["en", "tr"])
def test_the_three_profile_pages_are_the_same_page(app, client, api, make_user, migrated, django_site, language):
    user = make_user(
        email="demo@example.com", first_name="Demo", last_name="Customer", phone="+905551112233",
        language_code=language, attributes={"shoe size": 43},
    )
    portal = skeleton(portal_page(client, api))
    assert portal["lang"] == language
    assert skeleton(stock_page(migrated)) == portal
    assert skeleton(django_page(user.id)) == portal
