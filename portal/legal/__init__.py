"""The legal texts: the privacy notice (aydınlatma metni) and the commercial electronic
message consent text (ticari elektronik ileti onayı), with their versions.

The words are the designers' and lawyers' (``templates/legal/<language>/``); this
package only gives every template the facts the texts name, from the settings, as
``legal`` (a context processor): the data controller, the sender, the versions and
their dates. Nothing here reads the database, so the texts render anywhere,
including the style guide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app


@dataclass(frozen=True)
class LegalTexts:
    brand: str
    controller_name: str
    controller_address: str
    controller_email: str
    controller_mersis: str
    controller_kep: str
    transfers_abroad: tuple[str, ...]
    notice_version: str
    notice_date: date
    consent_version: str
    consent_date: date
    # How long the portal keeps what the notice names (the cleanups' own settings).
    sms_retention_days: int
    code_retention_hours: int


def legal_texts() -> LegalTexts:
    config = current_app.config
    return LegalTexts(
        brand=config["SMS_BRAND"],
        controller_name=config["DATA_CONTROLLER_NAME"],
        controller_address=config["DATA_CONTROLLER_ADDRESS"],
        controller_email=config["DATA_CONTROLLER_EMAIL"],
        controller_mersis=config["DATA_CONTROLLER_MERSIS"],
        controller_kep=config["DATA_CONTROLLER_KEP"] or "",
        transfers_abroad=tuple(config["DATA_TRANSFERS_ABROAD"]),
        notice_version=config["KVKK_NOTICE_VERSION"],
        notice_date=date.fromisoformat(config["KVKK_NOTICE_DATE"]),
        consent_version=config["CONSENT_TEXT_VERSION"],
        consent_date=date.fromisoformat(config["CONSENT_TEXT_DATE"]),
        sms_retention_days=config["SMS_RETENTION_DAYS"],
        code_retention_hours=config["OTP_CODE_RETENTION_HOURS"],
    )
