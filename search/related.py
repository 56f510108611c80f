"""Related practices for a story page: similar text and shared tags, audience-aware.

The answer depends only on the page, the audience and what is published, so it
is cached under the page cache's generation: any publish, unpublish, privacy or
taxonomy change, and every finished index update, makes a new key. A page
rendered for a signed-in visitor (never page-cached) then still costs no search
request, and a slow search server delays only the first view after a change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from elastic_transport import TransportError
from elasticsearch import ApiError

from perf.cache import mark_degraded, part_key

from .documents import alias_name, client
from .query import CARD_FIELDS, JSON_HEADERS, Hit, audiences_for, visible_hits

logger = logging.getLogger(__name__)

# The short text fields: similar titles, summaries and tags find the practices
# a reader would compare; the long body adds little but costs most to match.
SIMILAR_TEXT_FIELDS = ["title", "summary", "tags_text"]
# Words found in more stories than this say little about what a story is like, and each
# costs the reading of all those stories: without the bound a related-practices search
# read every story sharing a common word, 7 to 9 times the Elasticsearch CPU at 30,000
# stories as at 3,000; with it about the same at both sizes. In a corpus of up to this
# many stories nothing changes. Lower bounds drop words a tenth of the stories share,
# such as an industry's name, and the related stories then share their industry less often.
MAX_SIMILAR_WORD_STORIES = 6_000
# The cards' fields of the best few. Nothing shows how many stories are alike: uncounted,
# the stories that cannot make the best few are skipped (a tenth less CPU at 30,000).
_CARDS = {"_source": CARD_FIELDS, "track_total_hits": False}


def related_for(page, request, limit: int = 4) -> list[Hit]:
    """Stories like this one that the visitor may see, best first; never the page itself.

    Returns an empty list when search is unavailable, so the page still renders;
    neither the list nor the page (``perf.cache.mark_degraded``) is cached then, so
    the next view tries again.
    """
    audiences = audiences_for(getattr(request, "user", None))
    key = part_key(request, "related", page.pk, "+".join(audiences), limit)
    hits = cache.get(key)
    if hits is None:
        hits = _search_related(page, audiences, limit)
        if hits is None:
            mark_degraded(request)
            return []
        cache.set(key, hits, settings.PERF_PAGE_CACHE_SECONDS)
    return hits


def _search_related(page, audiences: list[str], limit: int) -> list[Hit] | None:
    query = {
        "bool": {
            "should": [
                {
                    "more_like_this": {
                        "fields": SIMILAR_TEXT_FIELDS,
                        "like": " ".join([page.title, page.summary_text()]),
                        "min_term_freq": 1,
                        "min_doc_freq": 1,
                        "max_doc_freq": MAX_SIMILAR_WORD_STORIES,
                        "max_query_terms": 25,
                    }
                },
                {
                    "terms": {
                        "interventions": [t.slug for t in page.intervention_types.all()],
                        "boost": 3,
                    }
                },
                {"term": {"industry": {"value": page.industry.slug, "boost": 2}}},
                {"terms": {"stages": [s.slug for s in page.stages.all()], "boost": 1}},
                {"term": {"region": {"value": page.region.slug, "boost": 0.5}}},
            ],
            "minimum_should_match": 1,
            "filter": [{"terms": {"audience": audiences}}],
            "must_not": [{"ids": {"values": [str(page.pk)]}}],
        }
    }
    try:
        answer = client(timeout=settings.SEARCH_RELATED_TIMEOUT).perform_request(
            "POST",
            f"/{alias_name()}/_search",
            params={"filter_path": "hits.hits._id,hits.hits._source"},
            headers=JSON_HEADERS,
            body={**_CARDS, "query": query, "size": limit},
        )
    except (TransportError, ApiError) as exc:
        logger.warning("Related practices unavailable: %s", exc)
        return None
    found = (answer.body.get("hits") or {}).get("hits") or []  # none: an empty answer
    hits = [Hit.from_source(hit.get("_source") or {}, hit["_id"]) for hit in found]
    return visible_hits(hits, audiences)
