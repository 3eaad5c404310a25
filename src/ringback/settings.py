"""Django settings for Ringback.

Configuration comes from the environment:

- ``RINGBACK_DATABASE_URL``: a database URL (``postgres://...``); default a SQLite file in the
  data directory, in WAL mode.
- ``RINGBACK_DATA_DIR``: where the SQLite file and the secret key live (default: the user's
  data directory, e.g. ``~/.local/share/ringback``).
- ``RINGBACK_SECRET_KEY``, ``RINGBACK_DEBUG``, ``RINGBACK_ALLOWED_HOSTS``.
- ``RINGBACK_SIGNIN_FAILURE_LIMIT``, ``RINGBACK_SIGNIN_PAUSE_MINUTES``: sign-in throttling (below).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import csp.constants as csp
import dj_database_url
from platformdirs import user_data_dir

from ringback.datafiles import private_dir, private_sqlite, secret_key_read_or_create

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("RINGBACK_DATA_DIR") or user_data_dir("ringback", appauthor=False))


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("RINGBACK_SECRET_KEY"):
        return key
    # Private from its first byte (see ringback.datafiles), like everything in the data directory.
    return secret_key_read_or_create(private_dir(DATA_DIR) / "secret_key")


DEBUG = _env_flag("RINGBACK_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("RINGBACK_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "ringback.jobs",
    "ringback.accounts",
    "ringback.hooks",
    "ringback.contacts",
    "ringback.messaging",
    "ringback.playbooks",
    "ringback.outbox",
    "ringback.activities",
    "ringback.post",
    "ringback.inbox",
    "ringback.insights",
    "ringback.people",
    "ringback.demo",
    "ringback.reactions",
    "ringback.api",
    "ringback.server",
]

# Background work (issue 13): Django 6's task API (django-tasks), queued in the database, run by
# `ringback worker` (see ringback.jobs: leases, retries).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# How long a worker's claim on a task lasts unless renewed (it renews every third of it while the
# task runs); a task whose worker died is taken back once it lapses.
TASK_LEASE_SECONDS = float(os.environ.get("RINGBACK_TASK_LEASE_SECONDS") or 60)

# Where Ringback is reached from the internet: the links in emails (unsubscribe) start with it.
# Behind HTTPS in production, e.g. https://ringback.example.com.
PUBLIC_URL = (os.environ.get("RINGBACK_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ringback.accounts.middleware.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The REST API (issue 15): requests a personal token may make per window, "count/seconds".
API_RATE_LIMIT = os.environ.get("RINGBACK_API_RATE_LIMIT") or "600/60"
# Webhooks may be sent to private, loopback and link-local addresses only when this is set (a
# server on a home network, tests); otherwise such URLs are refused (no server-side request forgery).
WEBHOOKS_ALLOW_PRIVATE = _env_flag("RINGBACK_WEBHOOKS_ALLOW_PRIVATE")

ROOT_URLCONF = "ringback.urls"
WSGI_APPLICATION = "ringback.wsgi.application"

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

_sqlite_path = DATA_DIR / "ringback.sqlite3"
DATABASE_URL = os.environ.get("RINGBACK_DATABASE_URL") or f"sqlite:///{_sqlite_path}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    private_dir(DATA_DIR)
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if (
        _sqlite_name != ":memory:"
        and not _sqlite_name.startswith("file:")
        and Path(_sqlite_name).parent.is_dir()
    ):
        # Created 0600 before SQLite opens it: SQLite gives the WAL and SHM files the same mode.
        private_sqlite(Path(_sqlite_name))
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A form that must act once runs in one transaction with its answer (see
    # ringback.accounts.submissions), so a writer may queue behind a few whole requests.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# fields.W161 guards against ``default=datetime.now()`` by warning when a fixed default lies within
# ten seconds of the present: for a time of day (calling hours end at 21:00) it fired on every
# command run at 21:00:00 ± 10 s and added a warning to its output.
SILENCED_SYSTEM_CHECKS = ["fields.W161"]
# Applied wherever a password is set: the web forms, `ringback createuser`, `ringback password`, the
# first-start prompt of `ringback serve` and accounts.services.account_create. A similarity of 0.6
# (Django: 0.7) also refuses a user name said twice ("alicealice" for alice).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"max_similarity": 0.6},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "ringback.accounts.passwords.PublishedPasswordValidator"},
]

# Sign-in throttling (django-axes, see ringback.accounts.signin): RINGBACK_SIGNIN_FAILURE_LIMIT
# failed sign-ins (default 5) for one user name from anywhere, or from one address for any names,
# pause sign-ins for that name or address for RINGBACK_SIGNIN_PAUSE_MINUTES (default 15) after the
# last counted failure, with an HTTP 429 page that says when to try again. Tries during the pause
# are not counted (they don't lengthen it); a successful sign-in does not clear earlier failures
# (else signing in to one's own account would reset the count on someone else's).
# `ringback axes_reset_username NAME` / `ringback axes_reset` lift a pause by hand.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("RINGBACK_SIGNIN_FAILURE_LIMIT") or 5)
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("RINGBACK_SIGNIN_PAUSE_MINUTES") or 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "ringback.accounts.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "ringback.accounts.signin.client_address"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves the app's static files straight from the package (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

# Security: CSRF on every POST (middleware), no framing, no MIME sniffing, HttpOnly cookies.
# RINGBACK_HTTPS says how browsers reach the app:
#   "1": over HTTPS (directly or through a proxy): Secure cookies and HSTS (1 year);
#   "0": over plain HTTP: cookies not marked Secure, no HSTS;
#   unset or "auto": as "1" unless DEBUG, except that `ringback serve` on a loopback address
#   (127.0.0.1, ::1, localhost) turns the Secure cookie flags off for its own process and says
#   so, since a browser on the same machine talks plain HTTP to it (`make run`).
# RINGBACK_PROXY_SSL_HEADER=1 trusts "X-Forwarded-Proto: https" from the proxy in front (only
# behind a proxy that sets it); RINGBACK_SSL_REDIRECT=1 redirects http:// to https://.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_https = os.environ.get("RINGBACK_HTTPS", "").strip().lower()
RINGBACK_HTTPS: bool | None = None if _https in {"", "auto"} else _env_flag("RINGBACK_HTTPS")
_secure = not DEBUG and RINGBACK_HTTPS is not False
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SECURE_HSTS_SECONDS = 31_536_000 if _secure else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_SSL_REDIRECT = _env_flag("RINGBACK_SSL_REDIRECT")
if _env_flag("RINGBACK_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts, styles and everything else only from Ringback's
# own origin (no inline script or style, no eval: htmx's inline indicator styles are switched off
# in base.html and live in app.css), images also as data: URIs (Pico's icons), no framing, forms
# post only to Ringback, no <base>, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
        "object-src": [csp.NONE],
    }
}

# Mail (password resets). RINGBACK_EMAIL_BACKEND: "console" (default: the message, with its
# link, is printed in the output of `ringback serve`, which is where a seller running Ringback on
# their own computer looks), "file" (one file per message in RINGBACK_EMAIL_FILE_PATH, default
# the "mail" folder of the data directory), "smtp" (RINGBACK_EMAIL_HOST, RINGBACK_EMAIL_PORT,
# RINGBACK_EMAIL_USER, RINGBACK_EMAIL_PASSWORD, RINGBACK_EMAIL_TLS) or a backend's dotted path.
# RINGBACK_EMAIL_FROM is the sender.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "ringback.mail_backends.PrivateFileEmailBackend",  # files 0600: they hold reset links
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = os.environ.get("RINGBACK_EMAIL_BACKEND", "").strip() or "console"
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend.lower(), _email_backend)
EMAIL_FILE_PATH = os.environ.get("RINGBACK_EMAIL_FILE_PATH") or str(DATA_DIR / "mail")
EMAIL_HOST = os.environ.get("RINGBACK_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RINGBACK_EMAIL_PORT") or 25)
EMAIL_HOST_USER = os.environ.get("RINGBACK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("RINGBACK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("RINGBACK_EMAIL_TLS")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("RINGBACK_EMAIL_FROM") or "Ringback <ringback@localhost>"
PASSWORD_RESET_TIMEOUT = 3 * 60 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RINGBACK_LOG_LEVEL", "WARNING")},
}

# Ringback's own defaults; each account can change them in its settings.
RINGBACK: dict[str, Any] = {
    "SUPPRESS_NOT_INTERESTED_DAYS": 180,
    "DAILY_CALL_CAPACITY": 25,
    "NEW_PER_CALLBACK": 1,
    "OVERDUE_REPLAN_DAYS": 3,
    # Stricter calling hours by country ("DE") or country-subdivision ("US-FL"):
    # {"DE": {"start": "09:00", "end": "20:00", "max_calls_per_24h": 2}}. Built in: US-FL,
    # US-OK and US-MD at 08:00-20:00 with at most 3 attempts in 24 hours.
    "CALLING_HOURS": {},
    # Emails to contacts: the most one account sends in a day (each account can lower or raise
    # it), how many times a refused or timed-out delivery is tried before it is marked failed,
    # and the first wait between tries (doubling each time, at most an hour).
    "EMAIL_DAILY_CAP": int(os.environ.get("RINGBACK_EMAIL_DAILY_CAP") or 200),
    "EMAIL_ATTEMPTS": int(os.environ.get("RINGBACK_EMAIL_ATTEMPTS") or 5),
    "EMAIL_RETRY_SECONDS": float(os.environ.get("RINGBACK_EMAIL_RETRY_SECONDS") or 60),
    # An out-of-office that says no return date pauses the contact's playbook this many days.
    "OUT_OF_OFFICE_DAYS": int(os.environ.get("RINGBACK_OUT_OF_OFFICE_DAYS") or 7),
    # What works (issue 14). A response is credited to a message left at most this many days
    # before it; a message counts as "no response" only once this window has closed.
    "ATTRIBUTION_DAYS": int(os.environ.get("RINGBACK_ATTRIBUTION_DAYS") or 7),
    # Results lose half their weight in learning (A/B picks, best times) every this many days.
    "RESULTS_HALF_LIFE_DAYS": float(os.environ.get("RINGBACK_RESULTS_HALF_LIFE_DAYS") or 90),
    # Each message of a step keeps at least this share of the picks until it is clearly worse.
    "VARIANT_MIN_SHARE": float(os.environ.get("RINGBACK_VARIANT_MIN_SHARE") or 0.05),
    # A rate is shown from this many finished touches; below, "not enough data yet".
    "INSIGHTS_MIN_TOUCHES": int(os.environ.get("RINGBACK_INSIGHTS_MIN_TOUCHES") or 10),
    # "Change your message" judges a message from this many finished touches, and flags it when
    # the probability that it does worse than the account's usual rate reaches this.
    "ADVICE_MIN_TOUCHES": int(os.environ.get("RINGBACK_ADVICE_MIN_TOUCHES") or 30),
    "ADVICE_PROBABILITY": float(os.environ.get("RINGBACK_ADVICE_PROBABILITY") or 0.9),
}
