"""The public legal pages: the privacy notice and the consent text, no login needed.

Both are linked from sign-up, the consents page, the loyalty pages and the footer;
the consent text is also shown in full wherever a consent is given or read out
(``templates/legal/_consent_text.html``).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from portal.legal import legal_texts

bp = Blueprint("legal", __name__, url_prefix="/legal")


@bp.record_once
def check_dates(state) -> None:
    """A mistyped date setting stops the start, not every page later."""
    for name in ("KVKK_NOTICE_DATE", "CONSENT_TEXT_DATE"):
        try:
            date.fromisoformat(str(state.app.config[name]))
        except ValueError:
            raise RuntimeError(f"{name} must be a date written YYYY-MM-DD") from None


@bp.app_context_processor
def legal_context() -> dict:
    """``legal`` in every template: the controller, the sender, the versions and dates."""
    return {"legal": legal_texts()}


@bp.get("/privacy-notice")
def privacy_notice():
    """The full aydınlatma metni (KVKK art. 10): who, what, why, to whom, how long, your rights."""
    return render_template("legal/privacy_notice.html")


@bp.get("/commercial-messages")
def consent_text():
    """The commercial electronic message consent text on its own, for links and printing."""
    return render_template("legal/consent_text.html")
