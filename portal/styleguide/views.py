"""``/_styleguide``: development only (``DEV_PAGES``); a 404 everywhere else."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, current_app, render_template, request

from portal import styleguide

bp = Blueprint("styleguide", __name__, url_prefix="/_styleguide")


@bp.before_request
def development_only():
    if not current_app.config.get("DEV_PAGES"):
        abort(404)


@bp.get("/")
def index():
    ordered = sorted(styleguide.entries(), key=lambda e: e.template)
    groups = [(template, list(items)) for template, items in groupby(ordered, key=lambda e: e.template)]
    return render_template("styleguide/index.html", groups=groups)


@bp.get("/<slug>")
def show(slug: str):
    """One entry; ``?lang=tr`` shows it in that language whatever the session says."""
    item = styleguide.find(slug)
    if item is None:
        abort(404)
    locale = request.args.get("lang")
    return styleguide.render_entry(item, locale if locale in current_app.config["LANGUAGES"] else None)
