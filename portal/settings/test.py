"""The test suite's settings (pyproject.toml points pytest here).

Production's shape without its refusals: DEBUG off, real middleware and page cache,
but a fixed key, local hosts, fast password hashing and tasks run at once, so tests
see what visitors see. Services (database, search server) come from tests/conftest.py.
"""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, STORAGES

DEBUG = False
# Development tooling too: tests/perf/test_bench.py runs the benchmark.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
SECRET_KEY = "test-only-insecure-key-never-used-outside-the-test-suite-0123456789"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost", "[::1]"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# The page-cache generation counter is bookkeeping, not content: a browser test's
# serialized rollback must not restore a row that a flush's post_migrate made again.
TEST_NON_SERIALIZED_APPS = ["perf"]
