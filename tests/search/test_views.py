"""The /search/ page, suggestions, health, related practices, and Elasticsearch faults."""

import re
import socket
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from elasticsearch import Elasticsearch
from wagtail.models import PageViewRestriction

from search.server import free_port
from search.tasks import drain_index_changes
from tests.search.helpers import industries_and_practices, make_member, story

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(published):
    apparel, seafood, repay, grievance = industries_and_practices()
    return published(
        story(
            "Spinning mill repays fees",
            summary="Recruitment fees repaid.",
            industry=apparel,
            intervention_types=[repay],
        ),
        story(
            "Trawler hotline",
            summary="A hotline for fishers.",
            industry=seafood,
            intervention_types=[grievance],
        ),
        story(
            "Cannery repays fees",
            summary="Recruitment fees repaid at a cannery.",
            industry=seafood,
            intervention_types=[repay],
        ),
    )


def test_search_page_works_without_javascript(client, catalogue):
    html = client.get("/search/?q=fees&industry=seafood").content.decode()
    # A plain GET form with the query, facet checkboxes with counts and an apply button.
    assert re.search(r'<form[^>]+action="/search/"[^>]+method="get"', html)
    assert 'name="q" value="fees"' in html
    assert re.search(r'name="industry" value="seafood" checked>\s*<label[^>]*>Seafood', html)
    assert re.search(r'value="apparel">\s*<label[^>]*>Apparel <span[^>]*>\(1\)', html)
    assert 'type="submit" class="search__apply"' in html
    # Results: count announced to screen readers, cards with highlights, removable chips.
    assert re.search(r'role="status" aria-live="polite"[^>]*>1 result for “fees”', html)
    assert "Cannery repays fees" in html and "Spinning mill" not in html
    assert "<mark>fees</mark>" in html
    assert 'href="/search/?q=fees" aria-label="Remove filter Industry: Seafood"' in html


def test_did_you_mean_links_to_the_corrected_search(client, catalogue):
    html = client.get("/search/?q=jotline").content.decode()
    assert "No stories match “jotline”" in html
    assert 'Did you mean <a href="/search/?q=hotline">hotline</a>?' in html


def test_one_elasticsearch_request_and_constant_sql_per_page(
    client, published, monkeypatch, settings
):
    calls = []
    original = Elasticsearch.perform_request

    def counting(self, method, path, **kwargs):
        calls.append(path)
        return original(self, method, path, **kwargs)

    published(*[story(f"Story {n}", summary="Cobalt refining.") for n in range(12)])
    client.get("/search/?q=cobalt")  # warm the taxonomy label cache
    monkeypatch.setattr(Elasticsearch, "perform_request", counting)

    queries = []
    for size in (2, 10):
        settings.SEARCH_PAGE_SIZE = size
        calls.clear()
        with CaptureQueriesContext(connection) as captured:
            # (Distinct URLs: the anonymous page cache must not answer for the view.)
            response = client.get(f"/search/?q=cobalt&industry=nope&year=2022&n={size}")
            response = client.get(f"/search/?q=cobalt&sort=newest&n={size}")
        assert response.content.decode().count('class="card ') == size
        # One request for the page that finds stories; the one that finds none asks a
        # second time, tolerating typos.
        assert len(calls) == 3 and all(path.endswith(("/_search", "/_msearch")) for path in calls)
        queries.append(len(captured))
    assert queries[0] == queries[1]


def test_suggestions_offer_titles_and_taxonomy_terms_the_visitor_may_see(
    client, catalogue, committed
):
    with committed():
        PageViewRestriction.objects.create(page=catalogue[1], restriction_type="login")
    data = client.get("/search/suggest/?q=se").json()
    texts = [s["text"] for s in data["suggestions"]]
    assert "Seafood" in texts
    data = client.get("/search/suggest/?q=trawl").json()
    assert data["suggestions"] == []

    client.force_login(make_member())
    data = client.get("/search/suggest/?q=trawl").json()
    assert data["suggestions"][0]["text"] == "Trawler hotline"
    assert data["suggestions"][0]["url"] == catalogue[1].url


