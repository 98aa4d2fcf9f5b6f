"""``flask seed-demo``: the demo data, safe to run again and again."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.accounts.models import User
from portal.accounts.services import create_user, user_by_email
from portal.profile import demo as profile_demo
from portal.segments.demo import seed_demo as seed_segments

DEMO_USERS = [
    {
        "email": "demo@example.com",
        "password": "portal-demo-2026",
        "role": "customer",
        "first_name": "Demo",
        "last_name": "Customer",
        "phone": "+905551112233",
    },
    {
        "email": "agent@example.com",
        "password": "portal-agent-2026",
        "role": "agent",
        "first_name": "Ayla",
        "last_name": "Agent",
    },
    {
        "email": "admin@example.com",
        "password": "portal-admin-2026",
        "role": "admin",
        "first_name": "Ali",
        "last_name": "Admin",
    },
]


def seed_users() -> list[User]:
    users = []
    for spec in DEMO_USERS:
        user = user_by_email(spec["email"])
        if user is None:
            user = create_user(**spec)
        users.append(user)
    return users


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo accounts and data (idempotent)."""
    users = seed_users()
    profile_demo.seed_demo()
    seed_segments()
    click.echo(f"Demo data ready: {', '.join(u.email for u in users)}")
