"""Which followed searches a newly visible story matches.

Identical searches are grouped (``FollowedSearch.key``) and each group is decided once.
The facets of every search are decided from the story's index document, with the facet
fields the search page filters on (``facets_match``, the twin of its ``terms`` filters).
The words of the searches whose facets match go to the search engine, each distinct
wording once, built by the search page's own query (``FacetedStorySearch.text_query``)
and restricted to the one story, many in one ``_msearch``: 100,000 followed searches
share a few thousand wordings at most.

An Elasticsearch cluster with the percolator module could answer all of it in one
request (searches stored as ``percolator`` fields, the story percolated once); the
test distribution the portal runs on has no percolator and noida-db neither, so this
module runs the searches against the story instead. ``percolate_keys`` is the seam.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from elasticsearch import NotFoundError
from elasticsearch_dsl import Q
from wagtail.models import Page

from search.documents import SearchUnavailable, alias_name, client
from search.facets import FACETS
from search.query import FacetedStorySearch

from .models import AlertDelivery, FollowedSearch

MSEARCH_BATCH = 200
# Matching reads the index: both audiences, the send decides who may read a story.
AUDIENCES = ["public", "members"]


class NotIndexedYet(Exception):
    """The index does not hold the story as published yet: match again later."""


@dataclass(frozen=True)
class SearchGroup:
    key: str
    query: str
    filters: dict[str, list[str]]


def story_document(page: Page) -> dict:
    """The story's index document as it is now, once it matches the published page."""
    try:
        source = client().get(index=alias_name(), id=str(page.pk))["_source"]
    except NotFoundError as exc:
        raise NotIndexedYet(f"page {page.pk} is not in the index") from exc
    indexed = parse_datetime(str(source.get("last_published_at") or ""))
    if source.get("audience") not in AUDIENCES or indexed != page.last_published_at:
        raise NotIndexedYet(f"the index holds another version of page {page.pk}")
    return source


def search_groups() -> list[SearchGroup]:
    """Every distinct confirmed search, once."""
    rows = (
        FollowedSearch.objects.filter(confirmed_at__isnull=False)
        .order_by("key", "id")
        .values_list("key", "query", "filters")
    )
    groups: dict[str, SearchGroup] = {}
    for key, query, filters in rows.iterator(chunk_size=2000):
        if key not in groups:
            groups[key] = SearchGroup(key, query, filters or {})
    return list(groups.values())


def facets_match(document: dict, filters: dict[str, list[str]]) -> bool:
    """The index filters of the search page, read off one document (OR within, AND across)."""
    for facet in FACETS:
        wanted = filters.get(facet.param)
        if not wanted:
            continue
        held = document.get(facet.field)
        held = set(held) if isinstance(held, list) else {held}
        if not held.intersection(wanted):
            return False
    return True


def percolate_keys(document: dict, groups: list[SearchGroup]) -> set[str] | None:
    """On a percolator-capable cluster: the matching keys in one request. None here."""
    return None


def matching_keys(page_id: int, document: dict, groups: Iterable[SearchGroup]) -> set[str]:
    groups = [g for g in groups if facets_match(document, g.filters)]
    percolated = percolate_keys(document, groups)
    if percolated is not None:
        return percolated
    matched = {g.key for g in groups if not g.query.strip()}
    # The facets are decided above: what is left depends on the words alone.
    by_wording: dict[str, list[str]] = defaultdict(list)
    for group in groups:
        if group.query.strip():
            by_wording[group.query].append(group.key)
    wordings = list(by_wording)
    for start in range(0, len(wordings), MSEARCH_BATCH):
        batch = wordings[start : start + MSEARCH_BATCH]
        body: list[dict] = []
        for wording in batch:
            body += [{"index": alias_name()}, _restricted(wording, page_id)]
        try:
            answers = client().msearch(searches=body)["responses"]
        except Exception as exc:  # noqa: BLE001 - transport errors of any kind: try later
            raise SearchUnavailable(str(exc)) from exc
        for wording, answer in zip(batch, answers, strict=True):
            if "error" in answer:
                raise SearchUnavailable(str(answer["error"])[:300])
            if answer["hits"]["total"]["value"]:
                matched.update(by_wording[wording])
    return matched


def _restricted(query: str, page_id: int) -> dict:
    """The words of a followed search as the search page runs them, for this one story."""
    text = FacetedStorySearch(None, query=query, filters={}).text_query()
    restricted = Q(
        "bool",
        must=[text] if text is not None else [],
        filter=[Q("term", page_id=page_id), Q("terms", audience=AUDIENCES)],
    )
    return {"query": restricted.to_dict(), "size": 0, "track_total_hits": True}


def match_story(page: Page, public: bool, groups: list[SearchGroup] | None = None) -> int:
    """Write an alert for every followed search the story matches; how many are to send.

    A search already alerted about this story gets nothing new (the idempotency key),
    except that an alert withheld while the story was members-only waits again once
    the story is public.
    """
    document = story_document(page)
    keys = matching_keys(page.pk, document, search_groups() if groups is None else groups)
    if not keys:
        return 0
    searches = list(
        FollowedSearch.objects.filter(key__in=keys, confirmed_at__isnull=False).only(
            "id", "frequency", "digest_due_at"
        )
    )
    with transaction.atomic():
        existing = set(
            AlertDelivery.objects.filter(page_id=page.pk, followed_search__in=searches).values_list(
                "followed_search_id", flat=True
            )
        )
        new = [
            AlertDelivery(followed_search=s, page_id=page.pk, due_at=s.next_due())
            for s in searches
            if s.pk not in existing
        ]
        AlertDelivery.objects.bulk_create(new, ignore_conflicts=True)
        reopened = 0
        if public:
            reopened = AlertDelivery.objects.filter(
                page_id=page.pk, state=AlertDelivery.WITHHELD, followed_search__in=searches
            ).update(state=AlertDelivery.PENDING, due_at=timezone.now())
    return len(new) + reopened
