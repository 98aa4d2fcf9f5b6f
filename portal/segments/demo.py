"""Demo price lists and segments for ``flask seed-demo`` (safe to run again).

For demo@example.com: "Example.com customers" (by email domain) and "Everyone"
are on offer; "Wholesale" (by profile attribute) and "Staff" (listed members)
are not.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.services import user_by_email
from portal.extensions import db
from portal.segments import services
from portal.segments.models import RULE_ATTRIBUTE_EQUALS, RULE_EMAIL_DOMAIN, RULE_EVERYONE, RULE_MEMBERS, Segment

PRICE_LISTS = [
    {"name": "Standard prices", "code": "STD-TRY", "currency": "TRY", "is_default": True},
    {"name": "Euro prices", "code": "EU-EUR", "currency": "EUR"},
    {"name": "Export prices", "code": "EXP-USD", "currency": "USD"},
    {"name": "Staff prices", "code": "STAFF-GBP", "currency": "GBP"},
]

SEGMENTS = [
    {"name": "Everyone", "priority": 100, "rule": RULE_EVERYONE, "price_list": None},
    {
        "name": "Example.com customers",
        "priority": 10,
        "rule": RULE_EMAIL_DOMAIN,
        "rule_value": "example.com",
        "price_list": "EU-EUR",
    },
    {
        "name": "Wholesale",
        "priority": 5,
        "rule": RULE_ATTRIBUTE_EQUALS,
        "rule_attribute": "customer_type",
        "rule_value": "wholesale",
        "price_list": "EXP-USD",
    },
    {
        "name": "Staff",
        "priority": 1,
        "rule": RULE_MEMBERS,
        "member_emails": ["agent@example.com", "admin@example.com"],
        "price_list": "STAFF-GBP",
    },
]


def seed_demo() -> list[str]:
    """Create whatever of the demo price lists and segments is missing; return their names."""
    for spec in PRICE_LISTS:
        if services.price_list_by_code(spec["code"]) is None:
            services.create_price_list(**spec)
    names = []
    for spec in SEGMENTS:
        spec = dict(spec)
        code = spec.pop("price_list")
        exists = db.session.execute(select(Segment.id).where(Segment.name == spec["name"])).first()
        if exists is None:
            price_list = services.price_list_by_code(code) if code else None
            members = [e for e in spec.pop("member_emails", []) if user_by_email(e) is not None]
            services.create_segment(price_list_id=price_list.id if price_list else None, member_emails=members, **spec)
        names.append(spec["name"])
    return names
