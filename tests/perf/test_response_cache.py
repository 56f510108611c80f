"""Every anonymous public answer is cached like pages are: validators, 304s, CDN headers.

The embed card, oEmbed, the API (list and detail), every feed, the sitemap, open data
and the impact pages are served from the one generation-keyed cache (perf.responses):
a change a visitor could see reaches every one of them at once, nothing signed-in is
ever stored, and errors are never stored.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client
from django.utils.http import http_date

from perf import responses
from search.server import free_port
from tests.factories import (
    CaseStudyPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    publish,
    withdraw,
)
from tests.reading import response_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]

TITLE = "Recruitment fees repaid at a spinning mill"


@pytest.fixture
def story():
    page = CaseStudyPageFactory(
        title=TITLE,
        slug="fees-at-a-spinning-mill",
        industry=IndustryFactory(name="Home textiles", slug="home-textiles"),
        intervention_types=[InterventionTypeFactory(name="Employer pays", slug="employer-pays")],
    )
    MetricResultFactory(
        page=page, metric=MetricDefinitionFactory(name="Fees repaid", slug="fees-repaid")
    )
    return publish(page)


def story_surfaces(story) -> dict[str, str]:
    """Every cacheable type that names the story (its title, or its address)."""
    oembed_query = urlencode({"url": f"http://testserver{story.url}", "format": "json"})
    return {
        "embed card": f"/embed/{story.pk}/",
        "oEmbed": f"/oembed/?{oembed_query}",
        "API list": "/api/stories/",
        "API detail": f"/api/stories/{story.pk}/",
        "RSS feed": "/feeds/rss/",
        "Atom feed": "/feeds/atom/",
        "industry feed": "/feeds/industry/home-textiles/rss/",
        "intervention feed": "/feeds/intervention/employer-pays/rss/",
        "search feed": "/feeds/search/atom/?industry=home-textiles",
        "open data CSV": "/data/metric-results.csv",
        "open data JSON": "/data/metric-results.json",
        "sitemap": "/sitemap-pages.xml",
    }


# Types whose content is figures and vocabulary rather than story titles.
IMPACT_SURFACES = {
    "dashboard": "/impact/",
    "metric index": "/metrics/",
    "metric page": "/metrics/fees-repaid/",
}


def shows(response, story, name: str) -> bool:
    body = response_bytes(response).decode()  # open data is served from a file
    return story.slug in body if name == "sitemap" else story.title in body


# The sitemap index lists the sitemap's files, not stories.
INDEX_SURFACES = {"sitemap index": "/sitemap.xml"}


def every_surface(story) -> dict[str, str]:
    return {**story_surfaces(story), **IMPACT_SURFACES, **INDEX_SURFACES}


def test_second_anonymous_request_is_served_from_the_cache_with_validators(client, story):
    for name, url in every_surface(story).items():
        first = client.get(url)
        second = client.get(url)
        assert first.status_code == 200, name
        assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT"), name
        if name in story_surfaces(story):
            assert shows(second, story, name), name
        if not first["Content-Type"].startswith("text/html"):  # pages get their own nonce
            assert response_bytes(second) == response_bytes(first), name
        assert second["Content-Type"] == first["Content-Type"], name
        assert second["ETag"] == first["ETag"] and first["ETag"].startswith('"'), name
        assert second["Last-Modified"] == first["Last-Modified"], name


def test_conditional_requests_answer_304_without_rendering(
    client, story, django_assert_num_queries
):
    for name, url in every_surface(story).items():
        stored = client.get(url)
        etag, modified = stored["ETag"], stored["Last-Modified"]
        # One query: the content generation, read once per request.
        with django_assert_num_queries(1):
            again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, name
        assert again.content == b"", name
        assert (again["ETag"], again["X-Cache"]) == (etag, "HIT"), name
        assert "Content-Security-Policy" not in again, name  # the browser keeps its copy's
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304, name
        assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200, name


def test_a_page_answers_304_too(client, story):
    first = client.get(story.url)
    assert first["X-Cache"] == "MISS"
    revalidated = client.get(story.url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304
    assert "max-age=0" in revalidated["Cache-Control"]  # browsers revalidate every time


def test_anonymous_answers_carry_cdn_headers_chosen_per_type(client, story):
    expected = {
        "embed card": responses.EMBED_CARD,
        "oEmbed": responses.OEMBED,
        "API list": responses.API,
        "API detail": responses.API,
        "RSS feed": responses.FEED,
        "search feed": responses.FEED,
        "open data CSV": responses.OPEN_DATA,
        "sitemap": responses.SITEMAP,
        "sitemap index": responses.SITEMAP,
        "dashboard": responses.PAGE,
    }
    surfaces = every_surface(story)
    for name, freshness in expected.items():
        for response in (client.get(surfaces[name]), client.get(surfaces[name])):  # MISS, HIT
            directives = {d.strip() for d in response["Cache-Control"].split(",")}
            assert directives == {
                "public",
                f"max-age={freshness.max_age}",
                f"s-maxage={freshness.s_maxage}",
                f"stale-while-revalidate={freshness.stale_while_revalidate}",
                f"stale-if-error={freshness.stale_if_error}",
            }, name
    page = client.get(story.url)
    assert f"s-maxage={responses.PAGE.s_maxage}" in page["Cache-Control"]


def _seen_everywhere(client, story) -> dict[str, tuple[str, bool]]:
    """Fetch each type twice (stored, then served from the cache): its ETag and whether it
    shows the story."""
    seen = {}
    for name, url in story_surfaces(story).items():
        client.get(url)
        response = client.get(url)
        assert response["X-Cache"] == "HIT", name
        seen[name] = (response["ETag"], shows(response, story, name))
    return seen


def test_publishing_a_change_reaches_every_cached_type_at_once(client, story):
    before = _seen_everywhere(client, story)
    assert all(visible for _, visible in before.values()), before

    story.title = "Fees repaid to every worker at a spinning mill"
    publish(story)

    for name, url in story_surfaces(story).items():
        if name == "sitemap":
            continue  # it lists addresses, and the address did not change
        response = client.get(url)
        assert response["X-Cache"] == "MISS", name
        assert "Fees repaid to every worker" in response_bytes(response).decode(), name
        assert response["ETag"] != before[name][0], name
        # The ETag a reader holds no longer matches: the new content, not a 304.
        assert client.get(url, HTTP_IF_NONE_MATCH=before[name][0]).status_code == 200, name


@pytest.mark.parametrize("change", ["unpublish", "members-only"])
def test_a_story_withdrawn_leaves_every_cached_type_at_once(client, story, change):
    surfaces = story_surfaces(story)
    _seen_everywhere(client, story)

    withdraw(story, change)

    for name, url in surfaces.items():
        response = client.get(url)
        assert response["X-Cache"] != "HIT", name
        assert not shows(response, story, name), name
    # The story's own answers are now errors, and errors are not stored.
    for name in ("embed card", "oEmbed", "API detail"):
        response = client.get(surfaces[name])
        assert response.status_code == 404, name
        assert response["X-Cache"] == "BYPASS", name
        assert "s-maxage" not in response.get("Cache-Control", ""), name


def test_a_taxonomy_edit_reaches_every_cached_type_at_once(client, story):
    from casestudies.models import Industry, MetricDefinition

    shows_industry = ["embed card", "API list", "API detail", "dashboard"]
    shows_metric = ["open data CSV", "open data JSON", "metric index", "metric page"]
    surfaces = every_surface(story)
    for name in shows_industry + shows_metric:
        client.get(surfaces[name])
        assert client.get(surfaces[name])["X-Cache"] == "HIT", name

    industry = Industry.objects.get(slug="home-textiles")
    industry.name = "Bed and bath linen"
    industry.save()
    metric = MetricDefinition.objects.get(slug="fees-repaid")
    metric.name = "Recruitment fees repaid"
    metric.save()

    for name in shows_industry:
        assert "Bed and bath linen" in client.get(surfaces[name]).content.decode(), name
    for name in shows_metric:
        assert "Recruitment fees repaid" in response_bytes(client.get(surfaces[name])).decode()


def test_signed_in_people_are_never_served_or_stored(client, story):
    member = User.objects.create_user("member", password="pw")
    member.groups.add(Group.objects.create(name="Member: Acme"))
    signed_in = Client()
    signed_in.force_login(member)

    for name, url in every_surface(story).items():
        for _ in range(2):
            response = signed_in.get(url)
            assert response["X-Cache"] == "BYPASS", name
            directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
            assert {"private", "no-store"} <= directives, name
            assert not any(d.startswith(("public", "s-maxage", "stale-")) for d in directives)
            assert "ETag" not in response, name
        # What the member was shown was not stored for anyone else.
        assert client.get(url)["X-Cache"] == "MISS", name
        # And what an anonymous reader stored is not served to the member.
        assert signed_in.get(url, HTTP_IF_NONE_MATCH=client.get(url)["ETag"]).status_code == 200


def test_unknown_parameters_create_no_entries(client, story):
    for name, url in story_surfaces(story).items():
        tracked = f"{url}{'&' if '?' in url else '?'}utm_source=newsletter"
        for _ in range(2):
            response = client.get(tracked)
            assert response["X-Cache"] == "BYPASS", name
            assert "ETag" not in response, name
        assert client.get(url)["X-Cache"] == "MISS", name
    # The API still refuses a parameter it does not know, even once its answer is stored.
    assert client.get("/api/stories/", {"colour": "red"}).status_code == 422


def test_known_parameters_are_keyed_in_one_order(client, story):
    first = client.get("/api/stories/", {"industry": "home-textiles", "page_size": "5"})
    same = client.get("/api/stories/?page_size=5&industry=home-textiles")
    assert (first["X-Cache"], same["X-Cache"]) == ("MISS", "HIT")
    assert TITLE in same.content.decode()
    other = client.get(f"/embed/{story.pk}/", {"theme": "dark"})
    assert other["X-Cache"] == "MISS" and 'class="theme-dark"' in other.content.decode()


def test_errors_are_never_stored(client, story, settings):
    for url in (
        "/api/stories/999999/",
        "/oembed/?url=http://testserver/case-studies/nothing-here/",
        "/oembed/?url=",
        "/embed/999999/",
        "/feeds/industry/no-such-industry/rss/",
        "/metrics/no-such-metric/",
    ):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code >= 400, url
            assert response["X-Cache"] == "BYPASS", url
            assert "s-maxage" not in response.get("Cache-Control", ""), url

    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # search is down
    for _ in range(2):
        response = client.get("/api/stories/", {"q": "fees"})
        assert response.status_code == 503
        assert response["X-Cache"] == "BYPASS"


def test_the_counter_image_is_never_cached(client, story):
    url = f"/embed/{story.pk}/counter.gif"
    for _ in range(2):
        response = client.get(url, HTTP_REFERER="https://news.example/a")
        assert response["X-Cache"] == "BYPASS"
        assert "ETag" not in response


def test_cached_api_answers_still_count_against_the_rate_limit(client, story, settings):
    settings.API_RATE_LIMIT = "2/m"
    statuses = [client.get("/api/stories/") for _ in range(3)]
    assert [(r.status_code, r["X-Cache"]) for r in statuses] == [
        (200, "MISS"),
        (200, "HIT"),
        (429, "BYPASS"),
    ]
    assert int(statuses[-1]["Retry-After"]) >= 1


def test_last_modified_is_when_the_content_generation_began(client, story, settings):
    response = client.get("/feeds/rss/")
    began = responses.generation_began(_generation())
    assert response["Last-Modified"] == http_date(began)
    # A feed's own latest-item date would not move when a story is withdrawn; this does.
    story.unpublish()
    cache.set(f"perf:generation-began:{settings.RELEASE}:{_generation()}", began + 5)
    assert client.get("/feeds/rss/")["Last-Modified"] == http_date(began + 5)


def _generation() -> int:
    from perf.cache import current_generation

    return current_generation()


def test_withdrawing_a_story_purges_its_cached_types_from_the_cdn(
    story, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()

    for path in (
        f"/embed/{story.pk}/",
        f"/api/stories/{story.pk}/",
        "/api/stories/",
        "/feeds/rss/",
        "/feeds/atom/",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/data/metric-results.csv",
        "/data/metric-results.json",
        "/impact/",
        "/metrics/",
    ):
        assert path in purged, path
