"""Production: refuses to start with a development secret, open host list or local cache."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    BENCHMARK_RUN,
    CACHE_URL,
    ELASTICSEARCH_URL,
    SECRET_KEY,
    SITE_URL,
    STORAGES,
)

DEBUG = False
# Production is what runs unless DJANGO_ENV=development is set, so every refusal
# says how to get the development settings instead.
_WHERE = (
    "in production (DJANGO_ENV is not 'development'; set DJANGO_ENV=development to run on a laptop)"
)

if not SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured(
        f"SECRET_KEY must be set to a random value of at least 50 characters {_WHERE}: "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        f"ALLOWED_HOSTS must list the portal's host names, comma-separated, {_WHERE}, "
        "for example ALLOWED_HOSTS=heres-how.example.org."
    )
if not ELASTICSEARCH_URL:
    raise ImproperlyConfigured(
        f"ELASTICSEARCH_URL must point at the Elasticsearch 8/9 cluster {_WHERE}."
    )
# Rate limits (API, sign-in, share form, counter) and the page cache must be shared by
# every app server and worker process, or each process counts on its own.
if not CACHE_URL.startswith(("redis://", "rediss://")) and not BENCHMARK_RUN:
    raise ImproperlyConfigured(
        f"CACHE_URL must point at a shared Redis cache {_WHERE}, for example "
        "CACHE_URL=redis://cache:6379/0: rate limits and the page cache are kept there."
    )

CSRF_TRUSTED_ORIGINS = [SITE_URL]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
