"""The partner report: embeds and republications per partner domain and month."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from .models import PartnerActivity

CHART_DOMAINS = 10


def _months_ago(today: datetime.date, months: int) -> datetime.date:
    index = today.year * 12 + today.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def partner_report(months: int = 12, today: datetime.date | None = None) -> dict:
    """Rows per (month, domain) and bar lengths per domain for the last ``months`` months."""
    since = _months_ago(today or timezone.now().date(), months - 1)
    embed, republish = Q(kind=PartnerActivity.EMBED), Q(kind=PartnerActivity.REPUBLISH)
    rows = list(
        PartnerActivity.objects.filter(month__gte=since)
        .values("month", "domain")
        .annotate(
            embed_loads=Sum("count", filter=embed, default=0),
            stories_embedded=Count("page", filter=embed, distinct=True),
            republications=Count("page", filter=republish, distinct=True),
            republished_views=Sum("count", filter=republish, default=0),
        )
        .order_by("-month", "-embed_loads", "domain")
    )
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(
            row["domain"], {"domain": row["domain"], "embed_loads": 0, "republished_views": 0}
        )
        total["embed_loads"] += row["embed_loads"]
        total["republished_views"] += row["republished_views"]
    chart = sorted(
        totals.values(), key=lambda t: (-(t["embed_loads"] + t["republished_views"]), t["domain"])
    )[:CHART_DOMAINS]
    peak = max([max(t["embed_loads"], t["republished_views"]) for t in chart] or [1]) or 1
    for position, bar in enumerate(chart):
        bar["y"] = position * 44
        bar["embed_width"] = round(bar["embed_loads"] / peak * 100, 1)
        bar["republish_width"] = round(bar["republished_views"] / peak * 100, 1)
    return {
        "since": since,
        "rows": rows,
        "chart": chart,
        "chart_height": len(chart) * 44,
        "partners": stories_per_partner(since),
    }


def stories_per_partner(since: datetime.date) -> list[dict]:
    """Each partner domain with the stories it embedded or republished since ``since``.

    Per story: the first and last month it was seen on the partner's site and how
    often; only months are kept (see models), so those are the dates there are.
    """
    embed, republish = Q(kind=PartnerActivity.EMBED), Q(kind=PartnerActivity.REPUBLISH)
    rows = (
        PartnerActivity.objects.filter(month__gte=since, page__isnull=False)
        .values("domain", "page_id", "page__title")
        .annotate(
            first_month=Min("month"),
            last_month=Max("month"),
            embed_loads=Sum("count", filter=embed, default=0),
            republished_views=Sum("count", filter=republish, default=0),
        )
        .order_by("domain", "-last_month", "page__title")
    )
    partners: dict[str, dict] = {}
    for row in rows:
        partner = partners.setdefault(row["domain"], {"domain": row["domain"], "stories": []})
        partner["stories"].append(
            {
                "page_id": row["page_id"],
                "title": row["page__title"],
                "first_month": row["first_month"],
                "last_month": row["last_month"],
                "embed_loads": row["embed_loads"],
                "republished_views": row["republished_views"],
            }
        )
    return list(partners.values())
