"""A hit is the answer its miss gave, headers and all, on the shared cache production runs.

A hit takes over the headers the miss stored as Django had checked them, and reads
its entry on a Redis connection of its own (perf/cache.py, perf/shared_cache.py).
Neither may show: every cached type answers a hit with the miss's headers, apart
from ``X-Cache`` and a Content-Security-Policy nonce of its own that the body uses;
and a connection Redis drops (a restart, an idle timeout) costs no visitor an error.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import BrightSpotPageFactory, CaseStudyPageFactory, publish
from tests.perf.test_cache_hits import cached_types

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index", "shared_cache")]

NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-]+)'")
# Differ between a miss and its hit by design.
OWN_PER_RESPONSE = {"X-Cache", "Content-Security-Policy"}


@pytest.fixture
def addresses() -> dict[str, str]:
    story = publish(CaseStudyPageFactory(title="Recruitment fees repaid at a spinning mill"))
    bright_spot = publish(BrightSpotPageFactory(title="Grievances resolved within a week"))
    return cached_types(story, bright_spot)


def headers_of(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k not in OWN_PER_RESPONSE}


def test_every_cached_type_answers_a_hit_with_the_headers_of_its_miss(client, addresses):
    for name, url in addresses.items():
        miss = client.get(url)
        hit = client.get(url)
        assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT"), name
        assert headers_of(hit) == headers_of(miss), name
        assert hit.content.replace(_nonce(hit), b"") == miss.content.replace(_nonce(miss), b"")

        head = client.head(url)
        assert (head["X-Cache"], head.content) == ("HIT", b""), name
        assert headers_of(head) == headers_of(miss), name


def _nonce(response) -> bytes:
    """The nonce of this response's policy, which its body must use (b"" without one)."""
    found = NONCE.findall(response.get("Content-Security-Policy", ""))
    if not found:
        return b"\0"  # nothing to take out of the body
    assert len(set(found)) == 1
    return found[0].encode()


def test_every_hit_of_a_page_gets_a_nonce_of_its_own_that_its_body_uses(client, addresses):
    url = addresses["case study"]
    client.get(url)
    hits = [client.get(url) for _ in range(3)]
    nonces = [_nonce(hit) for hit in hits]
    assert all(hit["X-Cache"] == "HIT" for hit in hits)
    assert len(set(nonces)) == 3
    for hit, nonce in zip(hits, nonces, strict=True):
        assert f'nonce="{nonce.decode()}"'.encode() in hit.content
        assert int(hit["Content-Length"]) == len(hit.content)


def test_a_cache_connection_redis_dropped_costs_no_visitor_an_error(client, addresses):
    url = addresses["case study"]
    assert client.get(url)["X-Cache"] == "MISS"
    assert client.get(url)["X-Cache"] == "HIT"

    # What a Redis restart or its idle timeout does to every open connection.
    cache._cache.get_client(write=True).client_kill_filter(_type="normal", skipme=True)

    for _ in range(2):
        answer = Client().get(url)
        assert (answer.status_code, answer["X-Cache"]) == (200, "HIT")
        assert b"Recruitment fees repaid" in answer.content
