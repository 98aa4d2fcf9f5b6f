"""Style guide entries for the profile pages: details and avatar, consents, the confirmation step."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.errors import NotAcceptable
from portal.profile.forms import AttributesForm, AvatarForm, ConsentsForm, DetailsForm
from portal.profile.views import CHANNEL_LABELS, CONSENT_SENTENCES, SOURCE_LABELS
from portal.styleguide import entry, fixtures


def _profile(user=None, *, form=None, avatar_form=None, attributes_form=None, avatar_src=None, access=()) -> dict:
    user = user or fixtures.customer(attributes={"shoe_size": 38, "favourite_colour": "green"})
    return {
        "attributes_form": attributes_form or AttributesForm.for_user(user),
        "user": user,
        "current_user": user,
        "form": form or DetailsForm(formdata=None, obj=user),
        "avatar_form": avatar_form or AvatarForm(formdata=None),
        "avatar_src": avatar_src,
        "customer_service_access": list(access),
    }


@entry("profile/profile.html", "complete", logged_in=True)
def profile_complete():
    return _profile()


@entry(
    "profile/profile.html", "unconfirmed email", logged_in=True, note="EMAIL_VERIFICATION=optional, not confirmed yet."
)
def profile_unconfirmed_email():
    return _profile(fixtures.customer(email_confirmed_at=None))


@entry("profile/profile.html", "empty", logged_in=True, note="A customer who has not given a name or phone.")
def profile_empty():
    return _profile(fixtures.customer(first_name="", last_name="", phone=None, gender=None, date_of_birth=None))


@entry("profile/profile.html", "field errors", logged_in=True, note="The details form sent back with errors.")
def profile_field_errors():
    # Errors set by hand: validating would ask the database whether the phone is taken.
    form = DetailsForm(
        formdata=MultiDict({"first_name": "", "last_name": "Yılmaz", "phone": "12", "date_of_birth": "2031-01-01"})
    )
    form.add_errors(
        {
            "phone": [_("Enter a valid phone number.")],
            "date_of_birth": [_("Date of birth cannot be in the future.")],
        }
    )
    return _profile(form=form)


@entry(
    "profile/profile.html",
    "phone change refused (agent)",
    logged_in=True,
    note="An agent acting for the customer changed the name and the phone: the other edits stay, the phone goes back.",
)
def profile_phone_refused():
    user = fixtures.customer()
    form = DetailsForm(formdata=None, obj=user)
    form.first_name.data = "Demet"
    form.phone.errors = [
        _("Customer service cannot change the phone number: the customer must do it."),
        _("The stored number was put back: save again to keep your other changes."),
    ]
    return _profile(user, form=form)


@entry("profile/profile.html", "attribute errors", logged_in=True, note="The same attribute name twice.")
def profile_attribute_errors():
    data = {
        "attributes-0-key": "shoe_size",
        "attributes-0-value": "38",
        "attributes-1-key": "shoe_size",
        "attributes-1-value": "39",
    }
    form = AttributesForm(formdata=MultiDict(data))
    form.validate()
    return _profile(attributes_form=form)


@entry(
    "profile/profile.html",
    "rate limited (429)",
    logged_in=True,
    note="The code for a phone change could not be sent yet.",
)
def profile_rate_limited():
    form = DetailsForm(formdata=None, obj=fixtures.customer())
    form.add_errors({"non_field_errors": [fixtures.rate_limited(120).message]})
    return _profile(form=form)


@entry(
    "profile/profile.html",
    "with picture and access notice",
    logged_in=True,
    note="An avatar, and the notice that customer service acted as the customer lately.",
)
def profile_with_avatar():
    from portal.agents.services import AccessRecord

    access = [AccessRecord(datetime(2026, 5, 3, 14, 0, tzinfo=UTC), datetime(2026, 5, 3, 14, 12, tzinfo=UTC))]
    return _profile(avatar_src=fixtures.AVATAR_SRC, access=access)


@entry(
    "profile/profile.html",
    "acting-as-customer banner",
    logged_in=True,
    note="What an agent sees while acting as the customer: the banner stays at the top.",
)
def profile_acting():
    return {**_profile(), "acting_banner": fixtures.acting_banner()}


def _consents(form=None, history=()) -> dict:
    user = fixtures.customer(sms_allowed=False, email_allowed=True)
    return {
        "current_user": user,
        "form": form or ConsentsForm(formdata=None, obj=user),
        "sentences": CONSENT_SENTENCES,
        "history": list(history),
        "channel_labels": CHANNEL_LABELS,
        "source_labels": SOURCE_LABELS,
    }


@entry("profile/consents.html", "empty", logged_in=True, note="No consent changes yet.")
def consents_empty():
    return _consents()


@entry("profile/consents.html", "with history", logged_in=True)
def consents_history():
    return _consents(history=fixtures.consent_records())


@entry(
    "profile/consents.html", "rate limited (429)", logged_in=True, note="The confirmation code could not be sent yet."
)
def consents_rate_limited():
    form = ConsentsForm(formdata=None, obj=fixtures.customer())
    form.add_errors({"non_field_errors": [fixtures.rate_limited(60).message]})
    return _consents(form=form, history=fixtures.consent_records())


def _confirm(**step) -> dict:
    user = fixtures.customer()
    rows = [
        {"field": "sms_allowed", "label": _("SMS messages"), "before": _("off"), "after": _("on")},
        {"field": "phone", "label": _("Phone"), "before": "+90 555 *** ** 33", "after": "+90 532 123 45 07"},
    ]
    return {"current_user": user, "rows": rows, **fixtures.code_step(action="/account/profile/confirm", **step)}


@entry("profile/confirm.html", "code sent", logged_in=True, note="What will change, and the code step.")
def confirm_code_sent():
    return _confirm(issued=fixtures.challenge())


@entry("profile/confirm.html", "field errors", logged_in=True, note="A wrong code, with the tries left.")
def confirm_wrong_code():
    return _confirm(
        issued=fixtures.challenge(resend_in=0, failed_attempts=2),
        code="123456",
        error=NotAcceptable("sms_verification_100_2", _("Verification codes do not match.")),
    )


@entry("profile/confirm.html", "code expired", logged_in=True)
def confirm_expired():
    return _confirm(
        issued=fixtures.challenge(seconds_left=0, resend_in=0, status="expired"),
        code="123456",
        error=NotAcceptable("sms_verification_100_4", _("Sms otp code expired. Please resend code.")),
    )


@entry(
    "profile/confirm.html",
    "too many attempts",
    logged_in=True,
    note="The last wrong try: said once, with the wait before a new code beside the disabled resend button.",
)
def confirm_too_many():
    return _confirm(
        issued=fixtures.challenge(seconds_left=120, resend_in=40, status="exhausted", failed_attempts=5),
        code="123456",
        error=NotAcceptable("sms_verification_100_5", _("Too many attempts. Please resend code.")),
    )


@entry("profile/confirm.html", "rate limited (429)", logged_in=True, note="A resend asked for during the cooldown.")
def confirm_rate_limited():
    return _confirm(issued=fixtures.challenge(), error=fixtures.rate_limited(45))


@entry("profile/unsubscribe.html", "confirm", note="GET of the one-click link: the question and the button.")
def unsubscribe_confirm():
    return {"state": "confirm", "channel": "email", "token": "example-token"}


@entry("profile/unsubscribe.html", "done")
def unsubscribe_done():
    return {"state": "done", "channel": "email"}


@entry("profile/unsubscribe.html", "invalid link")
def unsubscribe_invalid():
    return {"state": "invalid"}


@entry("profile/email_optin.html", "confirm", note="GET of the email double opt-in link: the question and the button.")
def email_optin_confirm():
    from portal.profile.optin_views import OptinForm

    return {"form": OptinForm(formdata=None), "email": "ayse.yilmaz@example.com"}


@entry("profile/email_optin.html", "done", note="Opened without being logged in: the consent is on.")
def email_optin_done():
    return {"form": None, "email": "ayse.yilmaz@example.com"}
