"""Which attributes a customer may write, and which only staff and the server set.

Why (issue 17): segment rules read ``attributes``, and customers wrote them, so a
customer could give themselves the Wholesale price list with
``{"attributes": {"customer_type": "wholesale"}}``. An attribute is *protected*
when it is named in ``PROTECTED_ATTRIBUTES`` (config) or read by any segment rule;
customers may not add, change or remove a protected attribute, on either face.
Customer service acting for them (source ``call_center``) and the server may. The
segment rule editor offers protected attributes only, so a rule never reads
something its customers can write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.errors import FieldErrors
from portal.extensions import db
from portal.segments.models import RULE_ATTRIBUTE_EQUALS, Segment

STAFF_SOURCES = frozenset({"call_center"})


def protected_attributes() -> frozenset[str]:
    """The configured names and every name an attribute rule of a segment reads."""
    configured = current_app.config["PROTECTED_ATTRIBUTES"]
    read = db.session.execute(
        select(Segment.rule_attribute)
        .where(Segment.rule == RULE_ATTRIBUTE_EQUALS, Segment.rule_attribute.is_not(None))
        .distinct()
    ).scalars()
    return frozenset(configured) | frozenset(name for name in read if name)


def refuse_protected_changes(*, stored: Mapping[str, Any], merged: Mapping[str, Any], source: str) -> None:
    """A customer's change of ``attributes`` (``stored`` → ``merged``) must leave every
    protected attribute as it was; ``FieldErrors`` on ``attributes`` otherwise."""
    if source in STAFF_SOURCES:
        return
    touched = {key for key in stored.keys() | merged.keys() if stored.get(key, ...) != merged.get(key, ...)}
    if not touched:
        return
    refused = sorted(touched & protected_attributes())
    if refused:
        raise FieldErrors(
            {
                "attributes": [
                    _("The attribute “%(key)s” can only be changed by customer service.", key=key) for key in refused
                ]
            }
        )
