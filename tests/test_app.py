"""The application object: PortalFlask remembers which callables are plain functions."""

import gc


def test_plain_views_and_hooks_run_on_every_request(app, client):
    calls = []

    @app.before_request
    def count():
        calls.append("hook")

    app.add_url_rule("/plain", "plain", lambda: "plain")
    assert [client.get("/plain").get_data(as_text=True) for _ in range(2)] == ["plain", "plain"]
    assert calls == ["hook", "hook"]


def test_coroutine_functions_still_go_through_flask_every_time(app):
    async def view():
        return "async"

    # Flask wraps coroutine functions with asgiref (a dependency of the benchmark's
    # Django) on every call: the answer for a coroutine function is never remembered.
    first, second = app.ensure_sync(view), app.ensure_sync(view)
    assert view not in (first, second)
    assert first is not second
    assert first() == "async"


def test_per_request_callables_are_not_kept_alive(app):
    def once():
        return None

    assert app.ensure_sync(once) is once
    assert app.ensure_sync(once) is once
    remembered = len(app._plain_callables)
    del once
    gc.collect()
    assert len(app._plain_callables) == remembered - 1
