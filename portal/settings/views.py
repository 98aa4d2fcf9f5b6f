"""The admin page for dynamic settings, and ``flask settings list|get|set|unset``."""

from __future__ import annotations

import json

import click
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.roles import role_required
from portal.errors import FieldErrors
from portal.settings import services
from portal.settings.forms import KvkkSettingForm, LoyaltyServiceForm

bp = Blueprint("settings", __name__, url_prefix="/admin/settings", cli_group="settings")


def _render(kvkk_form=None, loyalty_form=None, status=200):
    loyalty = services.get_setting(services.CUSTOMER_LOYALTY_CARD_SERVICE)
    kvkk_form = kvkk_form or KvkkSettingForm(
        formdata=None, enabled=services.get_setting(services.KVKK_CONFIRMATION_ENABLED, False)
    )
    loyalty_form = loyalty_form or LoyaltyServiceForm(
        formdata=None,
        base_url=(loyalty or {}).get("base_url"),
        timeout=(loyalty or {}).get("timeout", 5.0),
    )
    rows = [
        {"key": row.key, "value": services.redacted(row.key, row.value), "updated_at": row.updated_at,
         "updated_by": row.updated_by}
        for row in services.all_settings()
    ]
    return (
        render_template(
            "settings/settings.html",
            kvkk_form=kvkk_form,
            loyalty_form=loyalty_form,
            loyalty_configured=loyalty is not None,
            rows=rows,
        ),
        status,
    )


@bp.get("")
@role_required("admin")
def settings_page():
    """Every setting with who changed it last; one form per known setting."""
    return _render()


@bp.post("/kvkk")
@role_required("admin")
def save_kvkk():
    form = KvkkSettingForm.from_request()
    services.set_setting(services.KVKK_CONFIRMATION_ENABLED, bool(form.enabled.data), actor_id=current_user.id)
    flash(_("Setting saved."), "success")
    return redirect(url_for("settings.settings_page"))


@bp.post("/loyalty-service")
@role_required("admin")
def save_loyalty_service():
    """An empty API key keeps the stored one, so the secret is never sent back to the browser."""
    form = LoyaltyServiceForm.from_request()
    if form.validate():
        current = services.get_setting(services.CUSTOMER_LOYALTY_CARD_SERVICE) or {}
        value = {
            "base_url": form.base_url.data or "",
            "api_key": form.api_key.data or current.get("api_key", ""),
            "timeout": form.timeout.data,
        }
        try:
            services.set_setting(services.CUSTOMER_LOYALTY_CARD_SERVICE, value, actor_id=current_user.id)
        except FieldErrors as error:
            form.add_errors(error.errors)
        else:
            flash(_("Setting saved."), "success")
            return redirect(url_for("settings.settings_page"))
    return _render(loyalty_form=form, status=400)


@bp.post("/loyalty-service/remove")
@role_required("admin")
def remove_loyalty_service():
    """Turn the loyalty features off (the pages hide them, the API answers 406)."""
    services.unset_setting(services.CUSTOMER_LOYALTY_CARD_SERVICE)
    flash(_("The loyalty service is no longer configured."), "info")
    return redirect(url_for("settings.settings_page"))


# ---- flask settings … -------------------------------------------------------


def _fail(error: FieldErrors) -> None:
    raise click.ClickException(json.dumps(error.errors, ensure_ascii=False))


@bp.cli.command("list")
def list_command() -> None:
    """Every stored setting (secrets hidden), and the known keys that are not set."""
    stored = {row.key: row for row in services.all_settings()}
    for key in sorted(set(stored) | set(services.KNOWN_SETTINGS)):
        row = stored.get(key)
        if row is None:
            click.echo(f"{key} (not set)")
        else:
            value = json.dumps(services.redacted(key, row.value), ensure_ascii=False)
            click.echo(f"{key} = {value}  (updated {row.updated_at.isoformat()})")


@bp.cli.command("get")
@click.argument("key")
@click.option("--show-secrets", is_flag=True, help="Print secret parts (API keys) too.")
def get_command(key: str, show_secrets: bool) -> None:
    """Print the JSON value of KEY; exit status 1 when it is not set."""
    value = services.get_setting(key, default=None)
    if value is None:
        raise click.ClickException(f"{key} is not set")
    click.echo(json.dumps(value if show_secrets else services.redacted(key, value), ensure_ascii=False))


@bp.cli.command("set")
@click.argument("key")
@click.argument("value")
def set_command(key: str, value: str) -> None:
    """Set KEY to the JSON VALUE, e.g. `flask settings set KVKK_CONFIRMATION_ENABLED true`."""
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"VALUE is not JSON: {error}") from None
    try:
        stored = services.set_setting(key, parsed)
    except FieldErrors as error:
        _fail(error)
    click.echo(f"{key} = {json.dumps(services.redacted(key, stored), ensure_ascii=False)}")


@bp.cli.command("unset")
@click.argument("key")
def unset_command(key: str) -> None:
    """Remove KEY (the feature it controls becomes unconfigured)."""
    try:
        removed = services.unset_setting(key)
    except FieldErrors as error:
        _fail(error)
    click.echo(f"{key} removed" if removed else f"{key} was not set")
