"""The portal's ``users`` table, read (never migrated) by the Django page."""

from __future__ import annotations

import json

from django.db import models


class PortalJSONField(models.Field):
    """The portal's ``json`` column (Django's ``JSONField`` expects ``jsonb`` on
    PostgreSQL): psycopg decodes it there, SQLite hands over the text."""

    def db_type(self, connection) -> str:
        return "json"

    def from_db_value(self, value, expression, connection):
        return json.loads(value) if isinstance(value, str) else value


class PortalUser(models.Model):
    email = models.CharField(max_length=254)
    password_hash = models.CharField(max_length=255)
    first_name = models.CharField(max_length=50)
    last_name = models.CharField(max_length=50)
    phone = models.CharField(max_length=16, null=True)
    gender = models.CharField(max_length=6, null=True)
    date_of_birth = models.DateField(null=True)
    language_code = models.CharField(max_length=8)
    avatar = models.CharField(max_length=64, null=True)
    attributes = PortalJSONField(default=dict)
    role = models.CharField(max_length=16)
    is_active = models.BooleanField()

    class Meta:
        managed = False
        db_table = "users"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_staff(self) -> bool:
        return self.role in ("agent", "admin")
