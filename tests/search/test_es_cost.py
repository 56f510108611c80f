"""What a search page asks the engine for (issue 12, item 9): the exact search alone on a
page that finds enough, and "did you mean" only on a page that finds little, where it is
shown. Counted as the requests sent and what each asks, never as times."""

import json

import pytest
from elasticsearch import Elasticsearch

from tests.search.helpers import story

pytestmark = pytest.mark.django_db


@pytest.fixture
def searches_sent(monkeypatch):
    """Each ``_msearch`` request sent while a test runs, as the list of searches it holds."""
    sent: list[list[dict]] = []
    original = Elasticsearch.perform_request

    def recording(self, method, path, **kwargs):
        if path.endswith("/_msearch"):
            body = kwargs.get("body")
            lines = body if isinstance(body, list) else []
            if isinstance(body, (bytes, str)):
                text = body.decode() if isinstance(body, bytes) else body
                lines = [json.loads(line) for line in text.splitlines() if line.strip()]
            sent.append(lines[1::2])
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(Elasticsearch, "perform_request", recording)
    return sent


@pytest.fixture
def fee_stories(published):
    published(
        story("Supplier 1 repays recruitment fees", summary="Recruitment fees repaid to workers."),
        story("Supplier 2 ends recruitment fees", summary="No worker pays recruitment fees."),
    )


def test_a_search_that_finds_enough_asks_once_without_spelling_help(
    client, fee_stories, searches_sent
):
    html = client.get("/search/", {"q": "recruitment fees"}).content.decode()
    assert "Supplier 1 repays recruitment fees" in html
    assert "Supplier 2 ends recruitment fees" in html
    assert "Did you mean" not in html
    assert len(searches_sent) == 1
    (exact,) = searches_sent[0]
    assert "suggest" not in exact
    assert exact["size"] > 0 and "highlight" in exact


def test_did_you_mean_is_asked_for_only_when_the_exact_search_finds_little(
    client, fee_stories, searches_sent
):
    html = client.get("/search/", {"q": "recruitmnet fees"}).content.decode()
    assert "Did you mean <a" in html and ">recruitment fees</a>?" in html
    # The exact search; the typo-tolerant one with "did you mean"; the check that the
    # correction finds a story this reader may see.
    assert len(searches_sent) == 3
    assert ["suggest" in search for search in searches_sent[0]] == [False]
    assert ["suggest" in search for search in searches_sent[1]] == [False, True]
    assert [search["size"] for search in searches_sent[2]] == [0]
    assert "Supplier 1 repays recruitment fees" in html


def test_a_word_nobody_wrote_gets_no_correction_and_no_third_request(
    client, fee_stories, searches_sent
):
    html = client.get("/search/", {"q": "zzyzx"}).content.decode()
    assert "Did you mean" not in html and "Supplier 1" not in html
    assert len(searches_sent) == 2


def test_a_quoted_search_that_finds_little_is_still_offered_a_correction(
    client, fee_stories, searches_sent
):
    """Quotes ask for exactly what was typed (no typo-tolerant search), but a misspelt
    phrase is still offered its correction, as before."""
    html = client.get("/search/", {"q": '"recruitmnet fees"'}).content.decode()
    assert "Supplier 1" not in html
    assert "Did you mean <a" in html and ">recruitment fees</a>?" in html
    assert [len(searches) for searches in searches_sent] == [1, 1, 1]
