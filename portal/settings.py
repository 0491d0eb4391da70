"""Settings for the performance portal.

Everything comes from environment variables; every default is safe for a laptop
(SQLite in the project folder, Celery tasks run in-process, DEBUG on). Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.storage import artifact_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --------------------------------------------------------------------------- core
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env_bool("DEBUG", True)

# The development key is public (it is in this file), so it must never sign a
# production session: refuse to start with it when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key and DEBUG is off: set SECRET_KEY to a long random "
        "value before running in production."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "portal",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "glossary",
    "kpis",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.request_log.RequestLogMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Outside everything below, so it also sees the two-factor redirects and lockout pages.
    "portal.caching.SignedInResponsesAreNotStoredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.csp.PortalCSPMiddleware",
    "portal.two_factor.TwoFactorMiddleware",
    # django-axes: last, so it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site",
            ],
        },
    },
]

# --------------------------------------------------------------------------- database
# https://github.com/jazzband/dj-database-url
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --------------------------------------------------------------------------- users
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# django-axes first: it refuses a locked-out account or address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --------------------------------------------------------------------------- sign-in
# django-axes: https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Two separate rules: LOGIN_FAILURE_LIMIT failures for one username (from anywhere), or
# from one address (whatever the usernames), pause sign-in for LOGIN_LOCKOUT_MINUTES
# after the last failure, even with the right password. A superuser unlocks early in
# the admin (Axes -> Access attempts). Attempts are kept in the database.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "portal.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.signin.client_ip"
# Behind a load balancer, REMOTE_ADDR is the balancer: PROXY_COUNT says how many proxies
# append to X-Forwarded-For, so the address they saw is used instead.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
# Password reset requests per hour: from one address, and for one email address.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10"))
PASSWORD_RESET_LIMIT_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_EMAIL", "3"))
PASSWORD_RESET_WINDOW_SECONDS = 3600
# Two-factor authentication (django-otp, TOTP with recovery codes): required for staff,
# Editors, Reviewers and superusers unless DEBUG is on (the demo's printed passwords).
REQUIRE_STAFF_2FA = env_bool("REQUIRE_STAFF_2FA", not DEBUG)

# --------------------------------------------------------------------------- i18n
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

# --------------------------------------------------------------------------- files
# https://docs.djangoproject.com/en/5.2/ref/settings/#static-files
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Chart.js and axe-core come from npm (package-lock.json pins them).
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# Report artifacts (PDF, frozen HTML) are private: they are written through the storage
# API and only ever served by views that check the reader's rights, so MEDIA_URL is
# deliberately not routed anywhere. They live in MEDIA_ROOT, or in an S3-compatible bucket
# when STORAGE_URL or AWS_STORAGE_BUCKET_NAME names one (portal/storage.py).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/private-media/"
STORAGES = {
    "default": artifact_storage(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --------------------------------------------------------------------------- Celery
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker the tasks run in-process, so `make demo` needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A task is acknowledged only when it has finished, so a worker that dies mid-render
# leaves it on the queue for another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Longer than the longest task, or Redis would hand a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# If Redis is down when a reviewer approves, fail fast (the approval stands and the
# periodic sweep enqueues the render later) rather than hang the reviewer's request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that grows beyond this is replaced after its current task (kB).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("WORKER_MAX_MEMORY_KB", "400000"))
CELERY_BEAT_SCHEDULE = {
    "sweep-unrendered-publications": {
        "task": "reports.tasks.publication_sweep",
        "schedule": 300.0,
    },
    "sweep-pending-import-uploads": {
        "task": "portal.tasks.pending_uploads_sweep",
        "schedule": 900.0,
    },
}

# --------------------------------------------------------------------------- cache
# Shared through Redis when there is one, so the password reset limits hold across
# processes and machines; otherwise in process memory.
# `reader`: what the reader site remembers (reports.reader_cache): stored bodies, pages for
# anonymous readers, chart data and figures files, keyed by checksum or version, so every
# web server shares them. Apart from `default` so its size is bounded on its own: in
# memory, the least recently used entries go first; in Redis, entries expire after a day
# unused or not (and Redis's own eviction policy applies).
READER_CACHE_TIMEOUT = 24 * 3600
READER_CACHE_MAX_ENTRIES = 500  # in memory: about 40 MB at most (pages are 64 KB + gzip)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "reader": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal-reader",
            "TIMEOUT": READER_CACHE_TIMEOUT,
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "reader",
            "TIMEOUT": READER_CACHE_TIMEOUT,
            "OPTIONS": {"MAX_ENTRIES": READER_CACHE_MAX_ENTRIES},
        }
    ),
}

# --------------------------------------------------------------------------- email
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "performance-portal@localhost")

# --------------------------------------------------------------------------- security
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# /healthz is probed by load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# django-csp 4: https://django-csp.readthedocs.io/en/latest/configuration.html
# No 'unsafe-inline' anywhere on the reader site: scripts and styles are static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --------------------------------------------------------------------------- portal
PORTAL_NAME = os.environ.get("PORTAL_NAME", "Police and Crime Panel performance reports")
# The portal's own address, for links in emails (there is no request to take it from).
PORTAL_URL = os.environ.get(
    "PORTAL_URL",
    "http://127.0.0.1:8000" if DEBUG or not ALLOWED_HOSTS else f"https://{ALLOWED_HOSTS[0]}",
).rstrip("/")
# Spreadsheet imports: refuse files and sheets beyond these sizes before parsing.
IMPORT_MAX_FILE_BYTES = int(os.environ.get("IMPORT_MAX_FILE_BYTES", str(50 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "400000"))
# National files (Home Office recorded crime tables, police.uk archives) fetched by
# `manage.py fetch_national_data URL` and, when NATIONAL_DATA_URLS is set (addresses
# separated by spaces), by Celery beat on NATIONAL_DATA_SCHEDULE (a crontab line
# "minute hour day-of-month month day-of-week", default 04:30 on the 1st of each month).
NATIONAL_DATA_URLS = os.environ.get("NATIONAL_DATA_URLS", "").split()
NATIONAL_DATA_SCHEDULE = os.environ.get("NATIONAL_DATA_SCHEDULE", "30 4 1 * *")
NATIONAL_DATA_MAX_BYTES = int(os.environ.get("NATIONAL_DATA_MAX_BYTES", str(200 * 1024 * 1024)))
NATIONAL_DATA_TIMEOUT_SECONDS = float(os.environ.get("NATIONAL_DATA_TIMEOUT_SECONDS", "300"))
if NATIONAL_DATA_URLS:
    from celery.schedules import crontab

    if len(NATIONAL_DATA_SCHEDULE.split()) != 5:
        raise ImproperlyConfigured(
            "NATIONAL_DATA_SCHEDULE is a crontab line of five fields, minute hour day-of-month month "
            f"day-of-week (e.g. '30 4 1 * *'), not '{NATIONAL_DATA_SCHEDULE}'."
        )
    _minute, _hour, _day, _month, _weekday = NATIONAL_DATA_SCHEDULE.split()
    CELERY_BEAT_SCHEDULE["fetch-national-data"] = {
        "task": "kpis.tasks.fetch_national_data_all",
        "schedule": crontab(
            minute=_minute, hour=_hour, day_of_month=_day, month_of_year=_month, day_of_week=_weekday
        ),
    }
# A workbook read whole (national tables: 12 yearly sheets of ~25,000 rows; a police.uk
# archive of one force over three years: ~400,000 rows in 36 monthly CSV files).
IMPORT_MAX_WORKBOOK_ROWS = int(os.environ.get("IMPORT_MAX_WORKBOOK_ROWS", "600000"))
# A renderer that grows beyond this is stopped (bytes of address space).
RENDER_MEMORY_LIMIT_BYTES = int(os.environ.get("RENDER_MEMORY_LIMIT_BYTES", str(1536 * 1024**2)))

# The name an authenticator app shows beside the code.
OTP_TOTP_ISSUER = PORTAL_NAME

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Every import and export screen asks portal/spreadsheet_safety.py instead (import: add and
# change; export: view); these codes are only import-export's fallback.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# A previewed upload waits in the default storage (the shared folder or the bucket), not in
# one machine's temporary folder, so the confirm may reach any web machine; the admin
# mixin files it under spreadsheet_safety.PENDING_DIR, where the sweep removes stale ones.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
# import-export's own formula escape only drops a leading '=' (data loss, and +, -, @ left
# live): exports are neutralised by spreadsheet_safety.FormulaSafeResourceMixin instead.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# One line per event on standard error, for the process manager or container runtime to
# collect: the web process logs each request (portal.requests) and each status change
# (reports.workflow); workers log each render with its report, version and outcome.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # portal.requests already logs every request, with its user.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Failed sign-ins and lockouts are warnings; every successful one is not news.
        "axes": {"level": "WARNING"},
    },
}
