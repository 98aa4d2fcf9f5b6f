"""Two-factor sign-in: TOTP (any authenticator app), recovery codes, reauthentication."""
