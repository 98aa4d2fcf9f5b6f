"""Form labels: Flask-Babel's translations, in the language in force when they are shown."""

from __future__ import annotations

from flask_babel import force_locale

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


def test_a_label_follows_every_change_of_language_within_a_request(app):
    from flask import session
    from flask_babel import refresh

    with app.test_request_context(headers={"Accept-Language": "en"}):
        label = DetailsForm(formdata=None).language_code.label.text
        assert [str(label), str(label)] == ["Language", "Language"]
        with force_locale("tr"):
            assert str(label) == "Dil"
            with force_locale("en"):
                assert str(label) == "Language"
            assert str(label) == "Dil"
        assert str(label) == "Language"
        session["language"] = "tr"  # what the language switch stores
        refresh()
        assert str(label) == "Dil"
    with app.app_context():
        assert str(label) == "Language"  # no request: Flask-Babel's default


def test_profile_labels_and_options_follow_a_change_of_language(client, auth, customer):
    auth.login()
    before = page(client.get("/account/profile"))
    assert before.find("label", attrs={"for": "first_name"}).get_text() == "First name"
    assert [o.get_text() for o in before.find("select", id="gender").find_all("option")] == [
        "Prefer not to say",
        "Female",
        "Male",
    ]

    auth.post("/language", {"language": "tr", "next": "/account/profile"}, token_from="/account/profile")
    after = page(client.get("/account/profile"))
    assert after.find("label", attrs={"for": "first_name"}).get_text() == "Ad"
    assert after.find("label", attrs={"for": "language_code"}).get_text() == "Dil"
    assert after.find("label", attrs={"for": "attributes-0-key"}).get_text() == "İsim"
    assert [o.get_text() for o in after.find("select", id="gender").find_all("option")] == [
        "Belirtmek istemiyorum",
        "Kadın",
        "Erkek",
    ]
    assert [o["value"] for o in after.find("select", id="language_code").find_all("option")] == ["en", "tr"]


# --- whole forms copied from their class's template (portal.forms.PortalForm.__init__) ---


def test_a_form_given_its_own_meta_is_bound_by_wtforms_and_behaves_the_same(app):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = DetailsForm(formdata=MultiDict({"first_name": "Ada"}), meta={"locales": ["tr"]})
        assert form.meta.locales == ["tr"]
        assert form.first_name.data == "Ada" and form.first_name.label.text == "First name"
        assert [f.name for f in form] == [f.name for f in DetailsForm(formdata=None)]


def test_a_field_added_to_a_form_class_appears_in_the_next_form(app):
    from portal.forms import PortalForm, TextField

    class Growing(PortalForm):
        one = TextField("One")

    with app.test_request_context():
        assert [f.name for f in Growing(formdata=None)] == ["one"]
        assert [f.name for f in Growing(formdata=None)] == ["one"]
        Growing.two = TextField("Two")
        assert [f.name for f in Growing(formdata=None)] == ["one", "two"]
        assert Growing(formdata=None, data={"two": "2"}).two.data == "2"


def test_a_label_read_again_in_later_requests_follows_each_request_s_language(app, database_url):
    from tests.conftest import make_app

    other = make_app(database_url)
    label = DetailsForm.first_name.args[0]  # the class's label, shared by every form
    seen = []
    for current, language in [(app, "en"), (app, "tr"), (app, "tr"), (other, "en"), (app, "en"), (other, "tr")]:
        with current.test_request_context(headers={"Accept-Language": language}):
            form = DetailsForm(formdata=None)
            seen.append((str(form.first_name.label.text), form.first_name.label.text.__html__(), str(label)))
    assert seen == [
        ("First name", "First name", "First name"),
        ("Ad", "Ad", "Ad"),
        ("Ad", "Ad", "Ad"),
        ("First name", "First name", "First name"),
        ("First name", "First name", "First name"),
        ("Ad", "Ad", "Ad"),
    ]


def test_a_lazy_text_is_a_string_in_the_language_of_each_read(app):
    from markupsafe import escape

    from portal.i18n import lazy_gettext

    plain = lazy_gettext("Language")
    formatted = lazy_gettext("Age must be between %(low)d and %(high)d years.", low=1, high=2)
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert str(plain) == "Dil" and plain == "Dil" and hash(plain) == hash("Dil")
        assert str(formatted) == "Yaşınız 1 ile 2 arasında olmalıdır."
        assert escape(plain) == "Dil" and plain + "!" == "Dil!" and len(plain) == 3
        with force_locale("en"):
            assert str(plain) == "Language" and plain.upper() == "LANGUAGE"
        assert lazy_gettext("%(n)s%%") % {"n": 5} == "5%"
    with app.app_context():
        assert str(formatted) == "Age must be between 1 and 2 years."
