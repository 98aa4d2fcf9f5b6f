"""The profile page's forms, as Django's forms documentation writes them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

INPUT = {"class": "field__input"}
GENDER_CHOICES = [("", _("Prefer not to say")), ("female", _("Female")), ("male", _("Male"))]
LANGUAGE_CHOICES = [("en", "English"), ("tr", "Türkçe")]


class DetailsForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=50, required=False,
                                 widget=forms.TextInput(attrs={**INPUT, "autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=50, required=False,
                                widget=forms.TextInput(attrs={**INPUT, "autocomplete": "family-name"}))
    phone = forms.CharField(label=_("Mobile phone"), required=False, widget=forms.TextInput(
        attrs={**INPUT, "type": "tel", "autocomplete": "tel", "inputmode": "tel", "aria-describedby": "phone-help"}))
    gender = forms.ChoiceField(label=_("Gender"), choices=GENDER_CHOICES, required=False,
                               widget=forms.Select(attrs=INPUT))
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False,
                                    widget=forms.DateInput(attrs={**INPUT, "type": "date", "autocomplete": "bday"}))
    language_code = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES,
                                      widget=forms.Select(attrs=INPUT))


class AvatarForm(forms.Form):
    avatar = forms.ImageField(label=_("Choose a new picture"), required=False, widget=forms.ClearableFileInput(
        attrs={**INPUT, "accept": "image/png,image/jpeg,image/webp", "aria-describedby": "avatar-help"}))
    remove_avatar = forms.BooleanField(label=_("Remove the current picture"), required=False)


class AttributeRowForm(forms.Form):
    key = forms.CharField(label=_("Name"), max_length=64, required=False, widget=forms.TextInput(attrs=INPUT))
    value = forms.CharField(label=_("Value"), max_length=255, required=False, widget=forms.TextInput(attrs=INPUT))


AttributeFormSet = forms.formset_factory(AttributeRowForm, extra=0, max_num=50)


def attribute_rows(user) -> list[dict]:
    rows = [{"key": key, "value": str(value)} for key, value in sorted((user.attributes or {}).items())
            if key not in ("register_client_type", "logged_ip", "kvkk_flat_page_version")]
    return [*rows, {"key": "", "value": ""}]
