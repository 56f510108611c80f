"""The pip-only search (noida-db): synonyms, phrases and exclusions found as before, with
each story's body read once per part of the query.

noida-db reads a field's whole text again for every clause that names it, so a search page
that named the body once per synonym and again for the words standing together took
seconds at the demo's size. These tests hold what a reader gets from that search and how
often the query it sends names the body. The behaviour tests run on whichever engine the
suite runs on (Elasticsearch finds the same stories through its analyzer); the counting
test builds the pip-only query on either engine and sends it there.
"""

from __future__ import annotations

import json
import re

import pytest
from elasticsearch import Elasticsearch

import search.query
from search.models import SearchSynonym
from search.query import FacetedStorySearch
from tests.search.helpers import story

pytestmark = pytest.mark.django_db


@pytest.fixture
def debts(published, committed):
    # The portal ships "debt bondage, bonded labour, bonded labor"; the demo content adds
    # this one (an edit rebuilds the index, which Elasticsearch reads synonyms into).
    with committed():
        SearchSynonym.objects.get_or_create(terms="recruitment debt, debt bondage")
    return published(
        story("Farm", summary="Debt bondage among farm workers ended."),
        story(
            "Kiln",
            summary="Brick makers were paid in full.",
            body="Families at the kiln had lived in bonded labour for two generations.",
        ),
        story("Mine", summary="Average recruitment debt per worker at the mine fell to zero."),
        story("Rota", summary="Shift rotas were published a month ahead."),
    )


def titles(query: str) -> list[str]:
    return sorted(hit.title for hit in FacetedStorySearch(None, query).execute().hits)


def test_a_synonym_finds_the_stories_worded_differently_even_deep_in_the_body(client, debts):
    assert titles("debt bondage") == ["Farm", "Kiln", "Mine"]
    assert titles("bonded labor") == ["Farm", "Kiln"]
    # Only the group "recruitment debt" is in: not every story "debt bondage" is in.
    assert titles("recruitment debt") == ["Farm", "Mine"]

    page = client.get("/search/", {"q": "debt bondage"}).content.decode()
    cards = re.findall(r'<article class="card.*?</article>', page, re.S)
    (kiln,) = [card for card in cards if ">Kiln</a>" in card]
    # The snippet shows where the body says it.
    assert re.search(r"<mark>bonded", kiln), kiln


def test_synonyms_combine_with_other_words_phrases_and_exclusions(debts):
    assert titles("mine recruitment debt") == ["Mine"]
    assert titles("debt bondage -kiln") == ["Farm", "Mine"]
    assert titles('debt bondage -"farm workers"') == ["Kiln", "Mine"]
    assert titles('"farm workers" debt bondage') == ["Farm"]
    assert titles("generations debt bondage") == ["Kiln"]


def test_a_synonym_in_quotes_or_excluded_stands_for_its_group(client, debts):
    """As Elasticsearch's analyzer reads a quoted phrase and an exclusion: the pip-only
    search once looked for the words as typed there, and so found other stories."""
    assert titles('"recruitment debt"') == ["Farm", "Mine"]
    assert titles('"debt bondage"') == ["Farm", "Kiln", "Mine"]
    # The other words of the phrase still stand beside it; stop words are left out.
    assert titles('"average debt bondage"') == ["Mine"]
    assert titles('"the debt bondage"') == ["Farm", "Kiln", "Mine"]
    # A phrase naming synonyms many times is answered (not written out every way).
    assert titles('"' + "debt bondage " * 8 + '"') == []
    assert titles('workers -"debt bondage"') == ["Rota"]
    assert titles('-"recruitment debt"') == ["Kiln", "Rota"]
    page = client.get("/search/", {"q": 'workers -"debt bondage"'}).content.decode()
    assert ">Rota</a>" in page and ">Kiln</a>" not in page


def _body_clauses(query) -> list[dict]:
    """Every clause of a query that names the body field (what noida-db reads in full)."""
    found = []
    if isinstance(query, list):
        for part in query:
            found += _body_clauses(part)
    elif isinstance(query, dict):
        for kind, value in query.items():
            if not isinstance(value, dict):
                found += _body_clauses(value)
                continue
            fields = [f.split("^")[0] for f in value.get("fields", [])]
            if "body" in fields or "body" in value:
                found.append({kind: value})
            else:
                found += _body_clauses(value)
    return found


def _is_phrase(clause: dict) -> bool:
    ((kind, value),) = clause.items()
    return kind == "match_phrase" or value.get("type") == "phrase"


@pytest.fixture
def sent(monkeypatch):
    """The query of every search sent to the engine while a test runs."""
    queries: list[dict] = []
    original = Elasticsearch.perform_request

    def recording(self, method, path, **kwargs):
        if path.endswith("/_msearch"):
            lines = kwargs.get("body") or []
            if isinstance(lines, (bytes, str)):  # already serialized: one JSON per line
                lines = [json.loads(line) for line in lines.splitlines() if line.strip()]
            queries.extend(line["query"] for line in lines if "query" in line)
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(Elasticsearch, "perform_request", recording)
    return queries


@pytest.mark.parametrize(
    "query, parts, found",
    [
        # One synonym group of four terms: the body once, not once per term.
        ("debt bondage", 1, ["Farm", "Kiln", "Mine"]),
        # A group and other words.
        ("generations debt bondage", 2, ["Kiln"]),
        # A group and an exclusion.
        ("debt bondage -kiln", 2, ["Farm", "Mine"]),
        # Plain words only.
        ("shift rotas", 1, ["Rota"]),
        # A group quoted, and one excluded.
        ('"debt bondage" -kiln', 2, ["Farm", "Mine"]),
        ('workers -"debt bondage"', 2, ["Rota"]),
    ],
)
def test_the_pip_only_query_reads_each_body_once_per_part(
    monkeypatch, debts, sent, query, parts, found
):
    monkeypatch.setattr(search.query, "synonyms_in_python", lambda: True)

    assert titles(query) == found
    assert sent, "the search reached the engine"
    for searched in sent:
        body = _body_clauses(searched)
        assert len(body) == parts, body
        # A phrase over the body is read twice; words standing together are ranked
        # on the title, summary and tags instead.
        assert not [clause for clause in body if _is_phrase(clause)], body
