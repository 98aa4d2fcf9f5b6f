"""Demo customers for the console: enough for search and paging to mean something."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.extensions import db

DEMO_CUSTOMER_PASSWORD = "portal-demo-2026"  # noqa: S105 (published demo password)

_NAMES = [
    ("Ayşe", "Yılmaz"),
    ("Mehmet", "Kaya"),
    ("Fatma", "Demir"),
    ("Ahmet", "Şahin"),
    ("Zeynep", "Çelik"),
    ("Mustafa", "Yıldız"),
    ("Elif", "Yıldırım"),
    ("Emre", "Öztürk"),
    ("Merve", "Aydın"),
    ("Burak", "Özdemir"),
    ("Selin", "Arslan"),
    ("Can", "Doğan"),
    ("Deniz", "Kılıç"),
    ("Ece", "Aslan"),
    ("Kerem", "Çetin"),
    ("Derya", "Kara"),
    ("Onur", "Koç"),
    ("Gizem", "Kurt"),
    ("Hakan", "Özkan"),
    ("İrem", "Şimşek"),
    ("Anna", "Smith"),
    ("James", "Brown"),
    ("Maria", "Garcia"),
    ("Lukas", "Müller"),
    ("Sofia", "Rossi"),
    ("Noah", "Martin"),
    ("Emma", "Jones"),
    ("Oliver", "Taylor"),
    ("Mia", "Schmidt"),
    ("Leo", "Dubois"),
]


def seed_demo() -> int:
    """Add 30 demo customers (the last one inactive); returns how many were new. Idempotent."""
    emails = [f"customer{n:02d}@example.com" for n in range(1, len(_NAMES) + 1)]
    existing = set(db.session.execute(select(User.email).where(User.email.in_(emails))).scalars())
    password_hash = None
    created = 0
    for n, ((first, last), email) in enumerate(zip(_NAMES, emails, strict=True), start=1):
        if email in existing:
            continue
        password_hash = password_hash or hash_password(DEMO_CUSTOMER_PASSWORD)
        db.session.add(
            User(
                email=email,
                password_hash=password_hash,
                first_name=first,
                last_name=last,
                phone=f"+90532000{n:04d}",
                role="customer",
                is_active=n != len(_NAMES),
            )
        )
        created += 1
    db.session.commit()
    return created
