"""The Django page's views."""

from __future__ import annotations

import json
from functools import wraps

import phonenumbers
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.django_site.forms import AttributeFormSet, AvatarForm, DetailsForm, attribute_rows
from bench.django_site.models import PortalUser

passwords = PasswordHasher()
LANGUAGES = {"en": "English", "tr": "Türkçe"}


def placeholder(request, **kwargs):
    raise Http404


@csrf_exempt
@require_POST
def login(request):
    data = json.loads(request.body or b"{}")
    user = PortalUser.objects.filter(email=data.get("email", "")).first()
    try:
        passwords.verify(user.password_hash if user else "", data.get("password", ""))
    except (VerificationError, InvalidHashError):
        return HttpResponseBadRequest()
    request.session.cycle_key()
    request.session["user_id"] = user.id
    return JsonResponse({"id": user.id})


def user_required(view):
    """The logged-in user (``request.portal_user``), or a redirect to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user_id = request.session.get("user_id")
        user = PortalUser.objects.filter(pk=user_id, is_active=True).first() if user_id else None
        if user is None:
            return HttpResponseRedirect("/account/login")
        request.portal_user = user
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@user_required
def profile(request):
    user = request.portal_user
    with translation.override(user.language_code):
        details = DetailsForm(initial={
            "first_name": user.first_name, "last_name": user.last_name, "phone": user.phone,
            "gender": user.gender or "", "date_of_birth": user.date_of_birth, "language_code": user.language_code,
        }, auto_id="%s")
        return render(request, "profile.html", {
            "user": user,
            "phone_display": national_phone(user.phone),
            "form": details,
            "avatar_form": AvatarForm(auto_id="%s"),
            "attributes_form": AttributeFormSet(initial=attribute_rows(user), prefix="attributes", auto_id="%s"),
            "avatar_src": f"/media/avatars/{user.avatar}" if user.avatar else None,
            "languages": LANGUAGES,
            "language": user.language_code,
        })


def national_phone(value: str | None) -> str | None:
    """A stored (E.164) number as people read it: the national format (phonenumbers)."""
    if not value:
        return None
    return phonenumbers.format_number(phonenumbers.parse(value, None), phonenumbers.PhoneNumberFormat.NATIONAL)
