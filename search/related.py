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
from elasticsearch_dsl import Q, Search

from perf.cache import mark_degraded, part_key

from .documents import alias_name, client
from .query import CARD_FIELDS, Hit, audiences_for, visible_hits

logger = logging.getLogger(__name__)

# The short text fields: similar titles, summaries and tags find the practices
# a reader would compare; the long body adds little but costs most to match.
SIMILAR_TEXT_FIELDS = ["title", "summary", "tags_text"]


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
    like = " ".join([page.title, page.summary_text()])
    should = [
        Q(
            "more_like_this",
            fields=SIMILAR_TEXT_FIELDS,
            like=like,
            min_term_freq=1,
            min_doc_freq=1,
            max_query_terms=25,
        ),
        Q("terms", interventions=[t.slug for t in page.intervention_types.all()], boost=3),
        Q("term", industry={"value": page.industry.slug, "boost": 2}),
        Q("terms", stages=[s.slug for s in page.stages.all()], boost=1),
        Q("term", region={"value": page.region.slug, "boost": 0.5}),
    ]
    search = (
        Search(using=client(timeout=settings.SEARCH_RELATED_TIMEOUT), index=alias_name())
        .query(
            Q(
                "bool",
                should=should,
                minimum_should_match=1,
                filter=[Q("terms", audience=audiences)],
                must_not=[Q("ids", values=[str(page.pk)])],
            )
        )
        .source(CARD_FIELDS)
        .extra(size=limit)
    )
    try:
        response = search.execute()
    except (TransportError, ApiError) as exc:
        logger.warning("Related practices unavailable: %s", exc)
        return None
    return visible_hits([Hit.from_hit(hit) for hit in response.hits], audiences)
