"""Sign-up: the wizard (``/account/register``) and ``POST /users/register-with-loyalty/``,
both confirmed by an SMS code; a loyalty card is the optional step."""
