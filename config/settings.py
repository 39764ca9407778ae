"""Byline settings.

Everything that varies between machines comes from the environment (or a `.env` file beside
`manage.py`, which `make run` writes for local development). Defaults are safe: `DEBUG` is off
unless set, and without `DEBUG` a `SECRET_KEY` and the public `SITE_URL` must be given; with
`DEBUG` and no key, each checkout makes its own (config/secret_key.py).
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.cache import cache_settings
from config.logs import logging_config
from config.secret_key import development_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="") or development_secret_key(BASE_DIR / ".secret_key")
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=... or set DEBUG=1)."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = env("SITE_NAME", default="Byline")
SITE_TAGLINE = env("SITE_TAGLINE", default="Analysis and commentary")
# The public site's origin. Every absolute address the site gives out (canonical links, preview
# tags, structured data, feeds, the sitemap, robots.txt, share links, links in emails) is built
# on it, never on the request's Host header (articles/links.py); production must name it.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"
SITE_URL = env("SITE_URL", default=DEVELOPMENT_SITE_URL if DEBUG else "")
if not DEBUG and SITE_URL.rstrip("/") in ("", DEVELOPMENT_SITE_URL):
    raise ImproperlyConfigured(
        "SITE_URL must be set to the public site's address when DEBUG is off "
        "(e.g. SITE_URL=https://news.example): canonical links, feeds, the sitemap and links in "
        "emails are built from it, never from the request's Host header."
    )
_site_url = urlsplit(SITE_URL)
if (
    _site_url.scheme not in ("http", "https")
    or not _site_url.hostname
    or _site_url.path not in ("", "/")
    or _site_url.query
    or _site_url.fragment
):
    raise ImproperlyConfigured(
        "SITE_URL must be the public site's origin, a scheme and a host such as "
        f"https://news.example, not {SITE_URL!r}."
    )
# An absolute URL of the publication's logo, given to search engines as the publisher's.
SITE_LOGO_URL = env("SITE_LOGO_URL", default="")
# The picture link previews show for a page without a featured image of its own: an absolute URL,
# or a static path; by default the card with the site's name (articles/share_image.py).
SITE_SHARE_IMAGE = env("SITE_SHARE_IMAGE", default="articles/share-image.png")

TIME_ZONE = env("TIME_ZONE", default="UTC")
LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections, checked before a request reuses one: a restarted PostgreSQL costs only
# the requests made while it was down (they get the 503 page, config/errors.py). Not with DEBUG:
# the development server runs each request in a new thread, which would leave its connection.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DEBUG else 60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database host answers the request with the 503 page after this many
    # seconds, rather than holding a worker until the proxy gives up.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "config.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "crispy_forms",
    "crispy_bootstrap5",
    "reversion",
    "django_tasks",
    "django_tasks_db",
    "django_prose_editor",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "images",
    "authors",
    "articles",
    "comments",
    "config.apps.SiteConfig",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before anything else runs (config/health.py).
    "config.health.HealthCheckMiddleware",
    # Outside everything else, so that every other answer carries the policies: the HTTPS
    # redirect and the refusal of an unknown Host too, both given inside SecurityMiddleware.
    "config.errors.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before everything that reads the client's address (SECURITY, below).
    "config.proxy.ClientAddressMiddleware",
    "config.logs.RequestLogMiddleware",
    "config.errors.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous readers' pages from the cache, before the session, CSRF, authentication and
    # messages are looked at, with their ETag and 304s (config/page_cache.py).
    "config.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the user verified when this session's sign-in gave a two-factor code.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "comments.commenters.remember.PrivateForRememberedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Compiled once per process, as Django does by default; the project's own templates
            # without their indentation (config/template_loaders.py).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "config.template_loaders.CompactLoader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
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
# Uploads above this size are refused by the image validators before Pillow decodes them.
MAX_IMAGE_UPLOAD_BYTES = env.int("MAX_IMAGE_UPLOAD_BYTES", default=5 * 1024 * 1024)
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=40_000_000)

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
# Marks Django's technical error pages (DEBUG only) so that they are served without the CSP.
DEFAULT_EXCEPTION_REPORTER = "config.errors.DebugPageReporter"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS only when DEBUG is off: plain HTTP is redirected, and browsers are told (HSTS) to use
# HTTPS for a year, on every subdomain too, and that the site may join the browsers' preload
# list. Each is overridden from the environment under Django's own setting name.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Reverse proxies in front of the site (config/proxy.py). Name them by count (how many proxies
# each request passes, each adding to X-Forwarded-For) or by network (the proxies' addresses);
# the client's address is then read from X-Forwarded-For, and the scheme from X-Forwarded-Proto,
# which the proxy must set. Without either, both headers are ignored: anyone can send them.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_NETWORKS = env.list("TRUSTED_PROXY_NETWORKS", default=[])
TRUSTED_PROXY = bool(TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY else None
# Content-Security-Policy (django-csp): scripts, styles, images and fonts come from the site
# itself, never inline. Pages that need an inline import map (the admin's body editor) read
# `request.csp_nonce`, which adds a nonce to that response's policy only; reader pages never
# do, so their header stays the same for every reader and may be cached. With the HTTPS
# redirect on, browsers also fetch over HTTPS anything a page links with http://. With DEBUG
# on, Django's technical error pages (inline styles and script) are served without it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the favicon drawn in base.html.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": SECURE_SSL_REDIRECT,
    },
}
# Browser features no page of the site uses are switched off, for the site and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    ]
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ADMIN SIGN-IN
# ------------------------------------------------------------------------------
# django-axes refuses sign-ins for a while after repeated failures (config/lockout.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures are counted, and locked out, per (username, IP address) pair, never per username
# alone (which would let anyone lock an editor out from everywhere) nor per address alone (a
# newsroom behind one address would lock itself out). The address is REMOTE_ADDR, or for IPv6
# its /64 network.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.lockout.client_network"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
# Masked wherever axes logs or stores a request (passwords always are).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "csrfmiddlewaretoken"]
# Two-factor sign-in with an authenticator app (config/twofactor.py): optional for every staff
# member; compulsory for the groups named here (e.g. Editor,Moderator) and, if set, superusers.
OTP_REQUIRED_GROUPS = env.list("OTP_REQUIRED_GROUPS", default=[])
OTP_REQUIRED_FOR_SUPERUSERS = env.bool("OTP_REQUIRED_FOR_SUPERUSERS", default=False)
OTP_TOTP_ISSUER = f"{SITE_NAME} newsroom"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# EMAIL
# ------------------------------------------------------------------------------
# One URL says where mail goes: smtp+tls://user:password@host:587 (STARTTLS),
# smtp+ssl://user:password@host:465 (TLS from the start), smtp://host:25, consolemail:// (print
# it), filemail:///path/to/folder, dummymail:// (drop it). Characters special in URLs in the
# password are %-escaped. Without it: the console when DEBUG is on, else an SMTP server on this
# machine (Django's default). EMAIL_BACKEND, if set, names a backend class no scheme stands for.
try:
    _email = env.email_url(
        "EMAIL_URL",
        default="consolemail://" if DEBUG else "smtp://localhost:25",
        backend=env("EMAIL_BACKEND", default=None),
    )
except ImproperlyConfigured as error:
    raise ImproperlyConfigured(
        f"EMAIL_URL: {error}. Use smtp+tls://user:password@host:587, smtp+ssl://…:465, "
        "smtp://host:25, consolemail://, filemail:///folder or dummymail://."
    ) from error
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_PORT = _email["EMAIL_PORT"] or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
if _email["EMAIL_FILE_PATH"]:
    EMAIL_FILE_PATH = f"/{_email['EMAIL_FILE_PATH']}"
# Seconds to wait for the mail server before giving up, rather than holding a worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="newsroom@byline.localhost")
# The sender of error reports to ADMINS.
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# CACHES
# ------------------------------------------------------------------------------
# Flood limits and throttles count in the cache, so every worker process must share it, and
# it must keep what it is given (`dummycache://` is refused, config/checks.py): in production,
# Redis (`CACHE_URL=rediscache://127.0.0.1:6379/1`). While Redis is unreachable the
# site serves without it and the flood limits are off (config/cache.py).
CACHES = {"default": cache_settings(env.str("CACHE_URL", default="") or "locmemcache://")}
# The page cache (config/page_cache.py): anonymous readers' pages are kept at most this many
# seconds (less when something they show changes by itself sooner: a scheduled publication,
# comments closing), dropped at once when what they show changes, and sent to front caches
# with their dependency keys in this header (Varnish's xkey module reads `xkey`).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600)
PAGE_CACHE_KEYS_HEADER = env("PAGE_CACHE_KEYS_HEADER", default="xkey")
# Front caches (Varnish with config/varnish/byline.vcl) told to drop the pages that changed:
# `PURGE` with their keys to each of these addresses (config/front_cache.py).
FRONT_CACHE_PURGE_URLS = env.list("FRONT_CACHE_PURGE_URLS", default=[])
FRONT_CACHE_PURGE_TIMEOUT = env.float("FRONT_CACHE_PURGE_TIMEOUT", default=2.0)

# TASKS
# ------------------------------------------------------------------------------
# Background work: all mail, image renditions and IP masking. The database backend needs
# `manage.py db_worker` running (`make run` starts one); the tests use
# django_tasks.backends.immediate.ImmediateBackend.
TASKS = {
    "default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")},
}

# THIRD-PARTY
# ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
TAGGIT_CASE_INSENSITIVE = True

# BYLINE
# ------------------------------------------------------------------------------
ARTICLES_PER_PAGE = env.int("ARTICLES_PER_PAGE", default=10)
COMMENT_MAX_LENGTH = env.int("COMMENT_MAX_LENGTH", default=5000)
# Commenters' addresses are encrypted at rest (comments/commenters/privacy.py). COMMENT_EMAIL_KEYS
# holds Fernet keys, newest first (rotate with `manage.py rotate_comment_keys`); the HMAC key makes
# the lookup digests. Both default to keys derived from SECRET_KEY.
COMMENT_EMAIL_KEYS = env.list("COMMENT_EMAIL_KEYS", default=[])
COMMENT_EMAIL_HMAC_KEY = env("COMMENT_EMAIL_HMAC_KEY", default="")
# Feeds carry each article's whole (sanitised) body when on; the standfirst only when off.
FEED_FULL_TEXT = env.bool("FEED_FULL_TEXT", default=False)
# The optional external spam check (comments/spam.py), also switched on in the discussion
# settings: e.g. COMMENT_SPAM_BACKEND=comments.spam.AkismetBackend with its key. No address is
# ever sent; a check slower than COMMENT_SPAM_TIMEOUT seconds holds the comment instead.
COMMENT_SPAM_BACKEND = env("COMMENT_SPAM_BACKEND", default="")
COMMENT_SPAM_API_KEY = env("COMMENT_SPAM_API_KEY", default="")
COMMENT_SPAM_API_URL = env(
    "COMMENT_SPAM_API_URL", default="https://rest.akismet.com/1.1/comment-check"
)
COMMENT_SPAM_SITE_URL = env("COMMENT_SPAM_SITE_URL", default="")
COMMENT_SPAM_TIMEOUT = env.float("COMMENT_SPAM_TIMEOUT", default=2.0)
# How long a commenter's address confirmation link works (comments/commenters/verification.py).
COMMENT_CONFIRMATION_MAX_AGE_DAYS = env.int("COMMENT_CONFIRMATION_MAX_AGE_DAYS", default=7)
# How long a draft's review link for outside reviewers works (articles/review_links.py). Its
# name before, SHARE_LINK_MAX_AGE_DAYS, still works; check config.W002 asks for the new one.
REVIEW_LINK_MAX_AGE_DAYS = env.int(
    "REVIEW_LINK_MAX_AGE_DAYS", default=env.int("SHARE_LINK_MAX_AGE_DAYS", default=7)
)
# How long the "manage my comments" link in every message to a commenter works.
COMMENT_MANAGE_LINK_MAX_AGE_DAYS = env.int("COMMENT_MANAGE_LINK_MAX_AGE_DAYS", default=14)

# OPERATIONS
# ------------------------------------------------------------------------------
# Worker processes gunicorn runs (config/gunicorn.conf.py reads this): with more than one, the
# cache must be shared (config/checks.py refuses local memory).
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=2)

# LOGGING
# ------------------------------------------------------------------------------
# With DEBUG off: JSON lines on stderr, one per request (method, path without secrets, status,
# duration, request id) plus warnings and errors (config/logs.py).
LOGGING_CONFIG = "config.logs.configure"
LOGGING = logging_config(debug=DEBUG, level=env("LOG_LEVEL", default="WARNING"))
