"""Real services for every test: the database from pytest-django and a search server.

The search server is a noida-db process started here on a free port, unless
ELASTICSEARCH_URL points at a real Elasticsearch, which the same tests then use:
`make test` starts one Elasticsearch for the whole run when Java and Maven are present
(``manage.py elasticsearch exec``) and passes its URL that way.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings

from search.server import EngineError, LocalSearchServer, engine_version

# Search behaviour that must hold on noida-db too, the pip-only stand-in: CI runs these
# (``-m pip_only``) on it besides the whole suite on Elasticsearch.
PIP_ONLY = (
    "tests/search/",
    "tests/anonymity/test_leaks.py::test_no_secret_reaches_any_public_surface",
    "tests/anonymity/test_leaks.py::test_search_index_documents_hold_no_secret",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(PIP_ONLY):
            item.add_marker(pytest.mark.pip_only)
    if not django_settings.ELASTICSEARCH_URL:
        # What only Elasticsearch itself offers (relevance scoring against the judged
        # queries) cannot run on noida-db; the header says so, and CI runs them on
        # Elasticsearch.
        needs_engine = [item for item in items if item.get_closest_marker("elasticsearch_only")]
        if needs_engine:
            config.hook.pytest_deselected(items=needs_engine)
            items[:] = [item for item in items if item not in needs_engine]


def pytest_sessionstart(session):
    """A configured Elasticsearch that is down or unsupported stops the run at once."""
    if hasattr(session.config, "workerinput") or not django_settings.ELASTICSEARCH_URL:
        return
    try:
        engine_version(django_settings.ELASTICSEARCH_URL)
    except EngineError as exc:
        pytest.exit(str(exc), returncode=3)


def pytest_report_header(config):
    url = django_settings.ELASTICSEARCH_URL
    if url:
        return f"search engine: {url} (ELASTICSEARCH_URL)"
    return (
        "search engine: noida-db on a free port per worker (pip-only stand-in); tests marked "
        "elasticsearch_only are deselected: they need Elasticsearch itself"
    )


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


@pytest.fixture(scope="module")
def redis_url():
    """A Redis server of the test module's own: no other test or worker shares its keys."""
    from devtools.redis_server import RedisServer

    try:
        server = RedisServer().start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server.url
    server.stop()


@pytest.fixture
def shared_cache(settings, redis_url):
    """The cache production runs (CACHE_URL=redis://…), emptied for each test."""
    from django.core.cache import cache

    backend = {"BACKEND": "perf.shared_cache.RedisCache", "LOCATION": redis_url}
    settings.CACHES = {"default": backend}
    cache.clear()  # also opens the connection, whose handshake no test counts
    yield
    cache.clear()


@pytest.fixture
def round_trips(monkeypatch, shared_cache):
    """The commands the cache client wrote to Redis: one write per round trip (commands
    pipelined together go in one)."""
    from redis.connection import AbstractConnection

    sent = []
    send = AbstractConnection.send_packed_command

    def counted(connection, command, *args, **kwargs):
        sent.append(command)
        return send(connection, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


@pytest.fixture
def search_index(db):
    """A new, empty story index behind the alias, so no test sees another test's stories."""
    from tests.search.helpers import empty_index

    empty_index()
    yield


@pytest.fixture
def purged(settings):
    """A real HTTP endpoint configured as Wagtail's frontend cache (a CDN or proxy that takes
    PURGE requests); yields the paths it was asked to purge."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 - the HTTP method's name
            paths.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    yield paths
    server.shutdown()
