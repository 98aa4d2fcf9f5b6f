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

# The data controller's identity as shipped: examples for development and tests, never
# accepted in production (ProductionConfig.check), where the privacy notice would name
# a company that does not exist. DATA_CONTROLLER_KEP is optional (empty: left out).
EXAMPLE_DATA_CONTROLLER = {
    "DATA_CONTROLLER_NAME": "Portal Mağazacılık A.Ş.",
    "DATA_CONTROLLER_ADDRESS": "Örnek Mah. Deneme Cad. No: 1, 34000 İstanbul",
    "DATA_CONTROLLER_EMAIL": "kvkk@example.com",
    "DATA_CONTROLLER_MERSIS": "0000000000000000",
}


def _env_words(raw: str | None) -> str | dict[str, str] | None:
    """A word, or one per language (``en=Club,tr=Kulüp`` → a mapping); empty → None."""
    if not raw or not raw.strip():
        return None
    parts = [part.split("=", 1) for part in raw.split(",")]
    if all(len(part) == 2 and part[0].strip() for part in parts):
        return {code.strip(): word.strip() for code, word in parts}
    return raw.strip()


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
    # you run: one more lets a client choose its own address (docs/deploy.md, "Behind a reverse proxy").
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    # Sessions: stored on the server (database, or Redis when REDIS_URL is set).
    # The vendor's cookie name by default: the storefront client reads "osessionid" (docs/storefront.md).
    SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME", "osessionid")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=_env_int("SESSION_ABSOLUTE_HOURS", 12))
    # How often an unchanged session has its idle expiry pushed forward (a write).
    SESSION_TOUCH_INTERVAL = timedelta(seconds=60)

    # CSRF as Django checks it (portal.security, docs/storefront.md): the token sent in
    # the header or form field must equal the csrftoken cookie, a random value not
    # tied to the session.
    CSRF_COOKIE_NAME = "csrftoken"
    CSRF_COOKIE_AGE = 60 * 60 * 24 * 7 * 52  # a year, as Django's
    CSRF_HEADER_NAME = "X-CSRFToken"
    CSRF_FIELD_NAME = "csrf_token"  # the portal's forms; "csrfmiddlewaretoken" is accepted too
    # How long what was typed into a stale form (sent after logging out or in in another
    # tab, or with an expired CSRF cookie) is kept to fill the form in again (docs/browser.md).
    STALE_FORM_SECONDS = 15 * 60
    # Over HTTPS, other origins (scheme://host[:port]) whose pages may post to the portal,
    # e.g. the storefront's: comma-separated in the environment.
    CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

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
    # A customer's phone must be a mobile number of one of these regions (ISO 3166 codes,
    # comma-separated in the environment): codes go there, and SMS to other countries or
    # to premium-rate numbers cost money (issue 17).
    SMS_ALLOWED_REGIONS = tuple(
        code.strip().upper() for code in os.environ.get("SMS_ALLOWED_REGIONS", "TR").split(",") if code.strip()
    )
    # How the JSON API answers phones: "national" (the default region's numbers as its
    # shops write them, 05551112233; other countries' in E.164) or "e164". Both are
    # accepted as input either way (docs/storefront.md).
    API_PHONE_FORMAT = os.environ.get("API_PHONE_FORMAT", "national")

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
    # Attributes only customer service and the server set (portal.profile.protection), besides
    # every attribute a segment rule reads; comma-separated in the environment.
    PROTECTED_ATTRIBUTES = tuple(
        name.strip() for name in os.environ.get("PROTECTED_ATTRIBUTES", "customer_type").split(",") if name.strip()
    )
    PROFILE_ATTRIBUTE_VALUE_MAX_LENGTH = 255
    # The word customers read for "segment" (portal.segments.labels): unset → "Customer group"
    # through gettext; one word, or one per language as "en=Club,tr=Kulüp".
    SEGMENT_LABEL = _env_words(os.environ.get("SEGMENT_LABEL"))
    MEDIA_DIR = os.environ.get("MEDIA_DIR", str(BASE_DIR / "instance" / "media"))
    AVATAR_MAX_BYTES = 2 * 1024 * 1024
    AVATAR_MAX_SIDE = 4096
    KVKK_NOTICE_VERSION = os.environ.get("KVKK_NOTICE_VERSION", "1")
    # The legal texts (issue 20, docs/privacy.md): the privacy notice (aydınlatma metni) at
    # /legal/privacy-notice and the commercial electronic message consent text (one
    # partial, templates/legal/_consent_text.html). Each has a version and the date it
    # took effect (YYYY-MM-DD), shown on the text; the versions are stored with every
    # consent record and sign-up. Change the text in templates/legal/<language>/, then
    # raise its version and date here.
    KVKK_NOTICE_DATE = os.environ.get("KVKK_NOTICE_DATE", "2026-12-03")
    CONSENT_TEXT_VERSION = os.environ.get("CONSENT_TEXT_VERSION", "1")
    CONSENT_TEXT_DATE = os.environ.get("CONSENT_TEXT_DATE", "2026-12-03")
    # The data controller (veri sorumlusu) the notice names, and the sender the consent
    # text names (with SMS_BRAND, the brand). MERSIS: the 16-digit central registry
    # number; KEP (registered electronic mail) is optional and left out when unset.
    # The defaults are examples (EXAMPLE_DATA_CONTROLLER); production refuses them.
    DATA_CONTROLLER_NAME = os.environ.get("DATA_CONTROLLER_NAME", EXAMPLE_DATA_CONTROLLER["DATA_CONTROLLER_NAME"])
    DATA_CONTROLLER_ADDRESS = os.environ.get(
        "DATA_CONTROLLER_ADDRESS", EXAMPLE_DATA_CONTROLLER["DATA_CONTROLLER_ADDRESS"]
    )
    DATA_CONTROLLER_EMAIL = os.environ.get("DATA_CONTROLLER_EMAIL", EXAMPLE_DATA_CONTROLLER["DATA_CONTROLLER_EMAIL"])
    DATA_CONTROLLER_MERSIS = os.environ.get("DATA_CONTROLLER_MERSIS", EXAMPLE_DATA_CONTROLLER["DATA_CONTROLLER_MERSIS"])
    DATA_CONTROLLER_KEP = os.environ.get("DATA_CONTROLLER_KEP", "")
    # Recipients abroad (KVKK art. 9), semicolon-separated, e.g. "Example Cloud Ltd. (Ireland):
    # hosting". Empty (the default): the notice says no personal data is transferred abroad.
    DATA_TRANSFERS_ABROAD = tuple(
        item.strip() for item in os.environ.get("DATA_TRANSFERS_ABROAD", "").split(";") if item.strip()
    )

    # One-time SMS codes (portal.otp). Times in seconds. Every SMS costs money,
    # hence the send caps; wrong codes are limited per code and per hour.
    OTP_CODE_LIFETIME = _env_int("OTP_CODE_LIFETIME", 180)  # refused above 600 (10 minutes)
    OTP_MAX_WRONG_PER_CODE = 5  # wrong tries that kill a code
    OTP_MAX_FAILURES_PER_HOUR = 10  # wrong codes per user (or phone) and purpose; a resend does not reset it
    OTP_RESEND_COOLDOWN = 60
    OTP_SENDS_PER_PHONE_HOUR = 5
    OTP_SENDS_PER_PHONE_DAY = 10
    OTP_SENDS_PER_ADDRESS_HOUR = 100  # many customers share one address behind mobile carriers
    # Phone changes per account in 24 hours (each sends SMS: a code, a notice to the old number).
    PHONE_CHANGES_PER_ACCOUNT_DAY = _env_int("PHONE_CHANGES_PER_ACCOUNT_DAY", 3)
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

    # İYS, the consent register (portal.iys, docs/iys.md). Off while IYS_URL is empty.
    # Credentials come from the environment only; they are never stored nor logged.
    IYS_URL = os.environ.get("IYS_URL", "")
    IYS_CODE = os.environ.get("IYS_CODE", "")  # the sender's İYS number (iysCode)
    IYS_BRAND_CODE = os.environ.get("IYS_BRAND_CODE", "")  # the brand's code (brandCode)
    IYS_USERNAME = os.environ.get("IYS_USERNAME", "")
    IYS_PASSWORD = os.environ.get("IYS_PASSWORD", "")
    IYS_CONNECT_TIMEOUT = float(os.environ.get("IYS_CONNECT_TIMEOUT", "3.05"))
    IYS_READ_TIMEOUT = float(os.environ.get("IYS_READ_TIMEOUT", "10"))
    # `flask iys push`: records claimed a transaction; a failed push waits
    # IYS_RETRY_BASE_SECONDS * 2^(attempts-1), at most IYS_RETRY_MAX_SECONDS.
    IYS_PUSH_BATCH_SIZE = _env_int("IYS_PUSH_BATCH_SIZE", 100)
    IYS_RETRY_BASE_SECONDS = _env_int("IYS_RETRY_BASE_SECONDS", 60)
    IYS_RETRY_MAX_SECONDS = _env_int("IYS_RETRY_MAX_SECONDS", 6 * 3600)
    # `flask iys pull`: changes asked for a request.
    IYS_PULL_PAGE_SIZE = _env_int("IYS_PULL_PAGE_SIZE", 500)

    # Input limits (portal.inputs): JSON nested deeper than this is refused with a 400.
    JSON_MAX_DEPTH = _env_int("JSON_MAX_DEPTH", 32)
    # Periodic commands (docs/scale.md): rows deleted a transaction, and how long
    # records no rule reads any more are kept. Codes and failed checks: at least an
    # hour (the hourly wrong-code limit reads them); SMS records: at least a day
    # (the daily send cap reads them), longer as the account of what was sent.
    CLEANUP_BATCH_SIZE = _env_int("CLEANUP_BATCH_SIZE", 5000)
    OTP_CODE_RETENTION_HOURS = _env_int("OTP_CODE_RETENTION_HOURS", 24)
    SMS_RETENTION_DAYS = _env_int("SMS_RETENTION_DAYS", 30)
    # Email (portal.mail, docs/email.md). MAIL_BACKEND "outbox" stores messages for
    # /_dev/mail (development and tests; production refuses it); "smtp" sends them.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "outbox")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)  # STARTTLS after connecting
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)  # TLS from the start (port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Portal <no-reply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # Password reset links work this many seconds (and die at once when the password changes).
    PASSWORD_RESET_TIMEOUT = _env_int("PASSWORD_RESET_TIMEOUT", 3600)
    # Reset requests per email address and per client address (every request counts).
    PASSWORD_RESET_PER_EMAIL = os.environ.get("PASSWORD_RESET_PER_EMAIL", "3 per hour")
    PASSWORD_RESET_PER_ADDRESS = os.environ.get("PASSWORD_RESET_PER_ADDRESS", "20 per hour")
    # Links that confirm a new email address (change or sign-up) work this many seconds.
    EMAIL_CONFIRMATION_TIMEOUT = _env_int("EMAIL_CONFIRMATION_TIMEOUT", 3 * 24 * 3600)
    # "optional": a new account works at once and offers to confirm its address;
    # "mandatory": no login until the address is confirmed.
    EMAIL_VERIFICATION = os.environ.get("EMAIL_VERIFICATION", "optional")
    # On: every sign-up waits for the SMS code sent to its phone. Off: a sign-up without a
    # loyalty card is created at once, its phone stored unconfirmed (docs/signup.md).
    PHONE_VERIFICATION = _env_bool("PHONE_VERIFICATION", True)

    SEND_FILE_MAX_AGE_DEFAULT = timedelta(hours=1)
    SEND_FILE_MAX_AGE_DEFAULT = timedelta(hours=1)  # static files asked for without their version
    # Static URLs carry their content hash (?v=…, portal/static_files.py): the browser may
    # keep such a file this many seconds, since a changed file gets a new URL.
    STATIC_VERSIONED = True
    STATIC_VERSIONED_MAX_AGE = 365 * 24 * 3600
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    HSTS = False


