"""The code-entry form of the HTML code step."""

from __future__ import annotations

import re

from wtforms import SubmitField
from wtforms.validators import StopValidation

from portal.forms import PortalForm, TextField
from portal.i18n import lazy_gettext as _l

CODE_PATTERN = re.compile(r"\d{6}")


class CodeForm(PortalForm):
    """One field for the code and a ``resend`` button (which needs no code)."""

    code = TextField(_l("Verification code"))
    resend = SubmitField(_l("Send a new code"))

    def validate_code(self, field):
        if self.resend.data:
            field.errors = []
            raise StopValidation()
        if not field.data:
            raise StopValidation(_l("Enter the code we sent you by SMS."))
        # People paste codes with spaces ("123 456"); the code itself is 6 digits.
        field.data = re.sub(r"\s+", "", field.data)
        if not CODE_PATTERN.fullmatch(field.data):
            raise StopValidation(_l("The code is 6 digits."))

    @property
    def wants_resend(self) -> bool:
        return bool(self.resend.data)
