"""Portal: a customer account portal for online shops."""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, g, redirect, request, url_for
from flask.globals import request_ctx
from flask.templating import _default_template_ctx_processor
from flask_login import current_user

from config import BASE_DIR, ProductionConfig, get_config
from portal.extensions import babel, db, limiter, login_manager, migrate
from portal.template_folding import LocalizedEnvironment


class PortalFlask(Flask):
    """Flask, remembering which callables are plain functions.

    Flask passes every hook, context processor and view through ``ensure_sync``
    on every request (~25 times a page), and each time asks ``inspect`` whether
    it is a coroutine function. The answer never changes for a callable, so a
    plain one is remembered, weakly (per-request callables such as
    ``after_this_request`` functions are not kept alive), by identity. Anything
    else still goes through Flask's ``ensure_sync`` every time, so ``async def``
    views and hooks keep working.

    Its Jinja environment renders each language's templates with their literal
    ``_("…")`` already translated (:mod:`portal.template_folding`).
    """

    jinja_environment = LocalizedEnvironment
    # Every template is kept once compiled: they are the files of templates/, a
    # bounded set, so a plain dict serves instead of Jinja's locked LRU (400).
    jinja_options = {"cache_size": -1}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_callables: dict[int, weakref.ref] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        known = self._plain_callables.get(id(func))
        if known is not None and known() is func:
            return func
        result = super().ensure_sync(func)
        if result is func:
            key, callables = id(func), self._plain_callables
            with contextlib.suppress(TypeError):  # not weakly referenceable: not remembered
                callables[key] = weakref.ref(func, lambda _ref: callables.pop(key, None))
        return result


def create_app(config: dict[str, Any] | str | None = None) -> Flask:
    """Build the app. ``config`` is a config name or a dict of overrides for tests."""
    app = PortalFlask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    overrides = config if isinstance(config, dict) else {}
    config_class = get_config(config if isinstance(config, str) else overrides.get("PORTAL_CONFIG"))
    app.config.from_object(config_class)
    app.config.update(overrides)
    if config_class.NAME == "production":
        ProductionConfig.check(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    from portal.security import trust_proxies

    trust_proxies(app)

    register_extensions(app)
    register_blueprints(app)
    from portal.errors import register_error_handlers

    register_error_handlers(app)
    from portal.availability import init_availability

    init_availability(app)
    from portal.observability import init_observability

    init_observability(app)
    from portal.metrics import init_metrics

    init_metrics(app)
    register_commands(app)
    register_template_context(app)
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.get("/")
    def index():
        if current_user.is_authenticated:
            return redirect(url_for("profile.profile"))
        return redirect(url_for("accounts.login"))

    return app


def register_extensions(app: Flask) -> None:
    from portal.accounts.auth import init_login
    from portal.database import ping_connections_after_idle
    from portal.i18n import init_i18n
    from portal.security import init_security
    from portal.sessions import init_sessions

    db.init_app(app)
    with app.app_context():
        ping_connections_after_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    init_sessions(app)
    init_login(app, login_manager)
    init_security(app)
    init_i18n(app, babel)
    init_limiter(app)


def init_limiter(app: Flask) -> None:
    """Flask-Limiter, checking before each request only when a limit could apply there.

    Our limits are route limits (``portal.accounts.throttle``,
    ``portal.loyalty.throttle``): their decorators check them when the view is
    called. Flask-Limiter's own before-request check only adds default,
    application, meta and blueprint limits and the in-memory fallback; with none
    of them it finds nothing to apply, yet costs ~3 % of every page. So it runs
    only while one of them exists (read on every request: a limit added later,
    or set in the config, is checked at once). Its after-request hook (headers,
    failed-login deductions) and teardown stay as they are.
    Reads Flask-Limiter's private state: pinned in requirements.txt, and
    tests/test_security.py covers each kind of limit (tests/accounts/test_throttle.py
    the headers and the failed-login deductions).
    """
    limiter.init_app(app)
    hooks = app.before_request_funcs.get(None, [])
    check = limiter._check_request_limit
    if check not in hooks:  # RATELIMIT_ENABLED = False: Flask-Limiter added no hooks
        return
    manager = limiter.limit_manager

    def check_app_wide_limits() -> None:
        if (
            manager._application_limits
            or manager._default_limits
            or manager._blueprint_limits
            or limiter._meta_limits
            or limiter._in_memory_fallback_enabled
        ):
            check()

    hooks[hooks.index(check)] = check_app_wide_limits

    # Its after-request hook (rate-limit headers, failed-login deductions) and teardown
    # only have work when a limit was checked, which gives the request its limiter context.
    after = app.after_request_funcs[None]
    inject = next(f for f in after if isinstance(f, partial) and f.args == (limiter,))
    teardown = app.teardown_request_funcs[None]
    release = next(f for f in teardown if getattr(f, "__self__", None) is limiter)

    def inject_limit_headers(response):
        return inject(response) if hasattr(request_ctx, "_limiter_request_context") else response

    def release_limiter_context(error: BaseException | None = None) -> None:
        if hasattr(request_ctx, "_limiter_request_context"):
            release(error)

    after[after.index(inject)] = inject_limit_headers
    teardown[teardown.index(release)] = release_limiter_context


def register_blueprints(app: Flask) -> None:
    from portal.accounts.api import bp as accounts_api
    from portal.accounts.security_api import bp as account_security_api
    from portal.accounts.security_views import bp as account_security_views
    from portal.accounts.views import bp as accounts_views
    from portal.agents.views import bp as agents_views
    from portal.apidocs.views import bp as apidocs
    from portal.languages.views import bp as languages_views
    from portal.loyalty.api import bp as loyalty_api
    from portal.loyalty.views import bp as loyalty_views
    from portal.otp.views import bp as otp_views
    from portal.profile.api import bp as profile_api
    from portal.profile.unsubscribe import bp as unsubscribe_views
    from portal.profile.views import bp as profile_views
    from portal.segments.api import bp as segments_api
    from portal.segments.views import bp as segments_views
    from portal.settings.views import bp as settings_views
    from portal.signup.api import bp as signup_api
    from portal.signup.views import bp as signup_views
    from portal.styleguide.views import bp as styleguide_views
    from portal.twofactor.views import bp as twofactor_views

    for blueprint in (
        accounts_views,
        accounts_api,
        account_security_views,
        account_security_api,
        twofactor_views,
        profile_views,
        profile_api,
        unsubscribe_views,
        otp_views,
        settings_views,
        segments_views,
        segments_api,
        signup_views,
        signup_api,
        loyalty_views,
        loyalty_api,
        agents_views,
        languages_views,
        styleguide_views,
        apidocs,
    ):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from portal.commands import seed_demo
    from portal.segments.commands import segments_cli

    app.cli.add_command(seed_demo)
    app.cli.add_command(segments_cli)


def register_template_context(app: Flask) -> None:
    from portal.templating import init_templating, template_context

    init_templating(app)
    # Flask gives each blueprint its own copy of the default context processor (request,
    # session, g), so a blueprint's page ran it twice; the app-wide one is enough.
    for name, processors in app.template_context_processors.items():
        if name is not None:
            processors[:] = [f for f in processors if f is not _default_template_ctx_processor]

    @app.context_processor
    def portal_context():
        # template_context(): `_`, `gettext` and `get_locale` bound to this render's locale
        return {
            **template_context(),
            "languages": app.config["LANGUAGES"],
            "dev_pages": app.config.get("DEV_PAGES", False),
        }

    @app.before_request
    def remember_endpoint():
        g.endpoint = request.endpoint
