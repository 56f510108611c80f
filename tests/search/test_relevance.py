"""Relevance you can measure: the judged queries over the demo content hold their scores.

The demo is loaded once for the module (the fixture of tests/casestudies/
test_demo_content.py, rolled back at the end) and indexed afresh for each test.
Measured on Elasticsearch 8.19 when the floors were set: NDCG@10 0.818, recall@10
0.807 over 35 queries; the floors sit a little below.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from search.relevance import evaluate, load_judgements
from tests.casestudies.test_demo_content import demo_media, demo_output  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch_only]

NDCG_FLOOR = 0.78
RECALL_FLOOR = 0.77
# Per kind of query: typos, synonyms, phrases and facets each must work, not only on average.
KIND_FLOORS = {"plain": 0.70, "typo": 0.80, "synonym": 0.60, "phrase": 0.90, "facets": 0.95}


def test_the_judged_queries_hold_their_scores(demo_output):  # noqa: F811
    judgements = load_judgements()
    assert len(judgements) >= 30
    assert {j["kind"] for j in judgements} == set(KIND_FLOORS)

    report = evaluate(judgements)

    assert report.ndcg >= NDCG_FLOOR, report.scores
    assert report.recall >= RECALL_FLOOR, report.scores
    for kind, (ndcg, _) in report.by_kind().items():
        assert ndcg >= KIND_FLOORS[kind], (kind, ndcg)
    # The typo and synonym queries find their best story at all only through
    # fuzzy fallback and the editors' synonyms.
    scores = {s.id: s for s in report.scores}
    assert scores["typo-recruitment"].recall == 1.0
    assert "recruitment-debt-at-a-remote-mine-cut-to-zero" in scores["syn-debt"].found[:3]

    output = StringIO()
    call_command("search_relevance", stdout=output)
    table = output.getvalue()
    assert "fees-repaid" in table and "ndcg@10" in table
    assert "mean typo" in table and "mean synonym" in table
    last = table.strip().splitlines()[-1].split()
    assert last[0] == "mean" and float(last[1]) == pytest.approx(report.ndcg, abs=0.001)


def test_a_malformed_judgements_file_is_named_in_the_error(tmp_path):
    broken = tmp_path / "judgements.json"
    broken.write_text(json.dumps({"queries": [{"query": "fees"}]}))
    with pytest.raises(CommandError, match="Judgement without id or ratings"):
        call_command("search_relevance", "--judgements", str(broken), stdout=StringIO())
    with pytest.raises(CommandError, match="Cannot read the judgements"):
        call_command("search_relevance", "--judgements", str(tmp_path / "none.json"))
