"""Real services for every test: the database from pytest-django and a search server.

The search server is a noida-db process started here on a free port, unless
ELASTICSEARCH_URL points at a real Elasticsearch, which the same tests then use.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings

from search.server import LocalSearchServer


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def search_server(tmp_path_factory):
    """The search server for this test session (one per xdist worker)."""
    configured = django_settings.ELASTICSEARCH_URL
    if configured and not getattr(django_settings, "_TEST_SEARCH_STARTED", False):
        yield None
        return
    server = LocalSearchServer(tmp_path_factory.mktemp("noida-db")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def _search_settings(search_server):
    if search_server is not None:
        django_settings.ELASTICSEARCH_URL = search_server.url
        django_settings._TEST_SEARCH_STARTED = True
    django_settings.ELASTICSEARCH_INDEX_PREFIX = f"test-{_worker()}"
    yield


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def search_index(db):
    """A new, empty story index behind the alias, so no test sees another test's stories."""
    from search.documents import alias_name, client
    from search.indexing import rebuild

    es = client()
    for name in es.indices.get(index=f"{alias_name()}*", ignore_unavailable=True):
        es.indices.delete(index=name)
    rebuild()
    yield
