"""The open API: public stories only, the search page's filters, pages, CORS, rate limit, schema."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import BrightSpotPageFactory, publish

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["title"] for s in response.json()["results"]]


def test_lists_public_stories_newest_first(
    client, case_study, bright_spot, draft_story, members_only_story
):
    response = client.get("/api/stories/")
    assert titles(response) == [bright_spot.title, case_study.title]
    assert response.json()["count"] == 2
    story = response.json()["results"][1]
    assert story["type"] == "case-study"
    assert story["url"] == settings.SITE_URL + case_study.url
    assert story["industry"] == {"slug": "apparel", "name": "Apparel"}
    assert story["headline_metric"]["value"] == 1500
    assert story["embed_url"] == f"{settings.SITE_URL}/embed/{case_study.pk}/"
    assert_no_secrets(response.content.decode())


def test_members_see_no_more_than_anyone_through_the_api(client, admin_user, members_only_story):
    client.force_login(admin_user)
    assert titles(client.get("/api/stories/")) == []
    assert client.get(f"/api/stories/{members_only_story.pk}/").status_code == 404


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"industry": "apparel"}, ["case_study"]),
        ({"industry": ["apparel", "seafood"]}, ["bright_spot", "case_study"]),
        ({"intervention": "employer-pays"}, ["case_study"]),
        ({"stage": "manufacturing"}, ["case_study"]),
        ({"region": "south-east-asia"}, ["bright_spot"]),
        ({"type": "bright-spot"}, ["bright_spot"]),
        ({"type": "case-study", "industry": "seafood"}, []),
        ({"year": "2021"}, ["case_study"]),
        ({"year": "2023"}, ["bright_spot"]),
        ({"year": ["2019", "2022"]}, ["case_study"]),
        ({"year": "1999"}, []),
        ({"verification": "independently-audited"}, ["case_study"]),
        ({"verification": "second-party"}, ["bright_spot"]),
    ],
)
def test_filters_are_the_search_pages(client, case_study, bright_spot, params, expected):
    pages = {"case_study": case_study, "bright_spot": bright_spot}
    assert titles(client.get("/api/stories/", params)) == [pages[p].title for p in expected]


def test_pagination(client, seafood):
    stories = [
        publish(BrightSpotPageFactory(title=f"Bright spot {n}", industry=seafood)) for n in range(5)
    ]
    first = client.get("/api/stories/", {"page_size": 2, "industry": "seafood"}).json()
    assert first["count"] == 5 and first["num_pages"] == 3
    assert [s["id"] for s in first["results"]] == [stories[4].pk, stories[3].pk]
    assert first["previous"] is None
    assert "page=2" in first["next"] and "industry=seafood" in first["next"]
    last = client.get(first["next"].removeprefix(settings.SITE_URL)).json()
    assert "page=3" in last["next"]
    last = client.get(last["next"].removeprefix(settings.SITE_URL)).json()
    assert [s["id"] for s in last["results"]] == [stories[0].pk]
    assert last["next"] is None
    beyond = client.get("/api/stories/", {"page": 9, "page_size": 2}).json()
    assert beyond["results"] == [] and beyond["count"] == 5


@pytest.mark.parametrize(
    "params", [{"page": "0"}, {"page": "x"}, {"page_size": "1000"}, {"page_size": "-1"}]
)
def test_bad_paging_is_a_clear_error(client, params):
    response = client.get("/api/stories/", params)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_detail_has_the_full_public_story(client, case_study, bright_spot):
    data = client.get(f"/api/stories/{case_study.pk}/").json()
    assert data["title"] == case_study.title
    assert data["steps"][0]["heading"] == "Map the recruitment corridor"
    assert "The team mapped every agency." in data["steps"][0]["what_was_done"]
    assert data["results"][0]["metric"] == "Workers repaid"
    assert data["licence"] == settings.REPUBLISH_LICENCE
    assert settings.SITE_URL + case_study.url in data["attribution"]
    assert_no_secrets(str(data))
    spot = client.get(f"/api/stories/{bright_spot.pk}/").json()
    assert spot["body"].startswith("A seafood processor") and spot["steps"] == []


def test_detail_of_non_public_or_unknown_stories_is_404(client, draft_story, members_only_story):
    for pk in (draft_story.pk, members_only_story.pk, 2, 123456):
        assert client.get(f"/api/stories/{pk}/").status_code == 404
    assert client.get("/api/stories/99999999999999999999/").status_code == 422


def test_cors_is_open_for_reading_only(client, case_study):
    response = client.get("/api/stories/", HTTP_ORIGIN="https://news.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/stories/",
        HTTP_ORIGIN="https://news.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    refused = client.options(
        "/api/stories/",
        HTTP_ORIGIN="https://news.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE",
    )
    assert "Access-Control-Allow-Origin" not in refused
    post = client.post("/api/stories/", {}, HTTP_ORIGIN="https://news.example")
    assert post.status_code == 405
    assert "Access-Control-Allow-Origin" not in post
    assert "Access-Control-Allow-Origin" not in client.get(case_study.url)


def test_rate_limited_per_client(client, settings):
    settings.API_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert client.get("/api/stories/").status_code == 200
    limited = client.get("/api/stories/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    other_client = client.get("/api/stories/", REMOTE_ADDR="10.1.2.3")
    assert other_client.status_code == 200


def test_openapi_schema_documents_the_filters(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    listing = schema["paths"]["/api/stories/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"industry", "intervention", "stage", "region", "type", "year", "page"} <= names
    assert "/api/stories/{story_id}/" in schema["paths"]
    assert client.get("/api/").status_code == 200  # human-readable docs
