"""Email: backends chosen by ``MAIL_BACKEND``, templates designers own, the development outbox."""
