"""A CDN or proxy in front of the portal is purged when a story changes (if one is configured)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import CaseStudyPageFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def purge_endpoint():
    purged: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 - the HTTP method's name
            purged.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", purged
    server.shutdown()


def test_publishing_purges_the_story_and_the_pages_that_list_it(settings, purge_endpoint):
    location, purged = purge_endpoint
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": location,
        }
    }

    page = publish(CaseStudyPageFactory(title="A practice the CDN must forget"))

    for path in [page.url, "/", "/case-studies/", "/search/", "/feeds/rss/"]:
        assert path in purged, path


def test_nothing_is_purged_without_a_configured_cdn(settings, purge_endpoint):
    _, purged = purge_endpoint
    settings.WAGTAILFRONTENDCACHE = {}
    publish(CaseStudyPageFactory())
    assert purged == []
