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
        "Kadın",
        "Erkek",
    ]
    assert [o["value"] for o in after.find("select", id="language_code").find_all("option")] == ["en", "tr"]


# --- fields bound from a prototype (portal.forms._bind_from_prototype, issue 9) ---


def test_each_form_gets_fields_of_its_own(app):
    from werkzeug.datastructures import MultiDict

    from portal.accounts.forms import LoginForm
    from portal.profile.forms import AttributesForm

    with app.test_request_context():
        first = DetailsForm(formdata=MultiDict({"first_name": "x" * 80, "gender": "female"}))
        assert not first.validate()
        first.first_name.flags.required = True
        first.first_name.render_kw["autocomplete"] = "off"
        first.first_name.label.text = "Changed"
        first.language_code.choices.append(("xx", "Mine"))

        second = DetailsForm(formdata=None)
        assert second.first_name is not first.first_name
        assert second.first_name.errors == () and second.first_name.data is None
        assert second.gender.data is None and second.first_name._form is second
        assert second.first_name.flags.required is None
        assert second.first_name.render_kw == {"autocomplete": "given-name"}
        assert second.first_name.label.text == "First name"
        assert [c.value for c in second.language_code.choices] == ["en", "tr"]
        assert first.first_name.errors == ["Field cannot be longer than 50 characters."]

        # Sub-forms of a FieldList: every row its own fields, bound to its own form.
        rows = AttributesForm(formdata=None, data={"attributes": [{"key": "a", "value": "1"}, {"key": "b"}]})
        assert [row.key.data for row in rows.attributes] == ["a", "b"]
        assert [row.key.id for row in rows.attributes] == ["attributes-0-key", "attributes-1-key"]
        assert rows.attributes[0].key is not rows.attributes[1].key
        again = AttributesForm(formdata=MultiDict({"attributes-0-key": "c", "attributes-5-value": "v"}))
        assert [(row.key.data, row.value.data) for row in again.attributes] == [("c", None), (None, "v")]
        assert [row.key.name for row in again.attributes] == ["attributes-0-key", "attributes-1-key"]
        assert again.attributes is not rows.attributes and again.attributes[0].form is not rows.attributes[0].form
        assert [row.key.data for row in rows.attributes] == ["a", "b"]
        assert [row.key.data for row in AttributesForm(formdata=None).attributes] == [None]

        # A field left out of a partial form stays in the next one.
        login = LoginForm(formdata=MultiDict({"email": "a@b.c"}))
        del login["password"]
        assert "password" in LoginForm(formdata=None)


def test_fields_follow_the_app_they_are_bound_in(app, database_url):
    from tests.conftest import make_app

    other = make_app(database_url, LANGUAGES={"en": "English"})
    with app.test_request_context():
        assert [c.value for c in DetailsForm(formdata=None).language_code.choices] == ["en", "tr"]
    with other.test_request_context():
        assert [c.value for c in DetailsForm(formdata=None).language_code.choices] == ["en"]
    with app.test_request_context():
        assert [c.value for c in DetailsForm(formdata=None).language_code.choices] == ["en", "tr"]


def test_prefixes_from_form_data_do_not_grow_the_prototypes_without_end(app, monkeypatch):
    from werkzeug.datastructures import MultiDict

    from portal import forms
    from portal.profile.forms import AttributesForm

    monkeypatch.setattr(forms, "PROTOTYPES_MAX", 40)
    with app.test_request_context():
        for start in range(0, 500, 50):
            data = MultiDict({f"attributes-{i}-key": f"k{i}" for i in range(start, start + 50)})
            form = AttributesForm(formdata=data)
            assert [row.key.data for row in form.attributes][:2] == [f"k{start}", f"k{start + 1}"]
        assert len(app.extensions["portal.bound_fields"]) <= 40


# --- whole forms copied from their class's template (portal.forms.PortalForm.__init__) ---


def test_a_form_built_again_has_the_same_fields_data_and_errors_as_wtforms_makes(app):
    from werkzeug.datastructures import MultiDict

    from portal.profile.forms import AvatarForm

    with app.test_request_context():
        for _ in range(3):  # the first binds one by one, the next ones copy the template
            form = DetailsForm(formdata=MultiDict({"p-first_name": " Ada ", "p-gender": "x"}), prefix="p")
            assert [(f.name, f.id, f.short_name) for f in form] == [
                (f"p-{n}", f"p-{n}", n)
                for n in ("first_name", "last_name", "phone", "gender", "date_of_birth", "language_code")
            ]
            assert form.first_name is form["first_name"] and form.first_name._form is form
            assert form.meta is not None and form.first_name.meta is form.meta
            assert form._prefix == "p-" and form._parent_form is None and form.form_errors == []
            assert form.first_name.data == "Ada" and form.last_name.raw_data == []
            assert not form.validate()
            assert form.errors == {
                "gender": ["“x” is not a valid choice."],
                "language_code": ["This field may not be null."],
            }
            assert AvatarForm(formdata=None, data={"remove_avatar": True}).remove_avatar.data is True


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
