"""Versioned story indices behind one alias: rebuild, incremental sync and drift status.

Readers always go through the alias, so a rebuild fills a new index while the old
one keeps answering, then swaps the alias in one atomic call.

Every document is written with an external version taken from ``IndexLock`` just
before its page is read, and Elasticsearch refuses a lower version than the one it
holds. A page that is no longer public is not deleted but replaced by a versioned
tombstone (``audience="withdrawn"``, which no search asks for): a deleted document
leaves no version behind for long (Elasticsearch forgets it after ``gc_deletes``,
noida-db at once), so a late older write could otherwise bring the page back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from elastic_transport import TransportError
from elasticsearch import ApiError, helpers

from casestudies.models import STORY_MODELS, CaseStudyPage, MetricResult, is_covered
from casestudies.models import restricted_paths as content_restricted_paths

from .documents import (
    ANALYSIS,
    StoryDocument,
    alias_name,
    card_image_url,
    client,
    index_body,
    index_pattern,
    preload_streams,
    prepare,
)
from .models import IndexLock

logger = logging.getLogger(__name__)

# Stories read per batch: each batch costs one query per model and relation, whatever
# its size, and is read by primary key (``pk > last``), never by OFFSET.
BATCH = 500
# Documents per bulk request, and its size at most: a story's document is about 40 kB
# (its text twice, for "did you mean"), so requests of about 10 MB, the size
# Elasticsearch's tuning guide starts from.
BULK_CHUNK = 500
BULK_MAX_BYTES = 10 * 2**20
# While a new index fills, nobody reads it: no refreshes and no replicas until it is
# complete; its own settings (``index_body``) are restored before the alias moves to it.
BUILD_SETTINGS = {"refresh_interval": "-1", "number_of_replicas": 0}
# What counts as "Elasticsearch is unreachable or refused the write": keep the change.
INDEX_ERRORS = (TransportError, ApiError, helpers.BulkIndexError)
# The audience of a tombstone: never searched for, so never shown.
WITHDRAWN = "withdrawn"


def _stories(model):
    """A model's live stories with everything a document needs, loaded with the batch."""
    stories = (
        model.objects.live()
        .select_related("industry", "region", "hero_image")
        # Renditions too: the card image URL is then found without a query per story.
        .prefetch_related(
            "intervention_types", "stages", "risks_addressed", "hero_image__renditions"
        )
        .order_by("pk")
    )
    if model is CaseStudyPage:
        return stories.prefetch_related(
            Prefetch(
                "results",
                queryset=MetricResult.objects.select_related("metric"),
                to_attr="prefetched_results",
            )
        )
    return stories.select_related("metric")


def story_batches(ids: Iterable[int] | None = None, size: int | None = None) -> Iterator[list]:
    """Live story pages, a batch at a time, each batch read in a constant number of queries.

    Batches follow the primary key (``pk > last``), so reading the last one costs what
    reading the first did; the StreamFields of a batch are converted together
    (``preload_streams``) and each card image is rendered once per call.
    """
    size = size or BATCH
    wanted = None if ids is None else sorted({int(i) for i in ids})
    image_urls: dict[int, str] = {}
    for model in STORY_MODELS:
        for batch in _batches(_stories(model), wanted, size):
            preload_streams(batch)
            for page in batch:
                if page.hero_image_id:
                    if page.hero_image_id not in image_urls:
                        image_urls[page.hero_image_id] = card_image_url(page.hero_image)
                    page.card_image_url = image_urls[page.hero_image_id]
            yield batch


