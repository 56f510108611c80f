"""Rate limits on the cache production runs (Redis): one round trip per counted event.

A cached API answer costs little more than a static file, so the rate limit in front of
it must not cost several round trips to the shared cache: one script counts the event,
opens the window with its expiry when it is the first, and reads how long the window has
left. These tests run on a private Redis server and count the commands
actually sent to it (the client is real; only its sends are tallied).
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from base.throttle import RateLimit
from tests.factories import CaseStudyPageFactory, publish

pytestmark = pytest.mark.django_db


def test_an_event_costs_one_round_trip(round_trips):
    limit = RateLimit("one-trip", limit=2, seconds=60)
    limit.hit("198.51.100.1")  # opens this thread's connection: its handshake is not counted
    hits = []
    for _ in range(3):
        round_trips.clear()
        hits.append(limit.hit("203.0.113.7"))
        assert len(round_trips) == 1
    assert [h.allowed for h in hits] == [True, True, False]
    assert 58 <= hits[-1].retry_after <= 60


def test_a_cached_api_answer_pays_one_round_trip_for_its_rate_limit(client, round_trips, settings):
    settings.API_RATE_LIMIT = "3/m"
    publish(CaseStudyPageFactory(title="Fees repaid at a cannery"))
    assert client.get("/api/stories/").status_code == 200  # stored
    round_trips.clear()
    response = client.get("/api/stories/")
    assert response.status_code == 200 and response["X-Cache"] == "HIT"
    # The stored answer, the content generation and the count: one write, as a page's hit.
    assert len(round_trips) == 1
    statuses = [client.get("/api/stories/").status_code for _ in range(2)]
    assert statuses == [200, 429]


def test_the_window_closes_and_a_new_one_opens(shared_cache):
    limit = RateLimit("short-window", limit=1, seconds=1)
    assert limit.hit("reader").allowed
    refused = limit.hit("reader")
    assert not refused.allowed and refused.retry_after == 1
    time.sleep(1.2)
    assert limit.hit("reader").allowed


def test_undo_gives_an_event_back_but_never_outlives_the_window(shared_cache):
    limit = RateLimit("undo", limit=1, seconds=1)
    assert limit.hit("editor").allowed
    limit.undo("editor")
    assert limit.hit("editor").allowed  # the given-back event made room
    time.sleep(1.2)
    limit.undo("editor")  # the window is gone: nothing to give back, nothing made
    key = cache.make_key(limit._name(("editor",)))
    assert cache._cache.get_client().exists(key) == 0
    assert limit.hit("editor").allowed
