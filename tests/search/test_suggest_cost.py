"""Suggestions as you type: cheap at every keystroke, never naming what a reader may not see
(issue 12 item 9: suggestions p95 under 20 ms).

An anonymous visitor's suggestions are answered from the shared cache, once per typed text
and content generation; a text nobody typed since the last change asks Elasticsearch once,
and the database only about stories it has not been asked about in this generation. Every
publish, unpublish, privacy change and taxonomy edit moves the generation on, so none of
this outlives what it was computed from. Run on the cache production uses (Redis).
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from search.server import free_port
from tests.search.helpers import industries_and_practices, make_member, story

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

SUGGEST = "/search/suggest/"


@pytest.fixture
def catalogue(published):
    apparel, seafood, repay, grievance = industries_and_practices()
    return published(
        story(
            "Trawler hotline for fishing crews", industry=seafood, intervention_types=[grievance]
        ),
        story("Trawler crews repaid their fees", industry=seafood, intervention_types=[repay]),
        story("Spinning mill repays fees", industry=apparel, intervention_types=[repay]),
    )


def suggested(client: Client, text: str) -> list[str]:
    response = client.get(SUGGEST, {"q": text})
    assert response.status_code == 200
    return [s["text"] for s in response.json()["suggestions"]]


def asked(client: Client, text: str, engine_calls: list[str]):
    """One suggestion: the response, the SQL it ran and the search engine requests it sent."""
    engine_calls.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SUGGEST, {"q": text})
    assert response.status_code == 200
    return response, [q["sql"] for q in queries], list(engine_calls)


def test_a_typed_text_asks_elasticsearch_once_then_every_visitor_gets_it_from_the_cache(
    catalogue, engine_calls
):
    first, _sql, calls = asked(Client(), "traw", engine_calls)
    assert first["X-Cache"] == "MISS" and len(calls) == 1
    titles = [s["text"] for s in first.json()["suggestions"]]
    assert sorted(titles) == [
        "Trawler crews repaid their fees",
        "Trawler hotline for fishing crews",
    ]
    # Cacheable like the other public answers (docs/contract.md), for a minute at most.
    assert first["Cache-Control"] == (
        "public, max-age=60, s-maxage=60, stale-while-revalidate=0, stale-if-error=0"
    )
    assert first.has_header("ETag") and first.has_header("Last-Modified")

    another_visitor, sql, calls = asked(Client(), "traw", engine_calls)
    assert another_visitor["X-Cache"] == "HIT"
    assert another_visitor.content == first.content
    assert sql == [] and calls == []
    assert Client().get(SUGGEST, {"q": "traw"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_new_text_about_stories_already_checked_asks_the_database_nothing(
    catalogue, engine_calls
):
    visitor = Client()
    suggested(visitor, "traw")  # labels and both trawler stories checked for this generation
    response, sql, calls = asked(visitor, "trawler cr", engine_calls)
    assert response["X-Cache"] == "MISS" and len(calls) == 1
    assert len(suggested(visitor, "trawler cr")) == 2  # the same two stories
    assert sql == []
    # A story not asked about yet: the database says whether it is shown, once.
    _response, sql, _calls = asked(visitor, "spinn", engine_calls)
    assert len(sql) == 1 and "wagtailcore_page" in sql[0]
    _response, sql, _calls = asked(visitor, "spinning m", engine_calls)
    assert sql == []


def test_a_story_withdrawn_behind_a_stale_index_leaves_suggestions_at_once(catalogue):
    hotline, crews, _mill = catalogue
    visitor = Client()
    assert len(suggested(visitor, "traw")) == 2  # answered and its stories checked: cached
    # No commit callbacks: the index still holds both stories as public.
    hotline.unpublish()
    assert suggested(visitor, "traw") == [crews.title]
    assert suggested(Client(), "trawler") == [crews.title]

    PageViewRestriction.objects.create(page=crews, restriction_type=PageViewRestriction.LOGIN)
    assert suggested(visitor, "traw") == []
    assert suggested(Client(), "trawler c") == []
    member = Client()
    member.force_login(make_member())
    response = member.get(SUGGEST, {"q": "traw"})
    assert [s["text"] for s in response.json()["suggestions"]] == [crews.title]
    assert response["X-Cache"] == "BYPASS" and "no-store" in response["Cache-Control"]
    assert suggested(visitor, "traw") == []  # what the member was shown stays theirs


def test_a_term_renamed_in_the_admin_is_suggested_by_its_new_name_only(catalogue, admin_client):
    visitor = Client()
    assert "Seafood" in suggested(visitor, "sea")
    assert "Fisheries" not in suggested(visitor, "fish")
    seafood = catalogue[0].industry

    response = admin_client.post(
        f"/admin/snippets/casestudies/industry/edit/{seafood.pk}/",
        {"name": "Fisheries", "slug": seafood.slug, "description": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert "Seafood" not in suggested(visitor, "sea")
    assert "Fisheries" in suggested(visitor, "fish")
    term = next(
        s
        for s in visitor.get(SUGGEST, {"q": "fish"}).json()["suggestions"]
        if s["kind"] == "industry"
    )
    assert term == {
        "text": "Fisheries",
        "kind": "industry",
        "url": f"/search/?industry={seafood.slug}",
        "kind_label": "Industry",
    }


def test_suggestions_while_search_is_down_are_never_kept(catalogue, settings):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    down = Client().get(SUGGEST, {"q": "sea"})
    assert down.json()["search_available"] is False
    assert "Seafood" in [s["text"] for s in down.json()["suggestions"]]  # terms still come
    assert down["X-Cache"] == "BYPASS" and down["Cache-Control"] == "no-store"
    assert Client().get(SUGGEST, {"q": "sea"})["X-Cache"] == "BYPASS"
