"""Form labels (``portal.forms.LazyText``, issue 9): Flask-Babel's translations, read
through the request's catalogue, in the language in force when they are shown."""

from __future__ import annotations

from flask_babel import force_locale, lazy_gettext

from portal.forms import LazyText
from portal.profile.forms import DetailsForm
from tests.conftest import page


def test_a_label_is_translated_when_it_is_read(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = DetailsForm(formdata=None)
        assert form.first_name.label.text == "First name"
        with force_locale("tr"):
            assert form.first_name.label.text == "Ad"
            assert str(DetailsForm(formdata=None).date_of_birth.label.text) == "Doğum tarihi"
        assert form.first_name.label.text == "First name"


def test_only_plain_lazy_messages_are_replaced(app):
    with_variables = lazy_gettext("Age must be between %(low)d and %(high)d years.", low=1, high=2)
    assert LazyText.of(with_variables) is with_variables
    assert LazyText.of("Plain text") == "Plain text"
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert str(LazyText.of(lazy_gettext("Language"))) == "Dil"
        assert str(with_variables) == "Yaşınız 1 ile 2 arasında olmalıdır."


def test_profile_labels_and_options_follow_a_change_of_language(client, auth, customer):
    auth.login()
    before = page(client.get("/account/profile"))
    assert before.find("label", attrs={"for": "first_name"}).get_text() == "First name"
    assert [o.get_text() for o in before.find("select", id="gender").find_all("option")] == [
        "Prefer not to say",
        "female",
        "male",
    ]

    auth.post("/language", {"language": "tr", "next": "/account/profile"}, token_from="/account/profile")
    after = page(client.get("/account/profile"))
    assert after.find("label", attrs={"for": "first_name"}).get_text() == "Ad"
    assert after.find("label", attrs={"for": "language_code"}).get_text() == "Dil"
    assert after.find("label", attrs={"for": "attributes-0-key"}).get_text() == "İsim"
    assert [o.get_text() for o in after.find("select", id="gender").find_all("option")] == [
        "Belirtmek istemiyorum",
        "kadın",
        "erkek",
    ]
    assert [o["value"] for o in after.find("select", id="language_code").find_all("option")] == ["en", "tr"]