def test_related_practices_share_tags_or_text_respect_audience_and_skip_the_page(
    client, catalogue, committed, published
):
    mill, trawler, cannery = catalogue
    similar_text = published(
        story("Brickworks", summary="Recruitment fees repaid to kiln workers.")
    )
    related = client.get(mill.url).content.decode().split("Related practices", 1)[1]
    assert "Cannery repays fees" in related  # same intervention, similar words
    assert "Brickworks" in related  # similar words only
    assert related.index("Cannery repays fees") < related.index("Brickworks")
    assert "Trawler hotline" not in related  # nothing in common
    assert "Spinning mill repays fees" not in related

    with committed():
        PageViewRestriction.objects.create(page=cannery, restriction_type="login")
    related = client.get(mill.url).content.decode().split("Related practices", 1)[1]
    assert "Cannery repays fees" not in related
    assert similar_text.title in related


def test_related_practices_are_kept_until_content_changes_and_never_go_stale(
    client, catalogue, committed, settings
):
    mill, trawler, cannery = catalogue
    member = make_member()
    client.force_login(member)  # signed in: the page itself is never cached
    assert "Cannery repays fees" in client.get(mill.url).content.decode()

    # The search server goes away: the related practices were kept, the page still shows them.
    working_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    html = client.get(mill.url).content.decode()
    assert "Related practices" in html and "Cannery repays fees" in html

    # An unpublish makes them stale: nothing kept is shown, and the page still renders.
    with committed():
        cannery.unpublish()
    response = client.get(mill.url)
    assert response.status_code == 200
    assert "Cannery repays fees" not in response.content.decode()

    # The server is back and the kept index change is applied (the task's retry does this).
    settings.ELASTICSEARCH_URL = working_url
    drain_index_changes.enqueue()
    assert "Cannery repays fees" not in client.get(mill.url).content.decode()


def test_a_page_rendered_while_search_is_down_is_not_kept_without_its_related_practices(
    client, catalogue, settings
):
    mill = catalogue[0]
    working_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    response = client.get(mill.url)
    assert response.status_code == 200 and "Related practices" not in response.content.decode()
    assert response["X-Cache"] == "BYPASS"

    settings.ELASTICSEARCH_URL = working_url
    response = client.get(mill.url)
    assert response["X-Cache"] == "MISS"
    assert "Cannery repays fees" in response.content.decode()
    assert client.get(mill.url)["X-Cache"] == "HIT"


def test_health_reports_search_status(client, settings):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["search"]["ok"] is True

    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["search"]["ok"] is False
    assert time.monotonic() - started < 3


def test_search_down_offers_browsing_from_the_database(client, catalogue, settings, committed):
    with committed():
        PageViewRestriction.objects.create(page=catalogue[2], restriction_type="login")
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"

    response = client.get("/search/?q=fees&industry=seafood")
    html = response.content.decode()
    assert response.status_code == 503
    assert "Search is temporarily unavailable" in html
    assert 'href="/search/?industry=apparel">Apparel</a>' in html
    assert 'href="/search/?intervention=grievance">Grievance channel</a>' in html
    assert "Trawler hotline" in html  # seafood, from the database
    assert "Spinning mill repays fees" not in html  # another industry
    assert "Cannery repays fees" not in html  # members only

    assert client.get("/search/suggest/?q=sea").json()["search_available"] is False


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers: a hung search cluster."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_slow_search_gives_up_quickly_and_says_so(client, settings, silent_server):
    settings.ELASTICSEARCH_URL = silent_server
    settings.SEARCH_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    response = client.get("/search/?q=fees")
    assert response.status_code == 503
    assert "Search is temporarily unavailable" in response.content.decode()
    assert time.monotonic() - started < 3
