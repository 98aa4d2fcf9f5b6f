"""Style guide entries for the development SMS outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.otp.models import SmsMessage
from portal.styleguide import entry


@entry("otp/outbox.html", "empty", logged_in=True)
def outbox_empty():
    return {"messages": []}


@entry("otp/outbox.html", "with messages", logged_in=True, note="A sent code and a failed send.")
def outbox_messages():
    return {
        "messages": [
            SmsMessage(
                id=2,
                to="+905551112233",
                body=None,
                purpose="profile_confirm",
                status="failed",
                error="gateway timeout",
                sent_at=datetime(2026, 5, 4, 10, 31, tzinfo=UTC),
            ),
            SmsMessage(
                id=1,
                to="+905551112233",
                body=(
                    "Your verification code is 482913. It expires in 3 minutes. "
                    "Use it to confirm your new phone number."
                ),
                purpose="phone_change",
                status="sent",
                sent_at=datetime(2026, 5, 4, 10, 28, tzinfo=UTC),
            ),
        ]
    }
