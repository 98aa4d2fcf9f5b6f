"""Extension objects, unbound; ``create_app`` binds them."""

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so that Alembic migrations are reviewable and portable.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# A session lives for one request; after its commit, the objects keep the values
# just written instead of reading every row again on the next attribute access
# (rendering the response after a change would cost a SELECT per object).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)

# Safe methods: what the portal's own limits never count.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Operators' app-wide limits (config.py), which count reads too.
APP_WIDE_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    """Every limit the portal itself sets counts writes (login attempts, reset requests,
    sign-ups: each names its ``methods``, which tests/security/test_limit_scope.py keeps
    so). So unless an operator configured app-wide limits, a read is exempt at once
    instead of Flask-Limiter looking up, on every page and JSON read, the limits that
    would apply to it."""
    if request.method not in READ_METHODS:
        return False
    config = current_app.config
    return not any(config.get(name) for name in APP_WIDE_LIMITS)
