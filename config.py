"""Configuration classes, chosen by ``PORTAL_CONFIG`` (development, testing, production).

Every secret comes from the environment. Production refuses to start with
development settings (see ``ProductionConfig.check``).
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


# The development default, never accepted in production. A constant, because
# Config.SECRET_KEY itself takes the environment's value when there is one.
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    """Settings shared by every environment."""

    NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portal.sqlite3'}"
    )
    # A pooled connection idle this long is checked before use (portal.database); one in
    # use a moment ago is not, which saves a round trip per request on a busy pool.
    DATABASE_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DATABASE_PING_AFTER_IDLE_SECONDS", 10))
    REDIS_URL = os.environ.get("REDIS_URL")
    PORT = _env_int("PORT", 5000)

    # Sessions: stored on the server (database, or Redis when REDIS_URL is set).
    SESSION_COOKIE_NAME = "sessionid"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=_env_int("SESSION_ABSOLUTE_HOURS", 12))
    # How often an unchanged session has its idle expiry pushed forward (a write).
    SESSION_TOUCH_INTERVAL = timedelta(seconds=60)

    # CSRF: Flask-WTF tokens, valid as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_CHECK_DEFAULT = False  # portal.security decides which requests need it
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    CSRF_COOKIE_NAME = "csrftoken"

    # Login throttling: failures only.
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5 per 5 minutes")
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20 per minute")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"

    # Languages
    LANGUAGES = {"en": "English", "tr": "Türkçe"}
    BABEL_DEFAULT_LOCALE = "en"
    # Times are stored in UTC and shown in the shop's time zone.
    BABEL_DEFAULT_TIMEZONE = os.environ.get("PORTAL_TIMEZONE", "Europe/Istanbul")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "portal" / "translations")
    DEFAULT_PHONE_REGION = os.environ.get("DEFAULT_PHONE_REGION", "TR")

    # Development-only features; production refuses to start with any of them.
    DEV_PAGES = False
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox")

    # Customer-service console (portal.agents): how long an agent may act as a
    # customer before the portal ends it, and search results per page.
    AGENT_ACTING_MAX_MINUTES = _env_int("AGENT_ACTING_MAX_MINUTES", 30)
    AGENT_SEARCH_PER_PAGE = _env_int("AGENT_SEARCH_PER_PAGE", 20)

    # Loyalty (issue 5). The service itself is the CUSTOMER_LOYALTY_CARD_SERVICE dynamic
    # setting; these tune the client and registration. LOYALTY_SIM_URL is where `make run`
    # starts the simulator (the demo data points the setting at it).
    LOYALTY_CLIENT_RETRIES = _env_int("LOYALTY_CLIENT_RETRIES", 2)
    LOYALTY_CLIENT_BACKOFF = float(os.environ.get("LOYALTY_CLIENT_BACKOFF", "0.3"))
    LOYALTY_SIM_URL = os.environ.get("LOYALTY_SIM_URL", f"http://127.0.0.1:{_env_int('LOYALTY_SIM_PORT', 5001)}")
    LOYALTY_SIM_API_KEY = os.environ.get("LOYALTY_SIM_API_KEY", "sim-key")
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "20 per minute")
    # A customer's visit retries a pending card link at most this often per session.
    LOYALTY_VISIT_CHECK_SECONDS = _env_int("LOYALTY_VISIT_CHECK_SECONDS", 600)

    # Profile (issue 4): field rules, avatar files, the KVKK notice version recorded with consents.
    PROFILE_MIN_AGE = _env_int("PROFILE_MIN_AGE", 13)
    PROFILE_MAX_AGE = _env_int("PROFILE_MAX_AGE", 120)
    PROFILE_ATTRIBUTES_MAX_KEYS = 50
    PROFILE_ATTRIBUTE_VALUE_MAX_LENGTH = 255
    MEDIA_DIR = os.environ.get("MEDIA_DIR", str(BASE_DIR / "instance" / "media"))
    AVATAR_MAX_BYTES = 2 * 1024 * 1024
    AVATAR_MAX_SIDE = 4096
    KVKK_NOTICE_VERSION = os.environ.get("KVKK_NOTICE_VERSION", "1")

    # One-time SMS codes (portal.otp). Times in seconds. Every SMS costs money,
    # hence the send caps; wrong codes are limited per code and per hour.
    OTP_CODE_LIFETIME = _env_int("OTP_CODE_LIFETIME", 180)  # refused above 600 (10 minutes)
    OTP_MAX_WRONG_PER_CODE = 5  # wrong tries that kill a code
    OTP_MAX_FAILURES_PER_HOUR = 10  # wrong codes per user (or phone) and purpose; a resend does not reset it
    OTP_RESEND_COOLDOWN = 60
    OTP_SENDS_PER_PHONE_HOUR = 5
    OTP_SENDS_PER_PHONE_DAY = 10
    OTP_SENDS_PER_ADDRESS_HOUR = 100  # many customers share one address behind mobile carriers
    # SMS_BACKEND (above) "http": the gateway that takes {"to", "text"} with a bearer token.
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN")
    SMS_GATEWAY_CONNECT_TIMEOUT = 3.05
    SMS_GATEWAY_READ_TIMEOUT = 10.0

    # Periodic commands (docs/scale.md): rows deleted a transaction, and how long
    # records no rule reads any more are kept. Codes and failed checks: at least an
    # hour (the hourly wrong-code limit reads them); SMS records: at least a day
    # (the daily send cap reads them), longer as the account of what was sent.
    CLEANUP_BATCH_SIZE = _env_int("CLEANUP_BATCH_SIZE", 5000)
    OTP_CODE_RETENTION_HOURS = _env_int("OTP_CODE_RETENTION_HOURS", 24)
    SMS_RETENTION_DAYS = _env_int("SMS_RETENTION_DAYS", 30)

    SEND_FILE_MAX_AGE_DEFAULT = timedelta(hours=1)
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    HSTS = False


class DevelopmentConfig(Config):
    NAME = "development"
    DEV_PAGES = True
    TEMPLATES_AUTO_RELOAD = True


class TestingConfig(Config):
    NAME = "testing"
    TESTING = True
    DEV_PAGES = True
    SECRET_KEY = "testing-not-secret"  # noqa: S105 - tests only; production refuses it
    SMS_BACKEND = "outbox"
    RATELIMIT_STORAGE_URI = "memory://"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")


class ProductionConfig(Config):
    NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    HSTS = True
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "http")

    @staticmethod
    def check(config: dict) -> None:
        """Refuse to start with development settings."""
        problems = []
        if not config.get("SECRET_KEY") or config["SECRET_KEY"] in {
            DEV_SECRET_KEY,
            TestingConfig.SECRET_KEY,
        }:
            problems.append("SECRET_KEY must be set in the environment")
        if config.get("DEBUG") or config.get("TESTING"):
            problems.append("DEBUG and TESTING must be off")
        if config.get("DEV_PAGES"):
            problems.append("development pages must be off")
        if config.get("SMS_BACKEND") == "outbox":
            problems.append("SMS_BACKEND=outbox is for development only")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("PORTAL_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown PORTAL_CONFIG {name!r}; use one of {sorted(CONFIGS)}") from None
