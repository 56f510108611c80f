"""`q` and `sort` on /api/stories/: the search page's results, its order, its refusals."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from wagtail.models import PageViewRestriction

from search.facets import FACETS
from search.server import free_port
from tests.factories import IndustryFactory, publish
from tests.search.helpers import story

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(search_index, django_capture_on_commit_callbacks):
    """Published the way editors publish, the index following after each commit.

    The older story has "fees" in its title, the newer one only in its summary, so
    relevance and newest-first give opposite orders.
    """
    apparel = IndustryFactory(name="Apparel", slug="apparel")
    seafood = IndustryFactory(name="Seafood", slug="seafood")
    made = [
        story(
            "Spinning mill repays fees", summary="Workers got their money back.", industry=apparel
        ),
        story("Trawler hotline", summary="Fishers report recruitment fees.", industry=seafood),
        story("Kiln grievance channel", summary="A channel for brick workers.", industry=apparel),
        story("Members-only fees practice", summary="Fees repaid quietly.", industry=seafood),
    ]
    for page in made:
        with django_capture_on_commit_callbacks(execute=True):
            publish(page)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=made[3], restriction_type="login")
    return made


def api_titles(client, params) -> list[str]:
    response = client.get("/api/stories/", params)
    assert response.status_code == 200, response.content
    return [s["title"] for s in response.json()["results"]]


def search_page_titles(client, query_string: str) -> list[str]:
    response = client.get(f"/search/?{query_string}")
    assert response.status_code == 200
    return re.findall(r'class="card__title"><a href="[^"]*">([^<]*)</a>', response.content.decode())


def test_q_answers_the_search_pages_stories_in_its_order(client, stories):
    relevance = api_titles(client, {"q": "fees"})
    assert relevance == ["Spinning mill repays fees", "Trawler hotline"]  # title outweighs summary
    assert relevance == search_page_titles(client, "q=fees")

    newest = api_titles(client, {"q": "fees", "sort": "newest"})
    assert newest == ["Trawler hotline", "Spinning mill repays fees"]
    assert newest == search_page_titles(client, "q=fees&sort=newest")

    assert api_titles(client, {"q": "fees", "industry": "seafood"}) == ["Trawler hotline"]
    assert api_titles(client, {"q": "hotline", "type": "bright-spot"}) == []
    # Without q nothing changed: every public story, newest first.
    assert api_titles(client, {}) == [
        "Kiln grievance channel",
        "Trawler hotline",
        "Spinning mill repays fees",
    ]


def test_searched_stories_page_like_the_listing(client, stories):
    first = client.get("/api/stories/", {"q": "fees", "page_size": 1}).json()
    assert first["count"] == 2 and first["num_pages"] == 2
    assert [s["title"] for s in first["results"]] == ["Spinning mill repays fees"]
    assert first["results"][0]["url"] == django_settings.SITE_URL + stories[0].url
    detail = f"{django_settings.SITE_URL}/api/stories/{stories[0].pk}/"
    assert first["results"][0]["detail_url"] == detail
    assert "q=fees" in first["next"] and first["previous"] is None
    second = client.get(first["next"].removeprefix(django_settings.SITE_URL)).json()
    assert [s["title"] for s in second["results"]] == ["Trawler hotline"]
    assert second["next"] is None and "page=1" in second["previous"]
    beyond = client.get("/api/stories/", {"q": "fees", "page": 7, "page_size": 1}).json()
    assert beyond["results"] == [] and beyond["count"] == 2


@pytest.mark.parametrize(
    "params, param, words",
    [
        ({"industy": "apparel"}, "industy", "unknown parameter"),
        ({"industry": "no-such-thing"}, "industry", "no-such-thing"),
        ({"industry": ["apparel", "bad\x00value"]}, "industry", "bad"),
        ({"region": "atlantis"}, "region", "atlantis"),
        ({"type": "article"}, "type", "case-study"),
        ({"verification": "made-up"}, "verification", "self-reported"),
        ({"sort": "oldest"}, "sort", "relevance"),
        ({"year": "not-a-year"}, "year", "not a year"),
        ({"year": "99999999999999999999999"}, "year", "not a year"),
        ({"q": "fees " * 100}, "q", "200 characters"),
    ],
)
def test_unknown_parameters_and_values_answer_422_naming_them(
    client, stories, params, param, words
):
    response = client.get("/api/stories/", params)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [["query", param]]
    assert words in errors[0]["msg"]


def test_the_schema_lists_the_allowed_values(client, stories):
    listing = client.get("/api/openapi.json").json()["paths"]["/api/stories/"]["get"]
    parameters = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert {f.param for f in FACETS} | {"q", "sort", "page", "page_size"} == set(parameters)
    assert parameters["sort"]["enum"] == ["relevance", "newest"]
    assert parameters["type"]["items"]["enum"] == ["case-study", "bright-spot"]
    assert parameters["verification"]["items"]["enum"] == [
        "self-reported",
        "second-party",
        "independently-audited",
    ]
    assert set(parameters["industry"]["items"]["enum"]) == {"apparel", "seafood"}
    assert parameters["page_size"]["maximum"] == 100
    assert "503" in listing["responses"] and "422" in listing["responses"]


def test_q_while_search_is_down_answers_503_never_all_stories(client, stories, settings):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    response = client.get("/api/stories/", {"q": "fees"})
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Search is temporarily unavailable" in response.json()["detail"]
    # The filters alone do not need the search engine.
    assert api_titles(client, {"industry": "seafood"}) == ["Trawler hotline"]
