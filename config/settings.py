"""Liaison settings, read from the environment.

The defaults give the embedded set-up: SQLite under var/, tasks run in-process, e-mail printed
to the console. A deployment sets DEBUG=0 and at least SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
CELERY_BROKER_URL and EMAIL_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address used in links sent by e-mail (invitations), where no request is at hand.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "guardian",
    "simple_history",
    "template_partials",
    "accounts",
    "projects",
    "stakeholders",
    "requirements",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "projects.middleware.VaryOnHtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
# Django's templates draw the forms, except select menus, drawn with the same markup in Python.
FORM_RENDERER = "projects.renderer.Renderer"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered rows that never change once written (channel entries), in each process's memory:
    # keyed by everything they show that can change, and gone when the process restarts, so a
    # new release never serves the markup of the one before.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'liaison.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before reuse: after a database restart the app reconnects.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# AUTHENTICATION_BACKENDS and AUTH_PASSWORD_VALIDATORS: see "Sign-in, passwords, sessions".
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "accounts:login"
# An invitation link stays valid for two weeks (Django's reset tokens use this timeout).
PASSWORD_RESET_TIMEOUT = 14 * 24 * 3600

# guardian: no anonymous user row; permissions only ever come from project role groups.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also makes var/ for the SQLite default
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# The most a project archive may unpack to on import (see projects/archive.py).
ARCHIVE_MAX_BYTES = env.int("ARCHIVE_MAX_BYTES", default=1024 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Liaison <liaison@localhost>")

# Celery: with no broker configured, tasks run eagerly in-process and their errors propagate.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A web request that publishes while the broker is down must fail fast, not hang.
# A message a worker took but never acknowledged (the worker was killed) goes to another worker
# after this many seconds: longer than any task runs or any countdown waits.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for such messages (every interval × throttle seconds).
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
}
# A task whose publish failed waits in the outbox (projects.outbox) for the next successful
# publish or the beat's drain, which runs this often; meanwhile, for this many seconds after a
# failure, a process publishes nothing and its actions do not wait on the broker.
OUTBOX_DRAIN_SECONDS = env.int("OUTBOX_DRAIN_SECONDS", default=60)
OUTBOX_BROKER_PAUSE_SECONDS = env.int("OUTBOX_BROKER_PAUSE_SECONDS", default=10)
CELERY_TIMEZONE = "UTC"
# Changes to a project within this many seconds share one run of its health checks.
CHECKS_COALESCE_SECONDS = env.int("CHECKS_COALESCE_SECONDS", default=10)
CELERY_BEAT_SCHEDULE = {
    "drain-outbox": {
        "task": "projects.tasks.drain_outbox",
        "schedule": timedelta(seconds=OUTBOX_DRAIN_SECONDS),
    },
    "nightly-checks": {
        "task": "projects.tasks.run_nightly_checks",
        "schedule": crontab(hour=2, minute=30),
    },
    "requeue-lost-reports": {
        "task": "projects.tasks.requeue_lost_reports",
        "schedule": crontab(minute="7-59/15"),
    },
    "requeue-lost-imports": {
        "task": "requirements.tasks.requeue_lost_imports",
        "schedule": crontab(minute="7-59/15"),
    },
    "report-schedules": {
        "task": "projects.tasks.run_report_schedules",
        "schedule": crontab(minute="*/15"),
    },
    "channel-digest": {
        "task": "stakeholders.tasks.send_channel_digests",
        "schedule": crontab(hour=6, minute=0),
    },
    "severe-feedback-summary": {
        "task": "requirements.tasks.send_severe_feedback_summaries",
        "schedule": crontab(hour=6, minute=5),
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads nothing from it: the token is rendered into the page
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every step and warns about the pages' screen-only CSS that the
    # reports share: only its errors are news.
    "loggers": {"weasyprint": {"level": "ERROR"}},
}


# --- Sign-in, passwords, sessions ---------------------------------------------------------------
# Kept together at the end: the lists above are extended here, not rewritten.

# axes first: it refuses a locked-out attempt before any password is checked. It has no
# get_user, so force_login in tests picks ModelBackend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
INSTALLED_APPS += ["axes"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accounts.middleware.SessionTimeoutMiddleware",
)
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # turns a lockout into the lockout page

# Failures count per account *and* address together: a flood of guesses locks that pair out,
# while the real person can still sign in from their own address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
# Each further failure while locked out restarts the cool-off (axes'
# AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT, on by default): a script that keeps guessing
# stays locked out; a person who waits gets in.
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, which holds the e-mail address
AXES_USERNAME_CALLABLE = "accounts.throttling.username"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.locked_out"
# django-ipware is not installed: our own callable reads X-Forwarded-For, and only when
# TRUSTED_PROXY_COUNT says how many proxies of ours add to it. Off by default.
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# signing in whatever happens (accounts.middleware.SessionTimeoutMiddleware). The cookie and the
# stored session live no longer than the longest a session may last.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_MINUTES", default=120) * 60
SESSION_MAX_SECONDS = env.int("SESSION_MAX_HOURS", default=12) * 3600
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS

# Two-factor sign-in (django-otp): a code from an authenticator app (TOTP), or one of ten
# single-use recovery codes. A session that gave its code carries the device's id
# (django_otp.login); TwoFactorMiddleware sends someone who must give a code, or must enrol, to
# that page first (accounts.two_factor). django-otp's own middleware is not used: it would read
# the device on every request, and removing a second factor ends the person's sessions instead.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("accounts.middleware.SessionTimeoutMiddleware") + 1,
    "accounts.middleware.TwoFactorMiddleware",
)
OTP_TOTP_ISSUER = "Liaison"
# After n wrong codes in a row the next try waits 2^(n-1) seconds (django-otp's throttling):
# a guess a second is refused at once, and ten wrong codes cost over eight minutes.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1


# --- Security headers on every response ----------------------------------------------------------
# Kept in one block: the login and session settings live above. SecurityMiddleware already sends
# nosniff, the referrer policy, HSTS (when DEBUG is off) and this opener policy; clickjacking's
# middleware sends X-Frame-Options. The CSP middleware sits right behind SecurityMiddleware, so
# that error pages, redirects, downloads and static files carry the policy too.
from csp.constants import NONE, SELF  # noqa: E402

MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No 'unsafe-inline' and no 'unsafe-eval': every script and style is a file under static/, and
# htmx is told not to inject its indicator <style> nor to evaluate code (the htmx-config meta tag
# in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
