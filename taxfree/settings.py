"""All settings, from the environment (django-environ). See README "Configuration"."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.utils.translation import gettext_lazy as _

from taxfree.devkeys import DEV_SECRET, dev_fernet_key

# Django's generic classes subscriptable at run time (`ModelAdmin[Sale]`, `QuerySet[Sale]`), as the
# type checker sees them (mypy --strict, django-stubs).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# Required when DEBUG is off: a missing variable stops the start-up with a clear error, and the
# deployment check refuses the development keys (public: derived from DEV_SECRET).
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else environ.Env.NOTSET)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])


# Fernet keys for fields encrypted at rest; the first encrypts, all decrypt (rotation:
# prepend a new key, run `manage.py rotate_field_keys`, then drop the old one).
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=[dev_fernet_key("fields")] if DEBUG else environ.Env.NOTSET
)
# Key for the searchable HMAC of passport numbers (blind index); not rotated with the above.
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default=dev_fernet_key("hash") if DEBUG else environ.Env.NOTSET)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "taxfree.axes_app.AxesConfig",  # django-axes, named for the office
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_email",
    "csp",
    "taxfree",
    "stores",
    "sales",
    "transmission",
]

MIDDLEWARE = [
    "taxfree.request_ids.RequestId",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "taxfree.otp.RequireSecondFactor",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "taxfree.headers.PermissionsPolicy",
]

ROOT_URLCONF = "taxfree.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
WSGI_APPLICATION = "taxfree.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A connection is kept between requests (opening one costs ~7 ms on PostgreSQL) and checked before
# reuse, so a restarted database never gives a request a dead connection.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server: psycopg then prepares a statement it has run five times on
    # a connection, and PostgreSQL stops parsing and planning the same queries on every request.
    # Off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
    # before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
        "DB_SERVER_SIDE_BINDING", default=True
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process, the worker and the sweeper share the file. WAL lets readers go on while one
    # writes; IMMEDIATE takes the write lock when a transaction starts, so that two writers queue
    # (busy timeout) instead of one failing with "database is locked" when it upgrades a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests run on a file like production does (WAL, busy timeout), not in shared-cache memory.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"taxfree-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Repeated failed logins lock the account and, separately, the address (django-axes); an officer
# unlocks them in the admin, or they unlock by themselves after the cool-off.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Sessions end after this much idle time (every request moves the end); a password change ends
# the user's other sessions (Django's session hash).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
# Compliance officers and superusers reach passports and private keys: a TOTP second factor,
# required whenever DEBUG is off unless this says otherwise.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
OTP_URL = "/accounts/otp/"
OTP_TOTP_ISSUER = "taxfree"
# Enrolling an authenticator needs an e-mailed one-time code (valid this long, this many tries) or
# a one-time link another officer issues (valid this many hours): taxfree/enrolment.py.
OTP_EMAIL_TOKEN_VALIDITY = env.int("OTP_ENROLMENT_CODE_MINUTES", default=10) * 60
OTP_EMAIL_COOLDOWN_DURATION = 60
OTP_ENROLMENT_CODE_ATTEMPTS = env.int("OTP_ENROLMENT_CODE_ATTEMPTS", default=5)
OTP_ENROLMENT_LINK_HOURS = env.int("OTP_ENROLMENT_LINK_HOURS", default=24)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
if not DEBUG:
    # Production serves the static files from the app server itself (WhiteNoise: compressed, cached
    # for ever under their hashed names); development lets runserver do it.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
# Filing attachments: kept outside any served directory, downloaded through a permission check.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "taxfree.tokens.TokenAuthentication",  # first: a refused token answers 401 with WWW-Authenticate
        "taxfree.otp.VerifiedSessionAuthentication",  # refuses a session that owes its second factor
    ],
    # Rates no busy till reaches (a sale takes a few requests a minute) that stop a runaway script.
    "DEFAULT_THROTTLE_CLASSES": [
        "taxfree.throttling.TokenRateThrottle",
        "taxfree.throttling.UserRateThrottle",
        "taxfree.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_RATE_TOKEN", default="300/min"),
        "user": env("API_RATE_USER", default="600/min"),
        "anon": env("API_RATE_ANON", default="30/min"),
        # Refused tokens per client address; then 429 (a valid token is never refused by it).
        "token_failure": env("API_RATE_TOKEN_FAILURES", default="10/min"),
    },
    # The client's address is the connection's (as the login lock's); behind N proxies that append
    # X-Forwarded-For, set N: otherwise a client could name any address it likes.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "taxfree.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "taxfree.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "taxfree API",
    "DESCRIPTION": "Eligibility and sales for Japanese tax-free shops (輸出物品販売場).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs come from the package's own files (no CDN; CSP allows only 'self').
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DocumentTypeEnum": "sales.choices.DocumentType",
        "MrzDocumentTypeEnum": ["TD1", "TD2", "TD3", "MRV-A", "MRV-B"],
        "CustomerLanguageEnum": "sales.choices.CUSTOMER_LANGUAGE_CODES",
        "ItemCategoryEnum": "sales.choices.Category",
        "LiquorCategoryEnum": "sales.choices.LiquorCategory",
    },
}

REDIS_URL = env("REDIS_URL", default="")
# The cache counts API requests for throttling: shared through Redis when there is one.
CACHES = {
    "default": {"BACKEND": "taxfree.cache.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
Q_CLUSTER = {
    "name": "taxfree",
    "workers": env.int("Q_WORKERS", default=2),
    # Tasks are kicks: the timeout stays below the retry so a slow task is never run twice at once.
    "timeout": 60,
    "retry": 90,
    "max_attempts": 1,
    "catch_up": False,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="taxfree@localhost")
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=20.0)  # a mail server that hangs holds no worker for long
# Passport captures: the image is read and dropped unless kept (encrypted) for this many days.
CAPTURE_KEEP_DAYS = env.int("CAPTURE_KEEP_DAYS", default=0)
CAPTURE_MAX_BYTES = env.int("CAPTURE_MAX_BYTES", default=12 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = CAPTURE_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")  # links in reminder e-mails and traveller links
# Notices to travellers (taxfree.notices): a mail server that is down is tried again after 1 min,
# 2 min, 4 min … up to NOTICE_RETRY_MAX seconds; a claim holds for NOTICE_LEASE_SECONDS.
NOTICE_RETRY_FIRST = env.float("NOTICE_RETRY_FIRST", default=60.0)
NOTICE_RETRY_MAX = env.float("NOTICE_RETRY_MAX", default=3600.0)
NOTICE_LEASE_SECONDS = env.float("NOTICE_LEASE_SECONDS", default=120.0)

# The NTA's 免税販売管理システム. Development and tests talk to the local sandbox
# (`manage.py nta_sandbox`); the NTA's test environment and production are configuration only.
NTA_SANDBOX_DIR = Path(env("NTA_SANDBOX_DIR", default=str(BASE_DIR / "var" / "sandbox")))
# The sandbox's ports (`make run`, `manage.py nta_sandbox`); the addresses every command uses follow
# them unless given: a second instance on other ports never reaches the first one's sandbox.
SANDBOX_PORT = env.int("SANDBOX_PORT", default=8443)
SANDBOX_CONTROL_PORT = env.int("SANDBOX_CONTROL_PORT", default=8444)
NTA_API_URL = env("NTA_API_URL", default=f"https://127.0.0.1:{SANDBOX_PORT}")
NTA_CA_BUNDLE = env("NTA_CA_BUNDLE", default=str(NTA_SANDBOX_DIR / "ca-cert.pem"))
NTA_SANDBOX_CONTROL_URL = env("NTA_SANDBOX_CONTROL_URL", default=f"http://127.0.0.1:{SANDBOX_CONTROL_PORT}")
NTA_CONNECT_TIMEOUT = env.float("NTA_CONNECT_TIMEOUT", default=5.0)
NTA_READ_TIMEOUT = env.float("NTA_READ_TIMEOUT", default=10.0)
# Unanswered sends back off from 15 s to 15 min (docs/rules.md §5); a claim holds for 60 s.
TRANSMISSION_BACKOFF_FIRST = env.float("TRANSMISSION_BACKOFF_FIRST", default=15.0)
TRANSMISSION_BACKOFF_MAX = env.float("TRANSMISSION_BACKOFF_MAX", default=900.0)
TRANSMISSION_LEASE_SECONDS = env.float("TRANSMISSION_LEASE_SECONDS", default=60.0)
# Records still unsent this many minutes after the sale raise a reminder ("without delay").
RECORD_OVERDUE_MINUTES = env.int("RECORD_OVERDUE_MINUTES", default=10)
# Incremental sync (GET /api/v1/sales/?updated_after=): changes younger than this are not listed yet, so a
# transaction still in flight (its updated_at taken before its commit) is never paged past. Longer than
# the longest write transaction (a sale takes well under a second).
SYNC_SETTLE_SECONDS = env.float("SYNC_SETTLE_SECONDS", default=5.0)
# Webhooks: the wait after each failed attempt (Standard Webhooks' suggested schedule; after the last,
# twice the last, until 3 days have passed) and how long a partner's endpoint may take to answer.
WEBHOOK_BACKOFF_SECONDS = env.list("WEBHOOK_BACKOFF_SECONDS", cast=float, default=[5, 300, 1800, 7200, 18000])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Customs confirmations (docs/rules.md §4): pulled every CUSTOMS_PULL_MINUTES by period from a
# watermark less an overlap (a confirmation registered late is still seen); records within
# CUSTOMS_NEAR_DEADLINE_DAYS of their last day are also asked for one by one; a record whose last
# day has passed expires after a final query, or CUSTOMS_EXPIRY_GRACE_DAYS later at the latest.
CUSTOMS_PULL_MINUTES = env.int("CUSTOMS_PULL_MINUTES", default=30)
CUSTOMS_PULL_OVERLAP_HOURS = env.float("CUSTOMS_PULL_OVERLAP_HOURS", default=48.0)
CUSTOMS_NEAR_DEADLINE_DAYS = env.int("CUSTOMS_NEAR_DEADLINE_DAYS", default=3)
CUSTOMS_EXPIRY_GRACE_DAYS = env.int("CUSTOMS_EXPIRY_GRACE_DAYS", default=3)
CUSTOMS_RECORD_QUERIES_PER_PULL = env.int("CUSTOMS_RECORD_QUERIES_PER_PULL", default=300)
# Reminders: confirmed refunds still unpaid after this many days; records this close to their last day.
REFUND_UNPAID_REMIND_DAYS = env.int("REFUND_UNPAID_REMIND_DAYS", default=7)
CUSTOMS_EXPIRING_REMIND_DAYS = env.int("CUSTOMS_EXPIRING_REMIND_DAYS", default=7)
# Paying refunds to travellers abroad (sales/refunds/payouts): the fee of each route in yen and who
# bears it (shop or customer: then it is taken off what is paid), the card provider (Stripe's API or
# the local stand-in `manage.py payments_sandbox`), and how long payout details are kept after payment.
PAYOUT_FEES = env.dict("PAYOUT_FEES", cast={"value": int}, default={"bank_transfer": 0, "paypal": 0, "card": 0})
PAYOUT_FEE_BORNE_BY = env("PAYOUT_FEE_BORNE_BY", default="shop")
STRIPE_API_KEY = env("STRIPE_API_KEY", default="sk_test_local_stand_in" if DEBUG else "")
# The card provider's local stand-in (manage.py payments_sandbox), started by make run beside the NTA sandbox.
PAYMENTS_SANDBOX_PORT = env.int("PAYMENTS_SANDBOX_PORT", default=8445)
STRIPE_API_BASE = env(
    "STRIPE_API_BASE", default=f"http://127.0.0.1:{PAYMENTS_SANDBOX_PORT}" if DEBUG else "https://api.stripe.com"
)
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=20.0)
PAYOUT_PAIN001_VERSION = env("PAYOUT_PAIN001_VERSION", default="001.001.09")
PAYOUT_DETAILS_KEEP_DAYS = env.int("PAYOUT_DETAILS_KEEP_DAYS", default=180)
PAYOUT_CHOOSE_REMIND_DAYS = env.list("PAYOUT_CHOOSE_REMIND_DAYS", cast=int, default=[7, 30])
# The traveller's page: its links are signed with this key (SECRET_KEY when unset) and their own salt;
# requests are counted per link and per address (a minute's window).
TRAVELLER_LINK_KEY = env("TRAVELLER_LINK_KEY", default="")
TRAVELLER_RATE_LINK = env.int("TRAVELLER_RATE_LINK", default=60)
TRAVELLER_RATE_ADDRESS = env.int("TRAVELLER_RATE_ADDRESS", default=120)
TRAVELLER_RATE_CHANGES = env.int("TRAVELLER_RATE_CHANGES", default=10)
# Exports of more rows than this are written by a worker while the page shows the progress.
EXPORT_INLINE_ROWS = env.int("EXPORT_INLINE_ROWS", default=100_000)
# The inspector's file (sales/inspector): the PDF summary lists the life of this many records in
# full (the first of the period); the CSVs hold every one.
INSPECTOR_PDF_RECORDS = env.int("INSPECTOR_PDF_RECORDS", default=200)

# Production hardening; `manage.py check --deploy` is clean with DEBUG off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No inline script or style anywhere (django-csp); images of captures are shown from blob: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors": {"()": "taxfree.logs.ClientErrorsWithoutTraceback"},
        "request_id": {"()": "taxfree.request_ids.RequestIdFilter"},
        "secrets": {"()": "taxfree.logs.SecretsOutOfPaths"},
    },
    # Each line names its request (X-Request-ID; "-" outside requests): a server error's answer gives the same id.
    "formatters": {
        "plain": {"format": "%(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    # A traveller's link in a path is a credential: no line carries it (taxfree.logs).
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_errors", "request_id", "secrets"],
            "formatter": "plain",
        },
        "server": {"class": "logging.StreamHandler", "filters": ["secrets"], "formatter": "server"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every step of every document at INFO; its warnings (a missing glyph) stay.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # runserver's access lines (Django's own handler for them, with the secrets filter added).
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
