"""A cached page's hit carries its own request's CSP nonce, wherever the miss had its own.

The hit no longer searches the stored body for the stored nonce: the entry records where
it stands and the hit splices its own nonce in (perf/cache.py). The nonce itself is made
only when something reads it (base/csp.py), so answers without a page never pay for one.
"""

from __future__ import annotations

import re

import pytest

from perf.cache import _offsets, _with_nonce
from tests.factories import CaseStudyPageFactory, publish

STORED = b"AAAAAAAAAAAAAAAAAAAAAAAA"
OWN = b"bbbbbbbbbbbbbbbbbbbbbbbb"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"no nonce here",
        STORED,
        STORED + STORED,
        b'<style nonce="' + STORED + b'">' + b"x" * 40_000 + b'<script nonce="' + STORED,
        STORED + b"middle" + STORED + b"end",
        b"AAAA" + STORED + b"A",  # a run of its first letter just before and after it
    ],
)
def test_the_hits_nonce_goes_exactly_where_a_replace_would_put_it(body):
    spliced = _with_nonce(body, _offsets(body, STORED), len(STORED), OWN)
    assert spliced == body.replace(STORED, OWN)


NONCE_ATTRIBUTE = re.compile(rb'nonce="([A-Za-z0-9_\-]+)"')
POLICY_NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-]+)'")


@pytest.mark.django_db
@pytest.mark.usefixtures("search_index", "shared_cache")
@pytest.mark.parametrize("surface", ["story page", "embed card"])
def test_every_nonce_of_a_hit_is_its_own_and_nothing_else_differs(client, surface):
    page = publish(CaseStudyPageFactory(title="Recruitment fees repaid at a spinning mill"))
    url = page.url if surface == "story page" else f"/embed/{page.pk}/"
    miss = client.get(url)
    hits = [client.get(url), client.get(url)]

    (miss_nonce,) = set(NONCE_ATTRIBUTE.findall(miss.content))
    # The card has an inline style and an inline script.
    assert miss.content.count(miss_nonce) >= (1 if surface == "story page" else 2)
    for hit in hits:
        assert hit["X-Cache"] == "HIT"
        (own,) = set(POLICY_NONCE.findall(hit["Content-Security-Policy"]))
        assert set(NONCE_ATTRIBUTE.findall(hit.content)) == {own.encode()}
        assert hit.content.count(own.encode()) == miss.content.count(miss_nonce)
        assert hit.content == miss.content.replace(miss_nonce, own.encode())
        assert int(hit["Content-Length"]) == len(hit.content)
    assert hits[0]["Content-Security-Policy"] != hits[1]["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.usefixtures("search_index", "shared_cache")
def test_a_hit_without_a_page_makes_no_nonce(client):
    publish(CaseStudyPageFactory(title="Recruitment fees repaid at a spinning mill"))
    client.get("/api/stories/")
    hit = client.get("/api/stories/")

    assert hit["X-Cache"] == "HIT"
    assert "Content-Security-Policy" not in hit or "nonce-" not in hit["Content-Security-Policy"]
    assert not hit.wsgi_request.csp_nonce.made