class DevelopmentConfig(Config):
    NAME = "development"
    DEV_PAGES = True
    TEMPLATES_AUTO_RELOAD = True
    # CSS and JS edits show on reload: no version in the URL, and the browser asks again every time.
    STATIC_VERSIONED = False
    SEND_FILE_MAX_AGE_DEFAULT = 0
    # The İYS simulator `make run` starts (python -m iys_sim); the environment wins.
    IYS_URL = os.environ.get("IYS_URL", f"http://127.0.0.1:{_env_int('IYS_SIM_PORT', 5002)}")
    IYS_CODE = os.environ.get("IYS_CODE", "600000")
    IYS_BRAND_CODE = os.environ.get("IYS_BRAND_CODE", "600001")
    IYS_USERNAME = os.environ.get("IYS_USERNAME", "sim-user")
    IYS_PASSWORD = os.environ.get("IYS_PASSWORD", "sim-password")  # noqa: S105 - the simulator's


class TestingConfig(Config):
    NAME = "testing"
    TESTING = True
    DEV_PAGES = True
    SECRET_KEY = "testing-not-secret"  # noqa: S105 - tests only; production refuses it
    SMS_BACKEND = "outbox"
    MAIL_BACKEND = "outbox"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")
    STAFF_REQUIRE_2FA = False  # tests that need it set it with @pytest.mark.config
    # The feature suites compare phones with what they stored; tests/storefront runs the
    # default ("national") as a storefront sees it.
    API_PHONE_FORMAT = "e164"


