"""The Django page's URLs: the profile page, a JSON login, and the navigation's
other URLs (placeholders, so that ``{% url %}`` builds the portal's links)."""

from django.urls import path

from bench.django_site import views

urlpatterns = [
    path("", views.placeholder, name="index"),
    path("login", views.login, name="login"),
    path("account/profile", views.profile, name="profile"),
    path("account/profile/avatar", views.placeholder, name="avatar"),
    path("account/profile/attributes", views.placeholder, name="attributes"),
    path("account/logout", views.placeholder, name="logout"),
    path("account/login", views.placeholder, name="login_page"),
    path("account/register", views.placeholder, name="register"),
    path("account/security", views.placeholder, name="security"),
    path("account/privacy", views.placeholder, name="privacy"),
    path("account/consents", views.placeholder, name="consents"),
    path("account/segments", views.placeholder, name="segments"),
    path("account/loyalty", views.placeholder, name="loyalty"),
    path("agent/", views.placeholder, name="agents_search"),
    path("admin/settings", views.placeholder, name="settings_page"),
    path("admin/segments", views.placeholder, name="admin_segments"),
    path("api/docs", views.placeholder, name="api_docs"),
    path("legal/privacy-notice", views.placeholder, name="privacy_notice"),
    path("legal/commercial-messages", views.placeholder, name="consent_text"),
    path("language", views.placeholder, name="language"),
]
