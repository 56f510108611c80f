"""Related practices for a story page: similar text and shared tags, audience-aware."""

from __future__ import annotations

import logging

from django.conf import settings
from elastic_transport import TransportError
from elasticsearch import ApiError
from elasticsearch_dsl import Q, Search

from .documents import alias_name, client
from .query import CARD_FIELDS, Hit, audiences_for

logger = logging.getLogger(__name__)


def related_for(page, user, limit: int = 4) -> list[Hit]:
    """Stories like this one that ``user`` may see, best first; never the page itself.

    Returns an empty list when search is unavailable, so the page still renders.
    """
    try:
        like = " ".join([page.title, page.summary_text()])
        should = [
            Q(
                "more_like_this",
                fields=["title", "summary", "body"],
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
            Search(
                using=client(timeout=settings.SEARCH_RELATED_TIMEOUT),
                index=alias_name(),
            )
            .query(
                Q(
                    "bool",
                    should=should,
                    minimum_should_match=1,
                    filter=[Q("terms", audience=audiences_for(user))],
                    must_not=[Q("ids", values=[str(page.pk)])],
                )
            )
            .source(CARD_FIELDS)
            .extra(size=limit)
        )
        response = search.execute()
    except (TransportError, ApiError) as exc:
        logger.warning("Related practices unavailable: %s", exc)
        return []
    return [Hit.from_hit(hit) for hit in response.hits]
