"""Versioned story indices behind one alias: rebuild, incremental sync and drift status.

Readers always go through the alias, so a rebuild fills a new index while the old
one keeps answering, then swaps the alias in one atomic call.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from elastic_transport import TransportError
from elasticsearch import ApiError, helpers
from wagtail.models import PageViewRestriction

from casestudies.models import BrightSpotPage, CaseStudyPage, MetricResult

from .documents import alias_name, client, index_body, index_pattern, prepare

logger = logging.getLogger(__name__)

STORY_MODELS = (CaseStudyPage, BrightSpotPage)
BULK_CHUNK = 200
# What counts as "Elasticsearch is unreachable or refused the write": keep the change.
INDEX_ERRORS = (TransportError, ApiError, helpers.BulkIndexError)


def live_stories(ids: Iterable[int] | None = None) -> Iterator:
    """Live story pages with everything a document needs, in a constant number of queries."""
    for model in STORY_MODELS:
        stories = (
            model.objects.live()
            .select_related("industry", "region", "hero_image")
            # Renditions too: the card image URL is then found without a query per story.
            .prefetch_related("intervention_types", "stages", "hero_image__renditions")
            .order_by("pk")
        )
        if model is CaseStudyPage:
            stories = stories.prefetch_related(
                Prefetch(
                    "results",
                    queryset=MetricResult.objects.select_related("metric"),
                    to_attr="prefetched_results",
                )
            )
        else:
            stories = stories.select_related("metric")
        if ids is not None:
            stories = stories.filter(pk__in=list(ids))
        yield from stories.iterator(chunk_size=BULK_CHUNK)


def story_count() -> int:
    return sum(model.objects.live().count() for model in STORY_MODELS)


def restricted_paths() -> list[str]:
    """Tree paths under a view restriction: stories there are for members only."""
    return list(PageViewRestriction.objects.values_list("page__path", flat=True))


def members_only(page, paths: list[str]) -> bool:
    return any(page.path.startswith(path) for path in paths)


def _document(page, paths: list[str]) -> dict:
    return prepare(page, members_only=members_only(page, paths))


# --- Rebuild -------------------------------------------------------------------


def rebuild(progress: Callable[[int, int], None] | None = None) -> dict:
    """Build a fresh index from the database, swap the alias to it, drop the old ones.

    ``progress(done, total)`` is called after every bulk chunk. Returns counts and
    where the time went, for the benchmark.
    """
    es = client(timeout=120)
    started_at = timezone.now()
    started = time.perf_counter()
    es_seconds = 0.0
    alias = alias_name()
    name = f"{alias}-{started_at:%Y%m%d%H%M%S%f}-{secrets.token_hex(2)}"

    tick = time.perf_counter()
    es.indices.create(index=name, **index_body())
    es_seconds += time.perf_counter() - tick

    total = story_count()
    paths = restricted_paths()
    done = 0
    if progress:
        progress(0, total)
    chunk: list[dict] = []

    def flush() -> None:
        nonlocal done, es_seconds
        if not chunk:
            return
        tick = time.perf_counter()
        helpers.bulk(es, chunk, index=name, refresh=False)
        es_seconds += time.perf_counter() - tick
        done += len(chunk)
        chunk.clear()
        if progress:
            progress(done, max(total, done))

    for page in live_stories():
        chunk.append(_document(page, paths))
        if len(chunk) >= BULK_CHUNK:
            flush()
    flush()

    tick = time.perf_counter()
    es.indices.refresh(index=name)
    _swap_alias(es, alias, name)
    es_seconds += time.perf_counter() - tick

    caught_up = _catch_up(started_at)
    seconds = time.perf_counter() - started
    logger.info("Rebuilt %s with %s stories in %.2fs", name, done, seconds)
    return {
        "index": name,
        "documents": done,
        "caught_up": caught_up,
        "seconds": seconds,
        "python_seconds": seconds - es_seconds,
        "elasticsearch_seconds": es_seconds,
    }


def _swap_alias(es, alias: str, name: str) -> None:
    has_alias = bool(es.indices.exists_alias(name=alias))
    if not has_alias and es.indices.exists(index=alias):
        # A concrete index squatting on the alias name (made by hand): replace it.
        es.indices.delete(index=alias)
    actions: list[dict] = []
    if has_alias:
        for old in es.indices.get_alias(name=alias):
            actions.append({"remove": {"index": old, "alias": alias}})
    actions.append({"add": {"index": name, "alias": alias}})
    es.indices.update_aliases(actions=actions)
    # Older versions only: a newer one may be another rebuild still filling.
    for old in es.indices.get(index=index_pattern(), ignore_unavailable=True):
        if old < name:
            es.indices.delete(index=old, ignore_unavailable=True)


def _catch_up(since) -> int:
    """Re-sync what changed while the new index was filling (writes went to the old one)."""
    changed: set[int] = set()
    for model in STORY_MODELS:
        changed.update(
            model.objects.filter(last_published_at__gte=since).values_list("pk", flat=True)
        )
    drift = status()
    changed.update(drift["missing"] + drift["extra"] + drift["stale"])
    if changed:
        sync_pages(changed)
    return len(changed)


# --- Incremental sync ------------------------------------------------------------


def alias_exists() -> bool:
    return bool(client().indices.exists_alias(name=alias_name()))


def sync_pages(page_ids: Iterable[int]) -> dict:
    """Make the index entries of these pages match the database: index live ones, drop the rest."""
    ids = {int(i) for i in page_ids}
    if not ids:
        return {"indexed": 0, "deleted": 0}
    es = client()
    alias = alias_name()
    paths = restricted_paths()
    actions: list[dict] = []
    present: set[int] = set()
    for page in live_stories(ids):
        present.add(page.pk)
        actions.append(_document(page, paths))
    gone = ids - present
    actions += [{"_op_type": "delete", "_id": str(pk)} for pk in sorted(gone)]
    _, errors = helpers.bulk(es, actions, index=alias, refresh=True, raise_on_error=False)
    failures = [e for e in errors if e.get("delete", {}).get("status") != 404]
    if failures:
        raise helpers.BulkIndexError(f"{len(failures)} document(s) failed", failures)
    return {"indexed": len(present), "deleted": len(gone)}


# --- Drift -----------------------------------------------------------------------


def status() -> dict:
    """Index versus database: counts, and which pages are missing, extra or out of date."""
    es = client()
    alias = alias_name()
    database: dict[int, tuple] = {}
    paths = restricted_paths()
    for model in STORY_MODELS:
        for pk, path, published in model.objects.live().values_list(
            "pk", "path", "last_published_at"
        ):
            audience = "members" if any(path.startswith(p) for p in paths) else "public"
            database[pk] = (published, audience)
    indexed: dict[int, tuple] = {}
    index_names: list[str] = []
    if es.indices.exists_alias(name=alias):
        index_names = sorted(es.indices.get_alias(name=alias))
        for hit in helpers.scan(
            es,
            index=alias,
            query={"query": {"match_all": {}}},
            _source=["page_id", "last_published_at", "audience"],
        ):
            source = hit["_source"]
            published = source.get("last_published_at")
            indexed[int(hit["_id"])] = (
                parse_datetime(published) if published else None,
                source.get("audience"),
            )
    missing = sorted(set(database) - set(indexed))
    extra = sorted(set(indexed) - set(database))
    stale = sorted(pk for pk in set(database) & set(indexed) if database[pk] != indexed[pk])
    return {
        "alias": alias,
        "indices": index_names,
        "database": len(database),
        "index": len(indexed),
        "missing": missing,
        "extra": extra,
        "stale": stale,
        "in_sync": bool(index_names) and not (missing or extra or stale),
    }
