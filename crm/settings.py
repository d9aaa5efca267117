"""BookBack CRM settings, read from the environment.

Development is opt-in (DEBUG=true, set by the Makefile): it brings safe defaults
(SQLite, a file cache, a broker on a SQLite file, console email, fixed dev secrets).
Production is the default: every secret below must be set, or start-up fails loudly.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from crm.logs import build_logging
from crm.secret_checks import weak_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEV_DEFAULTS = {
    "SECRET_KEY": "dev-only-secret-key-never-use-in-production-0123456789abcdef",
    # 32 zero-padded bytes, base64: fine for demo data, useless for anything real.
    "FIELD_ENCRYPTION_KEY": "ZGV2LW9ubHktZmllbGQtZW5jcnlwdGlvbi1rZXktMzI=",
    "WEBHOOK_SECRET": "demo-secret",
}
PRODUCTION_REQUIRED = [
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "WEBHOOK_SECRET",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
]
if not DEBUG:
    present = {name for name in PRODUCTION_REQUIRED if env.str(name, default="")}
    if env.str("FIELD_ENCRYPTION_KEYS", default=""):
        present.add("FIELD_ENCRYPTION_KEY")  # the rotation list stands in for the single key
    missing = [name for name in PRODUCTION_REQUIRED if name not in present]
    if missing:
        raise ImproperlyConfigured(
            "Missing production settings: " + ", ".join(missing) + ". Set them in the "
            "environment, or set DEBUG=true for local development."
        )


def _secret(name: str) -> str:
    return env.str(name, default=DEV_DEFAULTS[name] if DEBUG else "")


SECRET_KEY = _secret("SECRET_KEY")
FIELD_ENCRYPTION_KEY = _secret("FIELD_ENCRYPTION_KEY")
# Key rotation (README → Configuration): newest first; the first encrypts, every one
# decrypts. When set it wins over FIELD_ENCRYPTION_KEY.
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in env.list("FIELD_ENCRYPTION_KEYS", default=[]) if key.strip()
]
WEBHOOK_SECRET = _secret("WEBHOOK_SECRET")
if not DEBUG:
    weak = weak_secrets(
        secret_key=SECRET_KEY,
        field_encryption_key=FIELD_ENCRYPTION_KEY,
        field_encryption_keys=FIELD_ENCRYPTION_KEYS,
        webhook_secret=WEBHOOK_SECRET,
        dev_defaults=DEV_DEFAULTS,
    )
    if weak:
        raise ImproperlyConfigured("Weak production secrets: " + " ".join(weak))
# Outbound webhooks (automations/webhooks): private, loopback and link-local targets are
# refused at save and at send unless this is true (development and tests only).
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
WEBHOOK_CONNECT_TIMEOUT = 5.0  # seconds; settings so a test can shrink them
WEBHOOK_TOTAL_TIMEOUT = 15.0
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
# AI Assistant: the Messages API host; None is the SDK's own default (tests point it at a fake).
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="") or None
GOOGLE_MAPS_API_KEY = env.str("GOOGLE_MAPS_API_KEY", default="")
# Server-only (ZIP geocoding); never rendered into a page. Falls back to the browser key.
GOOGLE_GEOCODING_API_KEY = env.str("GOOGLE_GEOCODING_API_KEY", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "crm",
    "crm.accounts",
    "crm.timeline",
    "crm.controlpanel",
    "crm.reports",
    "crm.assistant",
    "leads",
    "contractors",
    "jobs",
    "finance",
    "booking",
    "automations",
    "messaging",
    # After leads and jobs: its demo links tasks to their demo records (crm/demo.py).
    "crm.todos",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "crm.logs.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "crm.accounts.middleware.LiveScopeMiddleware",
]

# Widget templates may live in templates/ (e.g. widgets/multiselect_dropdown.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "crm.navigation.topbar",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'bookback.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Keep connections between requests (a new Postgres connection costs milliseconds).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Form choice lists iterate querysets; server-side cursors would cost three round
    # trips (DECLARE, FETCH, CLOSE) for a handful of rows, and break behind pgbouncer.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and beat write to one file. In SQLite's default (deferred) mode a
    # transaction that reads and then writes fails at once when another writer got in
    # between, whatever the timeout; IMMEDIATE takes the write lock at BEGIN, so writers
    # queue for up to `timeout` seconds instead. WAL lets readers carry on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        # mmap: pages are read straight from the OS's file cache, not copied into each
        # connection's own small page cache (the leads dashboard reads ~1,000 index pages).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456;"
        ),
    }
    # A connection kept between requests keeps its page cache and parsed schema warm: a
    # new one per request made the leads dashboard's first page ~20× slower than its SQL.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # The test database is a file too: an in-memory one shares a cache whose table locks
    # fail at once (no timeout), which is not how `make run` behaves.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("SQLITE_TEST_NAME", default=str(VAR_DIR / "test.sqlite3"))
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "crm.cache.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bookback",
        }
    }
else:
    # Shared by the web server, worker and beat processes (never process memory):
    # rate limits and the live-sync stamp must be seen by all of them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("CACHE_DIR", default=str(VAR_DIR / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Rate-limit counters: Redis counts atomically; a file cache cannot, so without Redis
# they are counted in the database (crm.ratelimit).
RATELIMIT_STORE = "cache" if REDIS_URL else "database"

# Sessions read from the cache first, so hot endpoints (/api/last-change) need no query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGOUT_REDIRECT_URL = "accounts:login"
if env.bool("FAST_PASSWORD_HASHER", default=False):  # the test suite only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
BUSINESS_TIME_ZONE = "America/New_York"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_AUTOREFRESH = DEBUG  # development serves straight from static/, no collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: SMTP when a host is configured, the console otherwise (development).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="BookBack CRM <no-reply@bookback.local>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
if not DEBUG and not EMAIL_HOST:
    raise ImproperlyConfigured(
        "Missing production setting: EMAIL_HOST (sign-in codes are emailed)."
    )

# Celery: Redis when REDIS_URL is set, else a broker on a SQLite file (no server needed).
CELERY_BROKER_URL = REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'broker.sqlite'}"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = BUSINESS_TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Task modules outside an app's own tasks.py (autodiscovery finds only those).
CELERY_IMPORTS = ["automations.webhooks.tasks", "automations.rules.tasks"]
CELERY_BEAT_SCHEDULE = {
    "deliver-pending-events": {"task": "crm.tasks.deliver_pending_events", "schedule": 60.0},
    "sweep-inbound-leads": {"task": "leads.tasks.sweep_inbound_leads", "schedule": 60.0},
    "advance-submitted-jobs": {"task": "jobs.tasks.advance_submitted_jobs", "schedule": 900.0},
    "generate-recurring-tasks": {
        "task": "crm.todos.tasks.generate_recurring_tasks",
        "schedule": 900.0,
    },
    # /healthz reports the worker down once this stops landing (beat or worker stopped).
    "stamp-worker-heartbeat": {
        "task": "crm.tasks.stamp_worker_heartbeat",
        "schedule": 60.0,
        # Stamps queued while no worker ran prove nothing later: don't let them pile up.
        "options": {"expires": 55},
    },
    "purge-old-login-codes": {
        "task": "crm.accounts.tasks.purge_old_login_codes",
        "schedule": 86400.0,
    },
    # Nightly, 3 AM business time: events and their deliveries older than 90 days.
    "purge-old-events": {
        "task": "crm.tasks.purge_old_events",
        "schedule": crontab(minute=0, hour=3),
    },
    "purge-expired-rate-limits": {
        "task": "crm.tasks.purge_expired_rate_limits",
        "schedule": 86400.0,
    },
    # Outbound webhooks: due tries (first tries the broker lost, retries on their
    # schedule); no Celery countdowns, so a broker outage delays but loses nothing.
    "sweep-webhooks": {"task": "automations.webhooks.tasks.sweep_webhooks", "schedule": 30.0},
    # Automation rules: the time rules' tick (spec: every 5 minutes), the log kept 90 days.
    "tick-automations": {"task": "automations.rules.tasks.tick_automations", "schedule": 300.0},
    "purge-old-automation-logs": {
        "task": "automations.rules.tasks.purge_old_automation_logs",
        "schedule": crontab(minute=45, hour=3),
    },
    # Nightly, 3:30 AM business time: tries and finished deliveries older than 30 days.
    "purge-old-webhooks": {
        "task": "automations.webhooks.tasks.purge_old_webhooks",
        "schedule": crontab(minute=30, hour=3),
    },
    # Sunday 11 PM in CELERY_TIMEZONE (business time): the week's payment reports.
    "send-weekly-payment-reports": {
        "task": "finance.tasks.send_weekly_reports",
        "schedule": crontab(minute=0, hour=23, day_of_week="sun"),
    },
    # Emailed reports (crm.reports): due at 11 PM business time (daily; Sunday weekly;
    # the 1st monthly); every quarter hour so a failed send is retried by the next tick.
    "send-email-reports": {
        "task": "crm.reports.tasks.send_email_reports",
        "schedule": crontab(minute="0,15,30,45"),
    },
    # Inbound texts whose processing task the broker lost (messaging.inbound).
    "sweep-inbound-sms": {"task": "messaging.tasks.sweep_inbound_sms", "schedule": 60.0},
    # Nightly, 3:15 AM business time: the AI ledger (calls, conversations) older than a year.
    "purge-old-ai-ledger": {
        "task": "crm.assistant.tasks.purge_old_ledger",
        "schedule": crontab(minute=15, hour=3),
    },
    # Nightly, 2 AM business time (America/New_York): CP → CTM Numbers from CTM.
    "sync-ctm-numbers": {
        "task": "messaging.tasks.sync_numbers",
        "schedule": crontab(minute=0, hour=2),
    },
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# SMS (messaging): "ctm" (with the account and keys of CP → CTM Numbers) or "twilio";
# without credentials texts go to the console log. The base URLs point tests at fakes.
SMS_PROVIDER = env.str("SMS_PROVIDER", default="ctm")
CTM_BASE_URL = env.str("CTM_BASE_URL", default="https://api.calltrackingmetrics.com")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_BASE_URL = env.str("TWILIO_BASE_URL", default="")
# A task is acknowledged when it ends, not when it starts: a worker killed mid-task (OOM,
# deploy) leaves it on the broker for another worker. Every task is idempotent, so a
# second run is a no-op. One task prefetched at a time, so a long one blocks nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60  # SoftTimeLimitExceeded: the task may clean up
CELERY_TASK_TIME_LIMIT = 6 * 60  # then the worker process is killed
# Redis hands an unacknowledged task to another worker after this long: longer than any
# task may run and any countdown (retries wait at most 16 s), or it would run twice.
# (SQLAlchemy's transport, `make run`'s, has no such timeout and refuses the option.)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}

# Security: strict by default outside development (`manage.py check --deploy` is clean).
# Proxies in front of the app (compose: Caddy, 1). Their X-Forwarded-For and -Proto are
# believed; with none, both headers are the visitor's own words and are ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every response: scripts come only from our own
# files and Google's Maps JS (never inline code, on*= attributes or eval), so injected markup
# runs nothing. Styles may be inline: templates colour rows with style="", and htmx and
# Google Maps insert <style> elements. Google's hosts serve the maps (when CP → Google
# Places API holds a key), their tiles and fonts, and the reminders' Static Maps images.
# A response that already has the header keeps its own: the booking widget (frame-ancestors
# per embed) and uploaded images (booking.widget_views).
GOOGLE_DATA_HOSTS = ["https://*.googleapis.com", "https://*.gstatic.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, "https://maps.googleapis.com"],
        "style-src": [SELF, UNSAFE_INLINE, "https://fonts.googleapis.com"],
        "img-src": [SELF, "data:", *GOOGLE_DATA_HOSTS],
        "font-src": [SELF, "https://fonts.gstatic.com"],
        "connect-src": [SELF, *GOOGLE_DATA_HOSTS],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# One line per event with time, level, logger and request id; LOG_FORMAT=json in production.
LOGGING = build_logging(
    level=env.str("LOG_LEVEL", default="INFO"),
    log_format=env.str("LOG_FORMAT", default="plain"),
)

# Product rules.
LOGIN_CODE_TTL_SECONDS = 10 * 60
LOGIN_CODE_MAX_WRONG_TRIES = 5
LOGIN_CODE_REQUESTS_PER_EMAIL = (5, 15 * 60)  # 5 codes per email per 15 minutes
LOGIN_ATTEMPTS_PER_IP = (30, 15 * 60)  # 30 failed sign-ins per IP per 15 minutes
LIVE_SYNC_POLL_SECONDS = 3
BOOKING_SUBMISSIONS_PER_IP = (5, 10 * 60)  # online booking: 5 submissions per IP per 10 minutes
