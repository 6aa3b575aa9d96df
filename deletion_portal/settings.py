"""Settings for the deletion portal, read from the environment (see README "Configuration").

Two profiles: ``development`` (the default: SQLite and an embedded Celery broker under ``var/``, so
``make run`` needs nothing installed) and ``production`` (DEBUG off, secure cookies, HSTS, CSP, a
required SECRET_KEY and ALLOWED_HOSTS). A bad value stops start-up with a clear message.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from deletion_portal.env import env_bool, env_choice, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

PROFILE = env_choice("PORTAL_PROFILE", "development", ("development", "production"))
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when PORTAL_PROFILE=production.")

SECRET_KEY = env_str("SECRET_KEY")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters when "
        "PORTAL_PROFILE=production (python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
if not SECRET_KEY:
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production-" + "x" * 16

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names when PORTAL_PROFILE=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# `make run` serves on PORT (default 8000); SITE_URL follows it unless it is set (links in emails, feeds).
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
SITE_URL = env_url("SITE_URL", f"http://127.0.0.1:{PORT}", schemes=("http", "https"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "deletion_portal.core",
    "deletion_portal.accounts",
    "deletion_portal.laws",
    "deletion_portal.employers",
    "deletion_portal.cases",
    "deletion_portal.tracking",
    "deletion_portal.dpo",
    "deletion_portal.advocacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: no-store on every response to a signed-in user and on the private namespaces.
    "deletion_portal.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface's language: the language switcher's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp marks request.user verified when the session holds a confirmed device; then our gate lets a
    # DPO or advocate account without a confirmed second factor in this session see only the 2FA pages.
    "django_otp.middleware.OTPMiddleware",
    "deletion_portal.accounts.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files from STATIC_ROOT (collectstatic); in development runserver serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "deletion_portal.urls"
WSGI_APPLICATION = "deletion_portal.wsgi.application"

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
    {
        # Plain-text emails (tracking reminders): rendered without HTML autoescaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database: SQLite by default, DATABASE_URL for PostgreSQL -------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))}
else:
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)  # the default SQLite file lives here
    except OSError:
        pass  # `manage.py check_system` explains what is wrong with the folder
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            # WAL: readers never wait for the writer; IMMEDIATE: a write transaction takes the lock when it
            # begins (never a failed upgrade mid-transaction); timeout: a writer waits up to
            # SQLITE_BUSY_TIMEOUT seconds for the lock instead of failing with "database is locked".
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis / Celery ---------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, CELERY_TASK_TIME_LIMIT - 10)
CELERY_TIMEZONE = "UTC"
# A down broker must cost the web request about a second, not hang it: a refused connection is
# retried once, a silent one gives up after CELERY_BROKER_CONNECTION_TIMEOUT. The outbox row is
# already committed; the sweep re-enqueues it once the broker is back (core.outbox).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# A worker started while the broker is down waits for it instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task whose worker was killed stays unacked in Redis until visibility_timeout (1 h) has passed;
    # outbox rows do not wait for that: the sweep re-claims a row left "sending" after OUTBOX_STALE_SECONDS.
    # socket_timeout: a Redis that accepts the connection but never answers (failover, a dropped
    # NAT entry) fails a publish after 5 s instead of hanging the request; BRPOP replies every 1 s.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_timeout": 5, "socket_connect_timeout": 2}
else:
    # The embedded default: kombu's filesystem transport, shared by web, worker and beat.
    _broker_dir = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 300, minimum=5)
CASE_RETENTION_DAYS = env_int("CASE_RETENTION_DAYS", 365, minimum=1)
# Published statistics: no cell counts fewer than this many people (advocacy/disclosure.py); below 3 refused.
STATS_MIN_CELL = env_int("STATS_MIN_CELL", 5, minimum=3)
# How often beat recomputes the precomputed outcome counts the statistics read (advocacy/stats_store.py): a fifth
# of the sweep interval, so that an event shows within one sweep interval even with the time the refresh of its
# employer takes (≈ 11 s for the employer with 100,000 cases at 1,000,000; an idle refresh ≈ 0.01 s).
STATS_REFRESH_SECONDS = env_int("STATS_REFRESH_SECONDS", max(5, SWEEP_INTERVAL_SECONDS // 5), minimum=5)
HEARTBEAT_INTERVAL_SECONDS = env_int("HEARTBEAT_INTERVAL_SECONDS", 60, minimum=5)
# An outbox row left in "sending" this long (a worker died mid-send) may be claimed again by the sweep.
# Keep it well above the longest send (EMAIL_TIMEOUT, the task time limit); tests use a few seconds.
OUTBOX_STALE_SECONDS = env_int("OUTBOX_STALE_SECONDS", 600, minimum=1)
# A row still "queued" and never claimed this long after it was written (its task was lost: broker
# down when it was published, or a broker that lost its queue) is handed to a worker by the sweep.
OUTBOX_QUEUED_GRACE_SECONDS = env_int("OUTBOX_QUEUED_GRACE_SECONDS", 120, minimum=1)
# Delay before the first retry of a failed send; it doubles on every further failure (capped at 6 h).
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60, minimum=1)
# Webhooks (dpo/webhooks.py): HTTPS only; plain http to 127.0.0.1/localhost/[::1] only where this is on
# (by default with DEBUG, so a developer's and the tests' local receivers work; never in production).
WEBHOOK_ALLOW_LOCAL_HTTP = env_bool("WEBHOOK_ALLOW_LOCAL_HTTP", default=DEBUG)
if PRODUCTION and WEBHOOK_ALLOW_LOCAL_HTTP:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_LOCAL_HTTP must be off when PORTAL_PROFILE=production.")
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# How often beat hands due webhook retries (and deliveries a lost task left behind) to a worker.
WEBHOOK_SWEEP_INTERVAL_SECONDS = env_int("WEBHOOK_SWEEP_INTERVAL_SECONDS", 60, minimum=5)
# Bulk letters (advocacy/bulk.py): letters per task, and how long a claimed letter or a job without progress
# waits before another worker takes it over (a worker died). Keep it above a chunk's render time.
BULK_CHUNK = env_int("BULK_CHUNK", 20, minimum=1)
BULK_STALE_SECONDS = env_int("BULK_STALE_SECONDS", 300, minimum=1)
# A finished job's ZIP and merged PDF (copies of members' letters) are deleted this many days later.
BULK_FILES_DAYS = env_int("BULK_FILES_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.heartbeat", "schedule": timedelta(seconds=HEARTBEAT_INTERVAL_SECONDS)},
    "sweep-deadlines": {"task": "tracking.sweep", "schedule": timedelta(seconds=SWEEP_INTERVAL_SECONDS)},
    "purge-closed-cases": {"task": "tracking.purge_closed_cases", "schedule": timedelta(days=1)},
    # Each employer team's weekly digest (idempotent per team and ISO week: the outbox key).
    "dpo-weekly-digest": {"task": "dpo.weekly_digest", "schedule": timedelta(days=7)},
    "requeue-webhooks": {"task": "dpo.requeue_webhooks", "schedule": timedelta(seconds=WEBHOOK_SWEEP_INTERVAL_SECONDS)},
    "requeue-bulk-jobs": {"task": "advocacy.bulk_requeue_stale", "schedule": timedelta(seconds=max(5, BULK_STALE_SECONDS // 2))},
    "refresh-statistics": {"task": "advocacy.refresh_statistics", "schedule": timedelta(seconds=STATS_REFRESH_SECONDS),
                           # a refresh still queued when the next is due is dropped (the day's full one takes minutes)
                           "options": {"expires": STATS_REFRESH_SECONDS}},
}

# "default": per-process memos (the letter PDF cache). "shared": what every worker must count together
# (the API's anonymous throttle, rate limits: core/ratelimit.py) — Redis when configured, else Django's
# database cache (the portal_cache table, made by a core migration). Short socket timeouts: a Redis that is
# down costs a request milliseconds, and core/ratelimit.py degrades to a local count instead of a 500.
_REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                    "OPTIONS": _REDIS_CACHE_OPTIONS},
        "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                   "KEY_PREFIX": "shared", "OPTIONS": _REDIS_CACHE_OPTIONS},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache",
                   "OPTIONS": {"MAX_ENTRIES": 100000, "CULL_FREQUENCY": 4}},
    }

# --- Accounts, passwords, login throttling ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "laws:calculator"
LOGOUT_REDIRECT_URL = "laws:calculator"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The callable renders accounts/locked_out.html with HTTP 429 and the minutes until the next try.
AXES_LOCKOUT_CALLABLE = "deletion_portal.accounts.views.locked_out"
# --- Who is the client: one trusted-proxy rule (core/net.py) ------------------------------------
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (the shipped nginx: 1). With 0
# the header is ignored and REMOTE_ADDR is the client; never set it higher than the proxies you run, or a
# client can choose its own address. Axes (login lockout), DRF (NUM_PROXIES) and the rate limits all use it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
AXES_CLIENT_IP_CALLABLE = "deletion_portal.core.net.client_ip"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]

# --- Two-factor authentication (django-otp), mandatory for DPO and advocate accounts ---------------
OTP_TOTP_ISSUER = "Deletion portal"
OTP_TOTP_THROTTLE_FACTOR = 1  # a failed code doubles the wait before the next try (1 s, 2 s, 4 s …)
OTP_STATIC_THROTTLE_FACTOR = 1

# --- Mail: Django's own setting names; files under var/mail/ when no EMAIL_HOST ----------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Deletion portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- I18N, static -----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The interface's languages (letters keep their own language, chosen in the wizard). Compiled catalogues
# are committed under locale/ (make messages recompiles them).
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language (deletion_portal/core/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["deletion_portal.core.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads are checked by content and size in cases.uploads, not by a memory setting.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10, minimum=1, maximum=100) * 1024 * 1024
# Per case: all its uploads together, and how many files (cases.uploads.attachment_quota_check).
UPLOAD_CASE_QUOTA_BYTES = env_int("UPLOAD_CASE_QUOTA_MB", 50, minimum=1, maximum=10000) * 1024 * 1024
UPLOAD_CASE_MAX_FILES = env_int("UPLOAD_CASE_MAX_FILES", 50, minimum=1, maximum=10000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The portal's named, expiring, hashed tokens (accounts/api_tokens.py), refusing a 2FA-role account's
        # token while it has no confirmed device.
        "deletion_portal.accounts.twofactor.SecondFactorTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["deletion_portal.core.api.JSONParser", "rest_framework.parsers.FormParser"],
    "EXCEPTION_HANDLER": "deletion_portal.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_RATE", "120/minute")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Deletion portal API",
    "DESCRIPTION": "Laws, deadlines and (later) cases for employees' data-protection requests.",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: Swagger UI puts them as links inside each operation's button (nested interactive
    # controls, which screen readers cannot use; axe's nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # The schema documents JSON bodies and token authentication (the form parsers and the session stay for
    # the browser), and every operation's real error answers (core/api_schema.py).
    "PARSER_WHITELIST": ["deletion_portal.core.api.JSONParser"],
    "AUTHENTICATION_WHITELIST": ["deletion_portal.accounts.twofactor.SecondFactorTokenAuthentication"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "deletion_portal.core.api_schema.add_error_responses",
    ],
}

# API tokens (accounts/api_tokens.py): each expires this many days after it was made (0: never), and an
# account keeps at most API_TOKENS_PER_USER (the oldest go). Password change/reset and "Log out everywhere"
# revoke them all.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=0, maximum=3650)
API_TOKENS_PER_USER = env_int("API_TOKENS_PER_USER", 10, minimum=1, maximum=100)
# Account emails (sign-up, confirmation, reset; through the outbox): at most this many per address and hour.
ACCOUNT_MAILS_PER_HOUR = env_int("ACCOUNT_MAILS_PER_HOUR", 3, minimum=1)
# Letters by email (cases/sending.py): only from a confirmed address; at most this many per account and per
# recipient address in 24 hours.
MAIL_SENDS_PER_ACCOUNT_PER_DAY = env_int("MAIL_SENDS_PER_ACCOUNT_PER_DAY", 10, minimum=1)
MAIL_SENDS_PER_RECIPIENT_PER_DAY = env_int("MAIL_SENDS_PER_RECIPIENT_PER_DAY", 20, minimum=1)

# --- Security headers -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
}
