"""Every match of a search, not one page of it: what "Download these results" reads.

The request is the search page's own (``FacetedStorySearch.build``: the same words,
facets, audience and order), walked with ``search_after`` in batches instead of
``from``/``size``, so an export holds one batch in memory and is not cut off at the
search page's last page. Backend details stay here; callers get page ids.

An export is one snapshot: the walk reads a point in time (``POST /<index>/_pit``) that
a story published meanwhile does not change, so a long export neither repeats a row
(a new story shifts every relevance score, and the cursor with them) nor skips one. An
engine that refuses points in time is walked with plain ``search_after``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TransportError
from elasticsearch import ApiError, NotFoundError

from .documents import SearchUnavailable, alias_name, client
from .query import FUZZY_BELOW, FacetedStorySearch

logger = logging.getLogger(__name__)

EXPORT_BATCH = 500
# How long the snapshot is kept between two batches (renewed by every batch read).
PIT_KEEP_ALIVE = "2m"
# What a page needs besides its hits: no facet counts, highlights or spelling help.
_PAGE_ONLY = ("aggs", "highlight", "suggest", "from")


def matching_id_batches(
    search: FacetedStorySearch, size: int = EXPORT_BATCH
) -> Iterator[list[int]]:
    """The ids of every story ``search`` matches, in its order, ``size`` at a time.

    Like the search page, a plain query that finds fewer than ``FUZZY_BELOW`` stories
    exactly is answered by its typo-tolerant twin. Raises ``SearchUnavailable`` when
    the engine cannot answer (from the first batch on, before anything is sent, when
    the caller asks for the first batch eagerly). The ids are the index's: the caller
    loads the stories from the database, which has the last word on who may see them.
    """
    requests = search.requests()
    pit = _open_point_in_time()
    try:
        body = _scan_body(requests[0].to_dict(), size, pit)
        answer = _send(body, search.query)
        if len(requests) > 1 and answer["hits"]["total"]["value"] < FUZZY_BELOW:
            body = _scan_body(requests[1].to_dict(), size, pit)
            answer = _send(body, search.query)
        body["track_total_hits"] = False
        while True:
            hits = answer["hits"]["hits"]
            if hits:
                yield [int(hit["_source"].get("page_id") or hit["_id"]) for hit in hits]
            if len(hits) < size:
                return
            body["search_after"] = hits[-1]["sort"]
            if pit is not None:
                # Each answer may hand back a newer id for the same point in time.
                pit["id"] = answer.get("pit_id") or pit["id"]
            answer = _send(body, search.query)
    finally:
        _close_point_in_time(pit)


def _open_point_in_time() -> dict | None:
    """A point in time on the index, or None when the engine refuses one."""
    try:
        answer = client().open_point_in_time(index=alias_name(), keep_alive=PIT_KEEP_ALIVE)
    except (TransportConnectionError, ConnectionTimeout) as exc:
        raise SearchUnavailable(str(exc)) from exc
    except (ApiError, TransportError) as exc:
        # Refused (or no index: the first search says so); only the snapshot is lost.
        logger.info("Export without a point in time (%s)", type(exc).__name__)
        return None
    return {"id": answer["id"], "keep_alive": PIT_KEEP_ALIVE}


def _close_point_in_time(pit: dict | None) -> None:
    if pit is None:
        return
    try:
        client().close_point_in_time(id=pit["id"])
    except (ApiError, TransportError):
        pass  # it expires by itself after PIT_KEEP_ALIVE


def _scan_body(body: dict, size: int, pit: dict | None = None) -> dict:
    for key in _PAGE_ONLY:
        body.pop(key, None)
    body["size"] = size
    body["_source"] = ["page_id"]
    # search_after needs a total order: the page id breaks ties of score and date.
    sort = list(body.get("sort") or [{"first_published_at": {"order": "desc"}}])
    if not any(isinstance(key, dict) and "page_id" in key for key in sort):
        sort.append({"page_id": "desc"})
    body["sort"] = sort
    if pit is not None:
        body["pit"] = pit  # the point in time names the index: the search must not
    return body


def _send(body: dict, query: str) -> dict:
    try:
        if "pit" in body:
            try:
                return client().search(body=body)
            except NotFoundError:
                # The point in time is gone (expired while the download paused for longer
                # than PIT_KEEP_ALIVE, or the engine restarted): the walk goes on from the
                # same cursor on the index itself, losing only the snapshot.
                logger.info("Export goes on without its point in time (expired)")
                del body["pit"]
                if "search_after" in body:
                    # Hits over a point in time carry one more sort value (the engine's
                    # own tiebreaker, ``_shard_doc``), which the index alone refuses.
                    body["search_after"] = body["search_after"][: len(body["sort"])]
        return client().search(index=alias_name(), body=body)
    except (TransportConnectionError, ConnectionTimeout, NotFoundError) as exc:
        raise SearchUnavailable(str(exc)) from exc
    except ApiError as exc:
        if exc.meta.status >= 500:
            raise SearchUnavailable(str(exc)) from exc
        # As on the search page: a query the engine refuses matches nothing.
        logger.warning("Export search refused: %s (query %r)", exc, query[:100])
        return {"hits": {"total": {"value": 0}, "hits": []}}
    except TransportError as exc:
        raise SearchUnavailable(str(exc)) from exc
