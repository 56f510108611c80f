"""What a search page keeps per process and sends to the engine, seen as a reader and an
editor see it (issue 12, item 9): the facet labels held while the content version holds,
the result count written by a tag, the page's own stylesheet and script, and one
``_msearch`` whose answer is cut to what the page reads."""

import json
import re

import pytest
from django.contrib.auth.models import User
from elasticsearch import Elasticsearch
from wagtail.models import PageViewRestriction

from tests.factories import IndustryFactory
from tests.search.helpers import make_member, story

pytestmark = pytest.mark.django_db


def chips(html: str) -> list[str]:
    return re.findall(r'aria-label="Remove filter ([^"]+)"', html)


def result_count(html: str) -> str:
    match = re.search(r'<p id="result-count"[^>]*>(.*?)</p>', html, re.S)
    assert match, "no result count"
    return match.group(1).strip()


def test_a_renamed_term_is_named_anew_on_the_next_search_page(client, published, committed):
    fishing = IndustryFactory(name="Fishing", slug="fishing")
    published(story("Trawler hotline", summary="A hotline for fishers.", industry=fishing))
    html = client.get("/search/?q=hotline&industry=fishing").content.decode()
    assert chips(html) == ["Industry: Fishing"]
    assert 'Fishing <span class="facet__count" data-count>(1)</span>' in html

    fishing.name = "Seafood and fishing"
    with committed():
        fishing.save()
    html = client.get("/search/?q=fishers&industry=fishing").content.decode()
    assert chips(html) == ["Industry: Seafood and fishing"]
    assert 'Seafood and fishing <span class="facet__count" data-count>(1)</span>' in html
    assert ">Fishing <" not in html


def test_a_term_only_members_see_is_never_named_to_the_public_in_the_same_process(
    client, published, committed
):
    quarrying = IndustryFactory(name="Quarrying", slug="quarrying")
    _public, private = published(
        story("Public story", summary="A garment maker."),
        story("Private story", summary="Quinoa growers.", industry=quarrying),
    )
    with committed():
        PageViewRestriction.objects.create(page=private, restriction_type="login")

    client.force_login(make_member())
    html = client.get("/search/?industry=quarrying").content.decode()
    assert chips(html) == ["Industry: Quarrying"]
    assert "Private story" in html

    # The same process, right after: an outsider asking for the slug sees the slug alone.
    client.logout()
    html = client.get("/search/?industry=quarrying&q=story").content.decode()
    assert "Quarrying" not in html and "Private story" not in html
    assert chips(html) == ["Industry: quarrying"]
    # A signed-in reader who is not a member is an outsider too.
    client.force_login(User.objects.create_user("reader", password="pw"))
    html = client.get("/search/?industry=quarrying&q=maker").content.decode()
    assert "Quarrying" not in html and chips(html) == ["Industry: quarrying"]


def test_a_story_withdrawn_after_it_was_shown_leaves_the_next_search_page_at_once(
    client, published
):
    """The process remembers which stories the database shows, for the content version:
    a withdrawal moves the version on, even while the index still holds the story."""
    mill, cannery = published(
        story("Spinning mill repays fees", summary="Recruitment fees repaid to spinners."),
        story("Cannery repays fees", summary="Recruitment fees repaid at a cannery."),
    )
    html = client.get("/search/?q=fees").content.decode()
    assert mill.title in html and cannery.title in html

    cannery.unpublish()  # no commit callbacks run here: the index still holds it
    html = client.get("/search/?q=repaid").content.decode()
    assert mill.title in html and cannery.title not in html
    assert result_count(html) == "1 result for “repaid”"


def test_the_result_count_says_how_many_which_page_and_for_what_escaped(client, published):
    published(
        story("Spinning mill repays fees", summary="Recruitment fees repaid."),
        *[story(f"Cannery {n} repays fees", summary="Repaid at a cannery.") for n in range(11)],
    )
    html = client.get("/search/?q=spinning").content.decode()
    assert result_count(html) == "1 result for “spinning”"
    html = client.get("/search/?q=fees").content.decode()
    assert result_count(html) == "12 results, page 1 of 2 for “fees”"
    html = client.get("/search/?q=fees&page=2").content.decode()
    assert result_count(html) == "12 results, page 2 of 2 for “fees”"
    html = client.get("/search/", {"q": "cannery <&>"}).content.decode()
    assert result_count(html) == "11 results, page 1 of 2 for “cannery &lt;&amp;&gt;”"
    html = client.get("/search/?q=zzyzx").content.decode()
    assert result_count(html) == "No results for “zzyzx”"
    html = client.get("/search/").content.decode()
    assert result_count(html) == "12 results, page 1 of 2"


def test_the_result_count_says_search_is_unavailable_when_the_engine_is_down(
    client, published, settings
):
    published(story("Spinning mill repays fees"))
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    response = client.get("/search/?q=fees")
    assert response.status_code == 503
    assert result_count(response.content.decode()) == "Search is temporarily unavailable."


def test_the_page_links_its_stylesheet_and_script_where_static_files_are_served(
    client, published, settings
):
    published(story("Spinning mill repays fees"))
    html = client.get("/search/?q=fees").content.decode()
    assert '<link rel="stylesheet" href="/static/search/search.css">' in html
    assert '<script src="/static/search/search.js" defer></script>' in html
    # Served from elsewhere (a CDN), the next page follows at once.
    settings.STATIC_URL = "https://cdn.example.org/assets/"
    html = client.get("/search/?q=mill").content.decode()
    assert '<link rel="stylesheet" href="https://cdn.example.org/assets/search/search.css">' in html
    assert '<script src="https://cdn.example.org/assets/search/search.js" defer></script>' in html


@pytest.fixture
def msearch_sent(monkeypatch):
    """Each ``_msearch`` sent while a test runs: its query string and its searches."""
    sent: list[tuple[dict, list[dict]]] = []
    original = Elasticsearch.perform_request

    def recording(self, method, path, **kwargs):
        if path.endswith("/_msearch"):
            lines = kwargs["body"].decode().splitlines()
            sent.append((kwargs.get("params") or {}, [json.loads(line) for line in lines]))
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(Elasticsearch, "perform_request", recording)
    return sent


def test_a_search_page_sends_one_msearch_cut_to_what_the_page_reads(
    client, published, msearch_sent
):
    published(
        story("Spinning mill repays fees", summary="Recruitment fees repaid."),
        story("Cannery repays fees", summary="Fees repaid at a cannery."),
    )
    html = client.get("/search/?q=fees").content.decode()
    assert "<mark>fees</mark>" in html and "Spinning mill repays fees" in html
    ((params, lines),) = msearch_sent  # it finds enough: no second request
    header, search = lines
    assert set(header) == {"index"}
    assert search["size"] == 10 and "highlight" in search
    # The answer leaves out what the page never reads (shard counts, scores, sort values).
    parts = params["filter_path"].split(",")
    assert "responses.hits.hits._source" in parts and "responses.hits.hits._score" not in parts
    assert not any(part.endswith("_shards") for part in parts)
