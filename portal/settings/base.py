"""Settings shared by every environment.

This is the only module that reads the process environment: every other module
gets configuration from ``django.conf.settings``. See the README's configuration
table for what each variable does.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url

from perf.release import installed_release

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


# Production unless development is asked for by name: anything started through
# portal.wsgi or manage.py without DJANGO_ENV gets production settings, which refuse
# to start on development defaults (see portal/settings/__init__.py).
DJANGO_ENV = _env("DJANGO_ENV", "production")
# A module named outright (portal.settings.test for pytest) is used as it is.
_SETTINGS_MODULE = _env("DJANGO_SETTINGS_MODULE", "portal.settings")
SECRET_KEY = _env("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS").split(",") if h.strip()]
SITE_URL = _env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Empty means "no cluster configured": development and the tests then start a
# local noida-db server themselves (see search/server.py).
ELASTICSEARCH_URL = _env("ELASTICSEARCH_URL")
LOCAL_SEARCH_PORT = 9201
# Every index and alias name starts with this, so several portals (or test
# workers) can share one cluster.
ELASTICSEARCH_INDEX_PREFIX = _env("ELASTICSEARCH_INDEX_PREFIX", "heres-how")

INSTALLED_APPS = [
    "base",
    "casestudies",
    "anonymity",
    "search",
    "embeds",
    "impact",
    "alerts",
    "playbooks",
    "perf",
    # devtools (runportal, the benchmark) only in development and tests: dev.py, test.py.
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API documentation's viewer from our own static files, not a CDN
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # Outermost, so it sees every response last: framing policy, CORS, no embed cookies.
    "embeds.middleware.PublicSurfaceMiddleware",
    # Inside it (frame-ancestors is merged in there), outside the page cache (a cached
    # page gets this request's nonce): see base/csp.py.
    "base.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions and auth so a cached page skips them (see perf/cache.py).
    "perf.cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Wagtail's site and home page for the request without a query (casestudies/sites.py).
    "casestudies.sites.SiteFromCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Responses to signed-in people: "Cache-Control: private, no-store" (perf/private.py).
    "perf.private.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "base.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        _env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _cache_from_url(url: str) -> dict:
    """Translate CACHE_URL (``locmem://``, ``redis://host:port/db``) into CACHES."""
    scheme = urlparse(url).scheme if url else "locmem"
    if scheme in ("redis", "rediss"):
        # Django's Redis cache, reusing its client (perf/shared_cache.py).
        return {"BACKEND": "perf.shared_cache.RedisCache", "LOCATION": url}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}


