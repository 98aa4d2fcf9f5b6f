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


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


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
    # While the database or Redis does not answer, pages and JSON answer 503 with this
    # Retry-After (portal.availability).
    OUTAGE_RETRY_AFTER_SECONDS = _env_int("OUTAGE_RETRY_AFTER_SECONDS", 5)
    # Logs (portal.observability): "json" writes one JSON object per line (production's
    # default), "text" the standard library's format.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # /metrics (portal.metrics) answers clients from these networks (comma-separated,
    # e.g. "10.0.0.0/8,127.0.0.1/32") or sending "Authorization: Bearer <METRICS_TOKEN>";
    # with neither set, nobody.
    METRICS_ALLOWED_NETWORKS = os.environ.get("METRICS_ALLOWED_NETWORKS", "")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")
    PORT = _env_int("PORT", 5000)
    # How many reverse proxies in front of the portal append to X-Forwarded-For
    # (and set X-Forwarded-Proto/-Host/-Port). 0: the headers are ignored and the
    # client is the connection's address. Set it to exactly the number of proxies
    # you run: one more lets a client choose its own address (docs/deploy-proxies.md).
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

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
    # Where Flask-Limiter keeps its counters. memory:// is per worker process, so
    # production refuses it (ProductionConfig.check): every worker and instance
    # must count in one shared store (Redis).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
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

    # Two-factor sign-in (portal.twofactor, docs/two-factor.md). Staff (agents, admins)
    # must use it when STAFF_REQUIRE_2FA is on: on in production, off in development and
    # tests unless set. Customers may turn it on themselves.
    STAFF_REQUIRE_2FA = _env_bool("STAFF_REQUIRE_2FA", False)
    # Starting to act as a customer needs the password or a second factor this recently.
    REAUTH_TIMEOUT_MINUTES = _env_int("REAUTH_TIMEOUT_MINUTES", 15)
    # How long a correct password waits for its second factor.
    TWO_FACTOR_PENDING_MINUTES = _env_int("TWO_FACTOR_PENDING_MINUTES", 5)
    # The name authenticator apps show next to the account.
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Portal")

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
    # Consents (issue 20, docs/consents.md): the sender's name first in every SMS; the
    # gateway's encoding of Turkish texts ("ucs2": 70 characters a segment, or
    # "turkish_shift": the GSM Turkish single-shift table, 155); the bearer token of
    # the shop's own systems for POST /consents/withdraw/ (unset: the endpoint is off).
    SMS_BRAND = os.environ.get("SMS_BRAND", "Portal")
    SMS_ENCODING = os.environ.get("SMS_ENCODING", "ucs2")
    CONSENT_API_TOKEN = os.environ.get("CONSENT_API_TOKEN")

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
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")
    STAFF_REQUIRE_2FA = False  # tests that need it set it with @pytest.mark.config


class ProductionConfig(Config):
    NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    HSTS = True
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "http")
    STAFF_REQUIRE_2FA = _env_bool("STAFF_REQUIRE_2FA", True)
    # Every pooled connection is pinged at checkout: after a database restart no request
    # meets a dead connection (docs/deploy.md). A higher value saves that round trip.
    DATABASE_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DATABASE_PING_AFTER_IDLE_SECONDS", 0))
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    # A database error's message leaves out the statement's values (a phone number, an
    # email being saved): error logs keep the SQL, never the customer's data.
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}

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
        if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
            problems.append(
                "rate-limit counters in process memory (RATELIMIT_STORAGE_URI=memory://) would be counted "
                "per worker: set REDIS_URL (or RATELIMIT_STORAGE_URI to another shared store)"
            )
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
