"""The İYS admin page (``/admin/iys``) and ``flask iys push|pull|export``."""

from __future__ import annotations

import csv
import json
import sys

import click
from flask import Blueprint, render_template
from flask_babel import gettext as _

from portal import periodic
from portal.accounts.roles import role_required
from portal.iys import services
from portal.iys.client import IysError

bp = Blueprint("iys", __name__, url_prefix="/admin/iys", cli_group="iys")


@bp.get("")
@role_required("admin")
def status_page():
    """What is waiting for İYS and when the sync last ran."""
    return render_template("iys/status.html", status=services.status())


def _client_or_fail():
    try:
        return services.client()
    except services.IysNotConfigured as error:
        raise click.ClickException(_("IYS_URL is not set: İYS sync is off.")) from error


@bp.cli.command("push")
@click.option("--all", "everything", is_flag=True, help="Also records whose backoff has not passed yet.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Records a transaction (IYS_PUSH_BATCH_SIZE).")
def push_command(everything: bool, batch_size: int | None) -> None:
    """Register every consent record not yet in İYS, oldest first."""
    iys = _client_or_fail()
    with periodic.interruptible("iys push"):
        try:
            counts = services.push(everything=everything, size=batch_size, iys=iys,
                                   progress=periodic.terminal_progress())
        except IysError as error:
            raise click.ClickException(_("İYS did not answer: %(error)s", error=str(error))) from error
        finally:
            iys.close()
    click.echo(_("sent: %(sent)d, failed: %(failed)d, refused by İYS: %(rejected)d, skipped: %(skipped)d, "
                 "waiting for an earlier record: %(deferred)d", **counts))


@bp.cli.command("pull")
def pull_command() -> None:
    """Read the changes made in İYS since the last pull and apply its refusals."""
    iys = _client_or_fail()
    with periodic.interruptible("iys pull"):
        try:
            counts = services.pull(iys=iys, progress=periodic.terminal_progress())
        except IysError as error:
            raise click.ClickException(_("İYS did not answer: %(error)s", error=str(error))) from error
        finally:
            iys.close()
    click.echo(_("changes read: %(changes)d, refusals: %(refusals)d, consents switched off: %(records)d", **counts))


@bp.cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="A file (default: stdout).")
def export_command(fmt: str, output) -> None:
    """Every consent record in İYS's field names, for an İYS partner (works with İYS sync off)."""
    rows = services.export_rows()
    if fmt == "csv":
        writer = csv.DictWriter(output, fieldnames=services.EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        output.write("[")
        for index, row in enumerate(rows):
            output.write(("," if index else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        output.write("\n]\n")
    if output is not sys.stdout:
        output.flush()
