"""Relevance you can measure: judged queries over the demo corpus, scored by Elasticsearch.

``judgements.json`` holds the queries (with facet filters) and, for each, the story slugs
a reader would want with a grade (3 about this, 2 clearly relevant, 1 touches it).
``evaluate`` sends each query exactly as the search page builds it to Elasticsearch's
``_rank_eval`` API and reports NDCG@10 and recall@10. The test distribution the
development node runs has no ``rank-eval`` module; there the same two metrics are
computed here from one ``_msearch`` of the same requests, with ``_rank_eval``'s
formulas, and the report says which one scored.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import ApiError
from wagtail.models import Page

from ..documents import alias_name, client
from ..query import FUZZY_BELOW, FacetedStorySearch

JUDGEMENTS = Path(__file__).with_name("judgements.json")
K = 10
# A grade from this up counts as relevant for recall (as ``relevant_rating_threshold``).
RELEVANT_FROM = 1


@dataclass
class QueryScore:
    id: str
    kind: str
    query: str
    filters: dict
    ndcg: float
    recall: float
    found: list[str] = field(default_factory=list)  # slugs of the top K, in order


@dataclass
class Report:
    scores: list[QueryScore]
    scorer: str  # "_rank_eval" or "local"

    @property
    def ndcg(self) -> float:
        return sum(s.ndcg for s in self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def recall(self) -> float:
        return sum(s.recall for s in self.scores) / len(self.scores) if self.scores else 0.0

    def by_kind(self) -> dict[str, tuple[float, float]]:
        kinds: dict[str, list[QueryScore]] = {}
        for score in self.scores:
            kinds.setdefault(score.kind, []).append(score)
        return {
            kind: (
                sum(s.ndcg for s in group) / len(group),
                sum(s.recall for s in group) / len(group),
            )
            for kind, group in kinds.items()
        }


def load_judgements(path: Path | str = JUDGEMENTS) -> list[dict]:
    """The judged queries; a malformed file is refused with the entry at fault."""
    data = json.loads(Path(path).read_text())
    queries = data["queries"] if isinstance(data, dict) else data
    for entry in queries:
        if not entry.get("id") or not isinstance(entry.get("ratings"), dict):
            raise ValueError(f"Judgement without id or ratings: {entry!r}"[:200])
    return queries


def _page_ids(slugs: set[str]) -> dict[str, int]:
    return dict(Page.objects.filter(slug__in=slugs).values_list("slug", "pk"))


def _request(entry: dict) -> dict:
    """What the search page sends for this query: the exact search, or the typo-tolerant
    one when the exact one finds fewer than ``FUZZY_BELOW`` stories (as ``execute``)."""
    search = FacetedStorySearch(None, query=entry["query"], filters=entry.get("filters") or {})
    requests = search.requests()
    chosen = requests[0]
    if len(requests) > 1:
        exact = requests[0].extra(track_total_hits=True)[:0].to_dict()
        exact.pop("aggs", None)
        exact.pop("suggest", None)
        total = client().search(index=alias_name(), **exact)["hits"]["total"]["value"]
        if total < FUZZY_BELOW:
            chosen = requests[1]
    body = chosen.to_dict()
    return {key: body[key] for key in ("query", "post_filter", "sort") if key in body}


def _dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def evaluate(judgements: list[dict] | None = None) -> Report:
    """Score every judged query against the index behind the alias (loads nothing)."""
    judgements = judgements if judgements is not None else load_judgements()
    es = client(timeout=60)
    indices = sorted(es.indices.get_alias(name=alias_name()))
    index = indices[-1]
    ids = _page_ids({slug for entry in judgements for slug in entry["ratings"]})
    slugs = {str(pk): slug for slug, pk in ids.items()}
    requests = []
    for entry in judgements:
        ratings = [
            {"_index": index, "_id": str(ids[slug]), "rating": int(grade)}
            for slug, grade in entry["ratings"].items()
            if slug in ids
        ]
        requests.append({"id": entry["id"], "request": _request(entry), "ratings": ratings})
    try:
        scores, scorer = _rank_eval(es, requests), "_rank_eval"
    except ApiError as exc:
        if exc.meta.status not in (400, 404, 405):
            raise
        scores, scorer = _local(es, requests), "local"
    return Report(
        [
            QueryScore(
                id=entry["id"],
                kind=entry.get("kind", ""),
                query=entry["query"],
                filters=entry.get("filters") or {},
                ndcg=scores[entry["id"]][0],
                recall=scores[entry["id"]][1],
                found=[slugs.get(i, i) for i in scores[entry["id"]][2]],
            )
            for entry in judgements
        ],
        scorer,
    )


def _rank_eval(es, requests: list[dict]) -> dict[str, tuple[float, float, list[str]]]:
    metrics = {
        "ndcg": {"dcg": {"k": K, "normalize": True}},
        "recall": {"recall": {"k": K, "relevant_rating_threshold": RELEVANT_FROM}},
    }
    answers = {
        name: es.rank_eval(index=alias_name(), requests=requests, metric=metric)
        for name, metric in metrics.items()
    }
    scores = {}
    for request in requests:
        ndcg = answers["ndcg"]["details"][request["id"]]
        recall = answers["recall"]["details"][request["id"]]
        found = [hit["hit"]["_id"] for hit in ndcg["hits"]]
        scores[request["id"]] = (ndcg["metric_score"], recall["metric_score"], found)
    return scores


def _local(es, requests: list[dict]) -> dict[str, tuple[float, float, list[str]]]:
    """``_rank_eval``'s normalized DCG and recall, computed from one ``_msearch``."""
    body: list[dict] = []
    for request in requests:
        body += [{"index": alias_name()}, {**request["request"], "size": K, "_source": False}]
    responses = es.msearch(searches=body)["responses"]
    scores = {}
    for request, response in zip(requests, responses, strict=True):
        if "error" in response:
            raise RuntimeError(f"Query {request['id']} failed: {response['error']}")
        grades = {r["_id"]: r["rating"] for r in request["ratings"]}
        found = [hit["_id"] for hit in response["hits"]["hits"]][:K]
        ideal = _dcg(sorted(grades.values(), reverse=True)[:K])
        ndcg = _dcg([grades.get(i, 0) for i in found]) / ideal if ideal else 0.0
        relevant = {i for i, g in grades.items() if g >= RELEVANT_FROM}
        recall = len(relevant & set(found)) / len(relevant) if relevant else 0.0
        scores[request["id"]] = (ndcg, recall, found)
    return scores
