"""Development and test defaults: safe to run on a laptop, never in production."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, INSTALLED_APPS, SECRET_KEY

# Development tooling (runportal, the benchmark): never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
WHITENOISE_AUTOREFRESH = True
# Publishing updates the search index at once on a laptop; production runs
# django-tasks' database backend with `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
