"""Numbers as people read them on pages (never in the JSON face, which keeps
``API_PHONE_FORMAT``): the template filters ``phone`` and ``card_number``.

- ``phone``: a stored (E.164) number in the national format of its country
  (``0555 111 22 33`` for ``+905551112233``). A number of another country than
  ``DEFAULT_PHONE_REGION`` is shown in international format (``+49 30 1234567``): the
  national digits alone would read as a local number. Anything that does not parse is
  shown as stored.
- ``card_number``: a loyalty card number in groups of four (``6001 2345 6789``),
  whatever spaces or dashes it came with; a number that is
  not all digits is shown as the loyalty service gives it.
"""

from __future__ import annotations

import phonenumbers
from flask import Flask, current_app


def display_phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, current_app.config["DEFAULT_PHONE_REGION"])
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(number):
        return value
    if phonenumbers.region_code_for_number(number) == current_app.config["DEFAULT_PHONE_REGION"]:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def display_card_number(value: str | None) -> str:
    if not value:
        return ""
    compact = "".join(ch for ch in value if not ch.isspace() and ch != "-")
    if not compact.isdigit():
        return value  # a service's own format ("LC-0001") is shown as it gives it
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def init_number_filters(app: Flask) -> None:
    app.jinja_env.filters["phone"] = display_phone
    app.jinja_env.filters["card_number"] = display_card_number
