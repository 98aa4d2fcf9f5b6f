"""Reading the development outbox as a customer's mailbox."""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import BeautifulSoup


def mails(client, to: str | None = None) -> list[dict]:
    response = client.get("/_dev/mail.json")
    assert response.status_code == 200
    return [m for m in response.get_json() if to is None or m["to"] == to]


def link_in(mail: dict, link_id: str) -> str:
    """The path of the link ``link_id`` in a mail's HTML (the text holds the same URL)."""
    anchor = BeautifulSoup(mail["html"], "html.parser").find("a", id=link_id)
    assert anchor is not None, f"no #{link_id} in {mail['subject']!r}"
    assert anchor["href"] in mail["text"]
    return urlsplit(anchor["href"]).path
