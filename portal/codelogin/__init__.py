"""Sign-in by SMS code (``/users/otp-login/`` and its pages): docs/privacy.md."""
