"""For editors: how many follow each search, and what was sent when (no addresses)."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import IMMEDIATELY, WEEKLY, AlertSent, FollowedSearch
from .searches import describe

RECENT = 200


def followed_searches() -> list[dict]:
    """Each distinct confirmed search with its follower counts, most followed first."""
    confirmed = FollowedSearch.objects.filter(confirmed_at__isnull=False)
    rows = (
        confirmed.values("key")
        .annotate(
            followers=Count("id"),
            immediately=Count("id", filter=Q(frequency=IMMEDIATELY)),
            weekly=Count("id", filter=Q(frequency=WEEKLY)),
        )
        .order_by("-followers", "key")
    )
    examples = {}
    for key, query, filters in confirmed.order_by("id").values_list("key", "query", "filters"):
        examples.setdefault(key, describe(query, filters or {}))
    return [{**row, "label": examples[row["key"]]} for row in rows]


def recently_sent() -> list[dict]:
    """The latest messages, one row per search and stories (with how many received it)."""
    rows: dict[tuple, dict] = {}
    for sent in AlertSent.objects.all()[: RECENT * 10]:
        key = (sent.kind, sent.search_key, tuple(sent.story_titles), sent.sent_at.date())
        row = rows.setdefault(
            key,
            {
                "sent_at": sent.sent_at,
                "kind": sent.get_kind_display(),
                "search_label": sent.search_label,
                "story_titles": sent.story_titles,
                "messages": 0,
            },
        )
        row["messages"] += 1
    return list(rows.values())[:RECENT]
