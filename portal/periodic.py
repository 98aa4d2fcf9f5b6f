"""What every periodic command shares: bounded batches, progress, and safe interruption.

A cleanup deletes at most ``CLEANUP_BATCH_SIZE`` rows a transaction, so it never
holds long locks on tables requests use, and an interruption (Ctrl-C, a
deploy) loses at most the batch in flight: run the command again and it goes
on where it stopped. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two copies run at the same moment (two machines' cron) share
the work instead of waiting for each other or doing it twice. SQLite allows
one writer at a time and needs no claim.

Progress: a line per batch on a terminal; counts in the log
(``portal.periodic`` logger) wherever the output goes.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask import current_app
from sqlalchemy import ColumnElement, Table, delete, select

from portal.extensions import db

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


def batch_size() -> int:
    return max(1, int(current_app.config["CLEANUP_BATCH_SIZE"]))


def terminal_progress() -> Progress | None:
    """``click.echo`` to stderr when a person watches (a terminal), else nothing: cron mails stay short."""
    if sys.stderr.isatty():
        return lambda line: click.echo(line, err=True)
    return None


def delete_in_batches(
    table: Table,
    where: ColumnElement[bool],
    *,
    label: str,
    size: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Delete the rows of ``table`` matching ``where``, ``size`` a transaction; the number deleted.

    Each batch is ``DELETE … WHERE id IN (SELECT id … LIMIT size FOR UPDATE SKIP
    LOCKED)``, committed on its own. ``where`` should be served by an index
    (docs/scale.md), so each batch costs the same however large the table.
    """
    size = size or batch_size()
    [key] = table.primary_key.columns
    total = 0
    while True:
        claim = select(key).where(where).limit(size).with_for_update(skip_locked=True).scalar_subquery()
        deleted = db.session.execute(delete(table).where(key.in_(claim))).rowcount
        db.session.commit()
        total += deleted
        log.info("%s: deleted %d in this batch, %d so far", label, deleted, total)
        if progress is not None and (deleted or not total):
            progress(f"{label}: {total} deleted")
        if deleted < size:
            return total


@contextmanager
def interruptible(what: str) -> Iterator[None]:
    """Ctrl-C ends the command between or inside a batch: what was committed stays."""
    try:
        yield
    except KeyboardInterrupt:
        db.session.rollback()
        log.warning("%s interrupted; committed batches are kept", what)
        click.echo(f"{what} interrupted: what was done is kept; run it again to go on.", err=True)
        raise SystemExit(130) from None
