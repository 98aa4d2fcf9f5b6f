"""Portal: a customer account portal for online shops."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user

from config import BASE_DIR, ProductionConfig, get_config
from portal.extensions import babel, db, limiter, login_manager, migrate


def create_app(config: dict[str, Any] | str | None = None) -> Flask:
    """Build the app. ``config`` is a config name or a dict of overrides for tests."""
    app = Flask(
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
    from portal.inputs import init_inputs

    init_inputs(app)
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
    from portal.static_files import init_static_files

    init_static_files(app)
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.get("/")
    def index():
        if current_user.is_authenticated:
            from portal.accounts.landing import home_url

            return redirect(home_url(current_user))
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
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from portal.accounts.api import bp as accounts_api
    from portal.accounts.email_api import bp as email_flows_api
    from portal.accounts.email_views import bp as email_flows_views
    from portal.accounts.security_api import bp as account_security_api
    from portal.accounts.security_views import bp as account_security_views
    from portal.accounts.storefront_api import bp as storefront_api
    from portal.accounts.views import bp as accounts_views
    from portal.agents.views import bp as agents_views
    from portal.apidocs.views import bp as apidocs
    from portal.codelogin.api import bp as codelogin_api
    from portal.codelogin.views import bp as codelogin_views
    from portal.iys.views import bp as iys_views
    from portal.languages.views import bp as languages_views
    from portal.legal.views import bp as legal_views
    from portal.loyalty.api import bp as loyalty_api
    from portal.loyalty.views import bp as loyalty_views
    from portal.mail.views import bp as mail_views
    from portal.otp.views import bp as otp_views
    from portal.privacy.api import bp as privacy_api
    from portal.privacy.views import bp as privacy_views
    from portal.profile.api import bp as profile_api
    from portal.profile.optin_views import bp as email_optin_views
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
        storefront_api,
        email_flows_views,
        email_flows_api,
        twofactor_views,
        profile_views,
        profile_api,
        unsubscribe_views,
        email_optin_views,
        otp_views,
        mail_views,
        settings_views,
        segments_views,
        segments_api,
        signup_views,
        signup_api,
        loyalty_views,
        loyalty_api,
        agents_views,
        codelogin_views,
        codelogin_api,
        privacy_views,
        privacy_api,
        iys_views,
        languages_views,
        legal_views,
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
    from portal.numbers import init_number_filters
    from portal.segments.labels import init_segment_label
    from portal.templating import init_templating, template_context

    init_templating(app)
    init_number_filters(app)
    init_segment_label(app)

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