def _batches(stories, wanted: list[int] | None, size: int) -> Iterator[list]:
    if wanted is not None:
        for start in range(0, len(wanted), size):
            if batch := list(stories.filter(pk__in=wanted[start : start + size])):
                yield batch
        return
    last = 0
    while True:
        batch = list(stories.filter(pk__gt=last)[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = batch[-1].pk


def live_stories(ids: Iterable[int] | None = None) -> Iterator:
    """Live story pages with everything a document needs (see ``story_batches``)."""
    for batch in story_batches(ids):
        yield from batch


def story_count() -> int:
    return sum(model.objects.live().count() for model in STORY_MODELS)


def restricted_paths() -> list[str]:
    """Tree paths under a view restriction: stories there are for members only (the
    content's own ``restricted_paths``, which ``visible_to`` reads too)."""
    return content_restricted_paths()


def members_only(page, paths: list[str]) -> bool:
    return is_covered(page.path, paths)


def _document(page, paths: list[str], version: int) -> dict:
    document = prepare(page, members_only=members_only(page, paths))
    return {**document, "version": version, "version_type": "external"}


def _tombstone(pk: int, version: int) -> dict:
    """Marks a page as not public at this version, so an older public state cannot return."""
    return {
        "_id": str(pk),
        "_source": {"page_id": pk, "audience": WITHDRAWN},
        "version": version,
        "version_type": "external",
    }


def not_live_story_ids() -> list[int]:
    ids: list[int] = []
    for model in STORY_MODELS:
        ids += model.objects.not_live().values_list("pk", flat=True)
    return ids


# --- Mapping fingerprint ------------------------------------------------------------

# Where a built index records which mapping it was built with (its mapping's ``_meta``).
FINGERPRINT_KEY = "mapping_fingerprint"


@cache
def mapping_fingerprint() -> str:
    """A short hash of the mapping and analysis this code builds indices with.

    A release that changes either (offsets on a field, what an analyzer does) needs a
    rebuild, and an index cannot say what it lacks; so each index records the hash it
    was built with and ``mapping_status`` compares. The editors' synonyms and the
    replica count are left out: an edit to the synonyms requests its own rebuild, and
    replicas change nothing a search sees.
    """
    code = {
        "mappings": StoryDocument._doc_type.mapping.to_dict(),
        "analysis": ANALYSIS,
    }
    canonical = json.dumps(code, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def mapping_status(es=None) -> dict:
    """Whether the index behind the alias was built with this code's mapping.

    ``{"current": bool, "built": [fingerprint or None per index], "expected": fingerprint,
    "message": str or None}``; an index without a fingerprint predates them, so it counts
    as older. With no index behind the alias there is nothing to compare (``current``).
    Search keeps answering on an older index: the message asks for a rebuild.
    """
    es = es or client()
    alias = alias_name()
    expected = mapping_fingerprint()
    built: set = set()
    answer = es.options(ignore_status=404).indices.get_mapping(index=alias)
    if answer.meta.status != 404:
        for index in answer.body.values():
            built.add((index.get("mappings", {}).get("_meta") or {}).get(FINGERPRINT_KEY))
    current = built <= {expected}
    message = None
    if not current:
        message = (
            f"the index behind '{alias}' was built with an older mapping: "
            "run manage.py search_index rebuild"
        )
    return {
        "current": current,
        "built": sorted(built, key=str),
        "expected": expected,
        "message": message,
    }


# --- Rebuild -------------------------------------------------------------------


def rebuild(progress: Callable[[int, int], None] | None = None) -> dict:
    """Build a fresh index from the database, swap the alias to it, drop the old ones.

    ``progress(done, total)`` is called after every bulk chunk. Returns counts and
    where the time went, for the benchmark: ``python_seconds`` building documents from
    the database, ``elasticsearch_seconds`` waiting for Elasticsearch, ``catch_up_seconds``
    re-syncing what changed meanwhile.
    """
    es = client(timeout=120)
    started_at = timezone.now()
    started = time.perf_counter()
    alias = alias_name()
    name = f"{alias}-{started_at:%Y%m%d%H%M%S%f}-{secrets.token_hex(2)}"

    body = index_body(es)
    own_settings = {
        "refresh_interval": body["settings"].get("refresh_interval"),
        "number_of_replicas": body["settings"]["number_of_replicas"],
    }
    tick = time.perf_counter()
    mappings = {**body["mappings"], "_meta": {FINGERPRINT_KEY: mapping_fingerprint()}}
    es.indices.create(
        index=name, mappings=mappings, settings={**body["settings"], **BUILD_SETTINGS}
    )
    es_seconds = time.perf_counter() - tick

    version = IndexLock.next_version()
    total = story_count()
    paths = restricted_paths()
    python_seconds = 0.0
    documents = 0

    def actions() -> Iterator[dict]:
        """The documents, a batch at a time, then the tombstones; timed as the Python side."""
        nonlocal python_seconds, documents
        batches = story_batches()
        while True:
            tick = time.perf_counter()
            batch = next(batches, None)
            chunk = [_document(page, paths, version) for page in batch or ()]
            python_seconds += time.perf_counter() - tick
            if batch is None:
                break
            documents += len(chunk)
            yield from chunk
        tick = time.perf_counter()
        tombstones = [_tombstone(pk, version) for pk in not_live_story_ids()]
        python_seconds += time.perf_counter() - tick
        yield from tombstones

    if progress:
        progress(0, total)
    written = 0
    tick = time.perf_counter()
    for _ in helpers.streaming_bulk(
        es,
        actions(),
        index=name,
        chunk_size=BULK_CHUNK,
        max_chunk_bytes=BULK_MAX_BYTES,
        refresh=False,
    ):
        written += 1
        if progress and written % BULK_CHUNK == 0 and written <= documents:
            progress(written, max(total, documents))
    es_seconds += time.perf_counter() - tick - python_seconds
    if progress:
        progress(documents, max(total, documents))

    tick = time.perf_counter()
    es.indices.put_settings(index=name, settings=own_settings)
    es.indices.refresh(index=name)
    _swap_alias(es, alias, name)
    es_seconds += time.perf_counter() - tick

    tick = time.perf_counter()
    caught_up = _catch_up(started_at)
    catch_up_seconds = time.perf_counter() - tick
    seconds = time.perf_counter() - started
    logger.info("Rebuilt %s with %s stories in %.2fs", name, documents, seconds)
    return {
        "index": name,
        "documents": documents,
        "caught_up": caught_up,
        "seconds": seconds,
        "python_seconds": python_seconds,
        "elasticsearch_seconds": es_seconds,
        "catch_up_seconds": catch_up_seconds,
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
    """Make the index entries of these pages match the database: index live ones, withdraw the rest.

    The version is taken before the pages are read; a write Elasticsearch refuses as
    older than what it holds lost to a newer state, which is what should be there.
    """
    ids = {int(i) for i in page_ids}
    if not ids:
        return {"indexed": 0, "deleted": 0, "superseded": 0}
    version = IndexLock.next_version()
    es = client()
    alias = alias_name()
    paths = restricted_paths()
    actions: list[dict] = []
    present: set[int] = set()
    for page in live_stories(ids):
        present.add(page.pk)
        actions.append(_document(page, paths, version))
    gone = ids - present
    actions += [_tombstone(pk, version) for pk in sorted(gone)]
    _, errors = helpers.bulk(es, actions, index=alias, refresh=True, raise_on_error=False)
    superseded = [e for e in errors if e.get("index", {}).get("status") == 409]
    failures = [e for e in errors if e.get("index", {}).get("status") != 409]
    if failures:
        raise helpers.BulkIndexError(f"{len(failures)} document(s) failed", failures)
    if superseded:
        logger.info("%s page(s) already had a newer state in the index", len(superseded))
    return {"indexed": len(present), "deleted": len(gone), "superseded": len(superseded)}


# --- Drift -----------------------------------------------------------------------


def status() -> dict:
    """Index versus database: counts, and which pages are missing, extra or out of date.

    A page is stale when its audience or publication time differs; tombstones count as
    absent. ``max_version`` is the highest version the index holds.
    """
    es = client()
    alias = alias_name()
    database: dict[int, tuple] = {}
    paths = restricted_paths()
    for model in STORY_MODELS:
        for pk, path, published in model.objects.live().values_list(
            "pk", "path", "last_published_at"
        ):
            audience = "members" if is_covered(path, paths) else "public"
            database[pk] = (published, audience)
    indexed: dict[int, tuple] = {}
    index_names: list[str] = []
    max_version = 0
    if es.indices.exists_alias(name=alias):
        index_names = sorted(es.indices.get_alias(name=alias))
        for hit in helpers.scan(
            es,
            index=alias,
            query={"query": {"match_all": {}}, "version": True},
            _source=["page_id", "last_published_at", "audience"],
        ):
            max_version = max(max_version, int(hit.get("_version") or 0))
            source = hit["_source"]
            if source.get("audience") == WITHDRAWN:
                continue
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
        "max_version": max_version,
        "in_sync": bool(index_names) and not (missing or extra or stale),
    }


def reconcile() -> dict:
    """Find the drift and write the database's state for every page that drifted.

    The caller holds the index lock (``search.tasks.reconcile``). Versions first move
    past anything the index holds, so a document written by hand or before a database
    restore cannot outrank the repair.
    """
    drift = status()
    IndexLock.advance_to(drift["max_version"])
    drifted = sorted(set(drift["missing"] + drift["extra"] + drift["stale"]))
    if drifted:
        logger.warning("Search index drift repaired for page ids %s", drifted)
        sync_pages(drifted)
    return {
        "missing": drift["missing"],
        "extra": drift["extra"],
        "stale": drift["stale"],
        "repaired": len(drifted),
    }
