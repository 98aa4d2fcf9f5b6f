"""Who made a change, and from where: the facts every record of a change keeps.

Views and API routes call ``change_origin(face)`` and pass the result to
services, which never read the request themselves. While a customer-service
agent acts as a customer (``g.acting_agent``, set by the agents feature), the
source is ``call_center`` and the actor is the agent.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from flask_login import current_user


@dataclass(frozen=True)
class ChangeOrigin:
    source: str  # "web", "api" or "call_center"
    actor_id: int | None  # the customer, or the agent acting for them
    client_ip: str | None
    user_agent: str


def client_ip() -> str | None:
    return request.remote_addr


def user_agent() -> str:
    return (request.user_agent.string or "")[:255]


def change_origin(face: str) -> ChangeOrigin:
    """``face`` is ``"web"`` for the HTML pages and ``"api"`` for the JSON API."""
    agent = g.get("acting_agent")
    if agent is not None:
        source, actor_id = "call_center", agent.id
    else:
        source = face
        actor_id = current_user.id if current_user.is_authenticated else None
    return ChangeOrigin(
        source=source,
        actor_id=actor_id,
        client_ip=client_ip(),
        user_agent=user_agent(),
    )
