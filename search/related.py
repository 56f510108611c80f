"""Related practices for a story page: similar text and shared tags, audience-aware."""

from __future__ import annotations

import logging

from django.conf import settings
from elastic_transport import TransportError
from elasticsearch import ApiError
from elasticsearch_dsl import Q, Search

from .documents import alias_name, client
from .query import Hit, audiences_for

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
                using=client(timeout=getattr(settings, "SEARCH_RELATED_TIMEOUT", 2)),
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
            .source(
                [
                    "page_id",
                    "type",
                    "title",
                    "summary",
                    "url",
                    "industry_name",
                    "image_url",
                    "image_alt",
                    "first_published_at",
                ]
            )
            .extra(size=limit)
        )
        response = search.execute()
    except (TransportError, ApiError) as exc:
        logger.warning("Related practices unavailable: %s", exc)
        return []
    hits = []
    for hit in response.hits:
        source = hit.to_dict()
        hits.append(
            Hit(
                id=source.get("page_id") or int(hit.meta.id),
                type=source.get("type", ""),
                title=source.get("title", ""),
                url=source.get("url", ""),
                summary=source.get("summary", ""),
                industry=source.get("industry_name", ""),
                image_url=source.get("image_url", ""),
                image_alt=source.get("image_alt", ""),
            )
        )
    return hits