class ProductionConfig(Config):
    NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    HSTS = True
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "http")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
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
        """Refuse to start with development settings or the example data controller."""
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
        if config.get("MAIL_BACKEND") == "outbox":
            problems.append("MAIL_BACKEND=outbox is for development only")
        if config.get("EMAIL_VERIFICATION") not in ("optional", "mandatory"):
            problems.append("EMAIL_VERIFICATION must be optional or mandatory")
        if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
            problems.append(
                "rate-limit counters in process memory (RATELIMIT_STORAGE_URI=memory://) would be counted "
                "per worker: set REDIS_URL (or RATELIMIT_STORAGE_URI to another shared store)"
            )
        if config.get("IYS_URL"):
            missing = [k for k in ("IYS_CODE", "IYS_BRAND_CODE", "IYS_USERNAME", "IYS_PASSWORD") if not config.get(k)]
            if missing:
                problems.append("İYS sync is on (IYS_URL) but these are empty: " + ", ".join(missing))
            if not str(config["IYS_URL"]).startswith("https://"):
                problems.append("IYS_URL must be https:// (the İYS password and tokens travel over it)")
        problems.extend(_data_controller_problems(config))
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


def _data_controller_problems(config: dict) -> list[str]:
    """What is wrong with the shop's legal identity (the privacy notice's data controller)."""
    # Compared loosely, by the portal's one folding function (case, Turkish letters, accents
    # and spaces do not count); imported here because the portal package imports this module.
    from portal.search_text import fold

    problems = []
    unset = [
        key
        for key, example in EXAMPLE_DATA_CONTROLLER.items()
        if not str(config.get(key) or "").strip() or fold(str(config[key])) == fold(example)
    ]
    if unset:
        problems.append(
            "the data controller the privacy notice names is missing or the shipped example: set "
            + ", ".join(unset)
            + " to the shop's own legal identity (docs/privacy.md)"
        )
    mersis = str(config.get("DATA_CONTROLLER_MERSIS") or "").strip()
    if "DATA_CONTROLLER_MERSIS" not in unset and not (len(mersis) == 16 and mersis.isascii() and mersis.isdigit()):
        problems.append("DATA_CONTROLLER_MERSIS must be the 16-digit MERSIS number")
    return problems


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