CACHE_URL = _env("CACHE_URL")
CACHES = {"default": _cache_from_url(CACHE_URL)}
# A request with a session cookie reads its session from Redis, never the database
# (perf/sessions.py); only a cache every process shares may hold sessions, or a sign-out
# in one process would leave the session alive in the others.
SESSION_ENGINE = (
    "perf.sessions"
    if CACHES["default"]["BACKEND"] == "perf.shared_cache.RedisCache"
    else "django.contrib.sessions.backends.db"
)
# Set only by `manage.py bench`: production settings on loopback with a per-process cache.
BENCHMARK_RUN = _env("BENCHMARK_RUN") == "1"
# How many proxies (load balancer, CDN) in front of the app servers append to
# X-Forwarded-For; rate limits key on the address the outermost one saw. With 0 the
# header is the client's own claim and is ignored (see base/throttle.py).
TRUSTED_PROXY_COUNT = int(_env("TRUSTED_PROXY_COUNT", "0") or 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(_env("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Several app servers and task workers share uploads and renditions through S3-compatible
# object storage (django-storages) once a bucket is named; credentials left empty fall back
# to the machine's role. Media is public: stable URLs for the CDN, embeds and feeds.
MEDIA_BUCKET = _env("MEDIA_BUCKET")
MEDIA_CUSTOM_DOMAIN = _env("MEDIA_CUSTOM_DOMAIN")
# Where page images may come from besides 'self' (the Content-Security-Policy, base/csp.py).
CSP_MEDIA_SOURCES: list[str] = []
if MEDIA_CUSTOM_DOMAIN:
    CSP_MEDIA_SOURCES = [f"https://{MEDIA_CUSTOM_DOMAIN}"]
elif MEDIA_BUCKET and _env("MEDIA_ENDPOINT_URL"):
    _endpoint = urlparse(_env("MEDIA_ENDPOINT_URL"))
    CSP_MEDIA_SOURCES = [  # path-style and virtual-host-style bucket URLs
        f"{_endpoint.scheme}://{_endpoint.netloc}",
        f"{_endpoint.scheme}://{MEDIA_BUCKET}.{_endpoint.netloc}",
    ]
elif MEDIA_BUCKET:
    CSP_MEDIA_SOURCES = [f"https://{MEDIA_BUCKET}.s3.amazonaws.com"]
    if _env("MEDIA_REGION"):
        CSP_MEDIA_SOURCES.append(f"https://{MEDIA_BUCKET}.s3.{_env('MEDIA_REGION')}.amazonaws.com")
if MEDIA_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": _env("MEDIA_ENDPOINT_URL") or None,
            "region_name": _env("MEDIA_REGION") or None,
            "access_key": _env("MEDIA_ACCESS_KEY_ID") or None,
            "secret_key": _env("MEDIA_SECRET_ACCESS_KEY") or None,
            "custom_domain": MEDIA_CUSTOM_DOMAIN or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

WAGTAIL_SITE_NAME = "Here's How"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILIMAGES_IMAGE_MODEL = "base.StoryImage"
WAGTAILIMAGES_IMAGE_FORM_BASE = "base.forms.StoryImageForm"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"jpeg": "webp", "png": "webp", "gif": "webp", "bmp": "webp"}
# Documents always pass through Wagtail's serve view, which checks the collection's
# privacy (members-only files); never a direct storage URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
# Uploaded documents are stored without author metadata (base/documents.py).
WAGTAILDOCS_DOCUMENT_FORM_BASE = "base.documents.StoryDocumentForm"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_WORKFLOW_ENABLED = True
# Counts failed sign-ins per user name and client address (base/login.py).
WAGTAILADMIN_USER_LOGIN_FORM = "base.login.AdminSignInForm"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Public-facing knobs (see README).
REIDENTIFICATION_K = int(_env("REIDENTIFICATION_K", "3") or 3)
REPUBLISH_LICENCE = _env("REPUBLISH_LICENCE", "CC BY-ND 4.0")
REPUBLISH_LICENCE_URL = _env(
    "REPUBLISH_LICENCE_URL", "https://creativecommons.org/licenses/by-nd/4.0/"
)
# Open API requests per client, e.g. "120/m"; client addresses are hashed, kept in cache only.
API_RATE_LIMIT = _env("API_RATE_LIMIT", "120/m")
API_PAGE_SIZE = 20
SEARCH_MAX_PAGE = 50
# Search answers fast or says it is unavailable: these bound how long a page waits
# (seconds; the search page, and a story page's related practices).
SEARCH_TIMEOUT_SECONDS = float(_env("SEARCH_TIMEOUT_SECONDS", "5"))
SEARCH_RELATED_TIMEOUT = float(_env("SEARCH_RELATED_TIMEOUT", "1"))
SEARCH_HEALTH_TIMEOUT_SECONDS = 1
# First retry delay (doubling) while Elasticsearch is unreachable for index updates.
SEARCH_SYNC_RETRY_SECONDS = 5
ELASTICSEARCH_REPLICAS = int(_env("ELASTICSEARCH_REPLICAS", "0") or 0)
# Anonymous full-page cache (perf/cache.py): entries also expire after this long,
# which bounds staleness from changes no signal reports (e.g. raw SQL updates).
PERF_PAGE_CACHE_SECONDS = 600
# Never looked up in the anonymous cache (embed cards are cached: their loads are counted
# by the counter request they make, embeds/views.py).
PERF_PAGE_CACHE_EXCLUDE = ["/admin/", "/documents/", "/health/"]
# The query parameters public pages understand (docs/contract.md: search.facets.FACETS
# plus these); the page cache keys on them only, and never stores a page rendered
# with any other parameter. A test keeps this list in step with the facets.
PERF_PAGE_CACHE_QUERY_PARAMS = [
    "q",
    "sort",
    "page",
    "before",  # the story listings' Older / Newer links (casestudies/listing.py)
    "after",
    "theme",
    "verified",
    "industry",
    "intervention",
    "stage",
    "region",
    "type",
    "year",
    "verification",
    "risk",
    "step",
]
# At most this many query-string variants of one path are stored per content generation.
PERF_PAGE_CACHE_VARIANTS_PER_PATH = 200
# The code this process runs (a commit or image tag; unset: a digest of the installed code).
# Cached pages and page parts are kept per release, so a deploy starts from fresh ones
# without a flush (perf/release.py).
RELEASE = _env("RELEASE") or installed_release(BASE_DIR)
SEARCH_PAGE_SIZE = 10

# Outgoing e-mail (members' password reset links): EMAIL_URL=smtp://user:pass@host:587
# (smtps:// for implicit TLS; port 587 uses STARTTLS). Unset: Django's localhost:25.
_email = urlparse(_env("EMAIL_URL"))
if _email.hostname:
    EMAIL_HOST = _email.hostname
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = not EMAIL_USE_SSL and EMAIL_PORT == 587
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", f"noreply@{urlparse(SITE_URL).hostname}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"portal": {"level": "INFO"}, "search": {"level": "INFO"}},
}
