"""A cached API answer costs what a cached page costs, and its rate limit stays exact.

The API's stored answers are rate-limited per client (``embeds.api.rate_limited``), so a
hit needs its entry, the content generation and the client's count from the shared
cache. They go out in one write (perf/shared_cache.py): the API's hit pays the round
trip a page's hit pays. The count is then left on the request for whichever answers it,
the stored answer or, on a miss, the view, so that every request is counted exactly
once. These tests run on a private Redis server, as production does, and count the
writes actually sent to it (the client is real; only its sends are tallied).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import CaseStudyPageFactory, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index", "shared_cache")]

LIST = "/api/stories/"


@pytest.fixture
def story():
    return publish(CaseStudyPageFactory(title="Recruitment fees repaid at a spinning mill"))


def _trips_of_a_hit(client, url, round_trips, **headers) -> int:
    assert client.get(url).status_code == 200  # stored, and this client's connections open
    round_trips.clear()
    response = client.get(url, **headers)
    assert response["X-Cache"] == "HIT", url
    return len(round_trips)


def test_a_cached_api_answer_pays_the_round_trip_of_a_cached_page(
    client, story, round_trips, settings
):
    settings.API_RATE_LIMIT = "100/m"
    page = _trips_of_a_hit(client, story.url, round_trips)
    api = _trips_of_a_hit(client, LIST, round_trips)
    assert page == api == 1
    detail = _trips_of_a_hit(client, f"{LIST}{story.pk}/", round_trips)
    assert detail == 1
    etag = client.get(LIST)["ETag"]
    assert _trips_of_a_hit(client, LIST, round_trips, HTTP_IF_NONE_MATCH=etag) == 1


def test_every_api_request_is_counted_once_whichever_answers_it(client, story, settings):
    settings.API_RATE_LIMIT = "4/m"
    miss = client.get(LIST)
    hit = client.get(LIST)
    revalidated = client.get(LIST, HTTP_IF_NONE_MATCH=miss["ETag"])
    filtered = client.get(LIST, {"type": "case-study"})  # another address: a miss
    refused = client.get(LIST)
    assert [(r.status_code, r["X-Cache"]) for r in (miss, hit, revalidated, filtered)] == [
        (200, "MISS"),
        (200, "HIT"),
        (304, "HIT"),
        (200, "MISS"),
    ]
    assert (refused.status_code, refused["X-Cache"]) == (429, "BYPASS")
    assert "detail" in refused.json()
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "ETag" not in refused and "public" not in refused.get("Cache-Control", "")


def test_clients_are_counted_apart_on_a_cached_answer(story, settings):
    settings.API_RATE_LIMIT = "1/m"
    reader, partner = Client(REMOTE_ADDR="198.51.100.7"), Client(REMOTE_ADDR="203.0.113.9")
    assert reader.get(LIST)["X-Cache"] == "MISS"
    served = partner.get(LIST)
    assert (served.status_code, served["X-Cache"]) == (200, "HIT")
    assert reader.get(LIST).status_code == 429
    assert partner.get(LIST, HTTP_IF_NONE_MATCH=served["ETag"]).status_code == 429


def test_a_cached_api_answer_is_its_miss_byte_for_byte(client, story, settings):
    settings.API_RATE_LIMIT = "100/m"
    for url in (LIST, f"{LIST}{story.pk}/", f"{LIST}?type=case-study&page_size=5"):
        miss, hit = client.get(url), client.get(url)
        assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT"), url
        assert hit.content == miss.content, url
        assert int(hit["Content-Length"]) == len(hit.content), url
        assert hit["ETag"] == miss["ETag"] and hit["Cache-Control"] == miss["Cache-Control"]


def test_an_api_revalidation_answers_with_the_validators_alone(client, story, settings):
    settings.API_RATE_LIMIT = "100/m"
    stored = client.get(LIST)
    again = client.get(LIST, HTTP_IF_NONE_MATCH=stored["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    assert (again["ETag"], again["Cache-Control"]) == (stored["ETag"], stored["Cache-Control"])
    assert again["Last-Modified"] == stored["Last-Modified"]
    for body_header in ("Content-Type", "Content-Length", "X-Frame-Options"):
        assert body_header not in again, body_header


def test_a_dropped_connection_neither_fails_nor_skips_the_count(client, story, settings):
    settings.API_RATE_LIMIT = "3/m"
    assert client.get(LIST)["X-Cache"] == "MISS"
    assert client.get(LIST)["X-Cache"] == "HIT"

    # What a Redis restart or its idle timeout does to every open connection.
    cache._cache.get_client(write=True).client_kill_filter(_type="normal", skipme=True)

    answer = client.get(LIST)
    assert (answer.status_code, answer["X-Cache"]) == (200, "HIT")
    assert b"Recruitment fees repaid" in answer.content
    assert client.get(LIST).status_code == 429  # the third was counted through the pool
