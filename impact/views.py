"""Metric pages, the impact dashboard and the open data downloads (thin: see figures.py)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Min
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from base.csv import csv_text
from casestudies.models import (
    STORY_MODELS,
    VERIFICATION_LEVELS,
    BrightSpotPage,
    ForcedLabourIndicator,
    Industry,
    InterventionType,
    MetricDefinition,
    Region,
    StepKind,
    SupplyChainStage,
    is_member,
)
from search.facets import FACETS, STORY_TYPES, parse_filters

from .figures import (
    OPEN_DATA_FIELDS,
    describe_levels,
    filter_stories,
    included_levels,
    iter_open_data_rows,
    open_data_rows,
    summaries,
    summarize,
    visible_results,
)
from .models import OpenDataRelease
from .releases import summary as release_summary

TRUE_VALUES = {"1", "true", "on", "yes"}


def _selection(request: HttpRequest) -> tuple[dict[str, list[str]], bool]:
    filters = parse_filters(request.GET)
    verified = request.GET.get("verified", "").strip().lower() in TRUE_VALUES
    return filters, verified


def _scope(request: HttpRequest, filters: dict[str, list[str]], verified: bool) -> dict:
    """What the figures include, stated on every page so levels are never silently mixed."""
    members = request.user.is_authenticated and is_member(request.user)
    return {
        "filters": filters,
        "verified": verified,
        "levels": included_levels(filters, verified),
        "levels_text": describe_levels(included_levels(filters, verified)),
        "audience_text": "public and members-only" if members else "public",
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    filters, verified = _selection(request)
    bright_spots = (
        filter_stories(BrightSpotPage.objects.visible_to(request.user), filters)
        .select_related("metric", "industry", "region", "hero_image")
        .order_by("-first_published_at")[:6]
    )
    return render(
        request,
        "impact/dashboard.html",
        {
            **_scope(request, filters, verified),
            "summaries": summaries(request.user, filters, verified),
            "facets": facet_choices(request, filters),
            "bright_spots": bright_spots,
        },
    )


def metric_index(request: HttpRequest) -> HttpResponse:
    metrics = MetricDefinition.objects.visible_to(request.user)
    return render(request, "impact/metric_index.html", {"metrics": metrics})


def metric_page(request: HttpRequest, slug: str) -> HttpResponse:
    # A metric no story the visitor may open reports is answered as an unknown one: its
    # name (and that it exists) is not theirs to see.
    metric = get_object_or_404(MetricDefinition.objects.visible_to(request.user), slug=slug)
    filters, verified = _selection(request)
    results = visible_results(request.user, filters, verified).filter(metric=metric)
    return render(
        request,
        "impact/metric_page.html",
        {
            **_scope(request, filters, verified),
            "metric": metric,
            "summary": summarize(metric, results),
        },
    )


def data_dictionary(request: HttpRequest) -> HttpResponse:
    return render(request, "impact/data_dictionary.html", {"fields": OPEN_DATA_FIELDS})


def _public_rows() -> list[dict[str, str]]:
    """Open data is always the public view, whoever downloads it."""
    return open_data_rows(AnonymousUser())


def metric_results_csv(request: HttpRequest) -> HttpResponse:
    # A cell a spreadsheet would run as a formula is written as text (base.csv). Rows are
    # written as they are read, never all held at once; the answer is one body because the
    # response cache stores it (perf.responses).
    rows = iter_open_data_rows(AnonymousUser())
    body = csv_text([name for name, _ in OPEN_DATA_FIELDS], rows)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="metric-results.csv"'
    return response


def metric_results_json(request: HttpRequest) -> JsonResponse:
    rows = _public_rows()
    return JsonResponse(
        {
            "dictionary": request.build_absolute_uri("/data/"),
            "note": "Decimal figures are strings so that no digit is lost.",
            "count": len(rows),
            "results": rows,
        },
        json_dumps_params={"ensure_ascii": False},
    )


# --- Facet controls -------------------------------------------------------------


def facet_choices(request: HttpRequest, filters: dict[str, list[str]]) -> list[dict]:
    """The search facets (search.facets.FACETS) as checkbox groups for the dashboard: the
    terms some story the visitor may open uses (a term's name can give a contributor away)."""
    user = request.user
    options = {
        "industry": Industry.objects.visible_to(user).values_list("slug", "name"),
        "intervention": InterventionType.objects.visible_to(user).values_list("slug", "name"),
        "stage": SupplyChainStage.objects.visible_to(user).values_list("slug", "name"),
        "region": Region.objects.visible_to(user).values_list("slug", "name"),
        "type": STORY_TYPES.items(),
        "year": [(str(y), str(y)) for y in _story_years(request.user)],
        "verification": VERIFICATION_LEVELS,
        "risk": ForcedLabourIndicator.objects.visible_to(user).values_list("slug", "name"),
        "step": StepKind.objects.visible_to(user).values_list("slug", "name"),
    }
    return [
        {
            "facet": facet,
            "options": [
                {"value": value, "label": label, "checked": value in filters.get(facet.param, [])}
                for value, label in options.get(facet.param, [])
            ],
        }
        for facet in FACETS
    ]


def _story_years(user) -> list[int]:
    first, last = [], []
    for model in STORY_MODELS:
        span = model.objects.visible_to(user).aggregate(
            first=Min("year_started"), last=Max(Coalesce("year_ended", "year_started"))
        )
        if span["first"]:
            first.append(span["first"])
            last.append(span["last"])
    if not first:
        return []
    return list(range(max(last), min(first) - 1, -1))


# --- Open-data releases (impact.releases) ------------------------------------------

RELEASE_FILES = {
    "csv": ("csv_text", "csv_sha256", "text/csv; charset=utf-8"),
    "json": ("json_text", "json_sha256", "application/json"),
}


def release_index(request: HttpRequest) -> HttpResponse:
    releases = OpenDataRelease.objects.select_related("previous").defer(
        "csv_text", "json_text", "previous__csv_text", "previous__json_text"
    )
    return render(
        request,
        "impact/release_index.html",
        {"releases": [{"release": r, "summary": release_summary(r)} for r in releases]},
    )


def release_file(request: HttpRequest, date: str, fmt: str) -> HttpResponse:
    """A frozen file, byte for byte as released; its checksum is on the listing."""
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        raise Http404("No open-data release has that date.") from None
    if fmt not in RELEASE_FILES:
        raise Http404("Releases hold metric-results.csv and metric-results.json.")
    text_field, sha_field, content_type = RELEASE_FILES[fmt]
    release = get_object_or_404(
        OpenDataRelease.objects.only(text_field, sha_field, "withdrawn_at", "withdrawal_reason"),
        date=day,
    )
    if release.withdrawn:
        return HttpResponse(
            f"The open-data release of {day:%Y-%m-%d} was withdrawn: {release.withdrawal_reason}",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(getattr(release, text_field).encode("utf-8"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="metric-results-{day:%Y-%m-%d}.{fmt}"'
    response["ETag"] = f'"{getattr(release, sha_field)}"'
    return response
