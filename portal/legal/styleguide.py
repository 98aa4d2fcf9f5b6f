"""Style guide entries for the legal pages: the privacy notice and the consent text."""

from __future__ import annotations

from dataclasses import replace

from portal.legal import legal_texts
from portal.styleguide import entry


@entry("legal/privacy_notice.html", "default settings", note="No KEP address, no transfers abroad.")
def privacy_notice_default():
    return {}


@entry(
    "legal/privacy_notice.html",
    "KEP and transfers abroad",
    note="DATA_CONTROLLER_KEP and DATA_TRANSFERS_ABROAD set: the KEP address and the list of recipients abroad.",
)
def privacy_notice_abroad():
    texts = replace(
        legal_texts(),
        controller_kep="portal@hs01.kep.tr",
        transfers_abroad=("Example Cloud Ltd. (Ireland): hosting of backups",),
    )
    return {"legal": texts}


@entry("legal/consent_text.html", "logged out", note="The one consent text partial, as every page includes it.")
def consent_text_logged_out():
    return {}


@entry("legal/consent_text.html", "logged in", logged_in=True, note="With the link to the consents page.")
def consent_text_logged_in():
    return {}
