"""Metric pages, the impact dashboard and the open data downloads (thin: see figures.py
and downloads.py)."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.db.models.functions import Coalesce
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
)
from django.shortcuts import get_object_or_404, render
from django.utils.http import http_date

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
from perf.cache import CACHE_HEADER, request_generation, request_is_cacheable
from perf.responses import OPEN_DATA, generation_began, not_modified
from search.facets import FACETS, STORY_TYPES, parse_filters

from .downloads import FORMATS, find_live_file, live_file, live_key, open_live, private_copy
from .figures import (
    OPEN_DATA_FIELDS,
    describe_levels,
    filter_stories,
    included_levels,
    metric_summary,
    summaries,
    visible_results,
)
from .models import OpenDataRelease
from .releases import summary as release_summary

TRUE_VALUES = {"1", "true", "on", "yes"}
# Results a metric page lists at a time: thousands at 30,000 stories made a page no one
# could read, and the open data holds them all.
RESULTS_PER_PAGE = 50


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
    summary = metric_summary(request.user, metric, filters, verified)
    # Numbered from the count the figures already hold: no second count of the results.
    listing = Paginator(range(summary.listed), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = listing.object_list
    results = visible_results(request.user, filters, verified).filter(metric=metric)
    return render(
        request,
        "impact/metric_page.html",
        {
            **_scope(request, filters, verified),
            "metric": metric,
            "summary": summary,
            "listing": listing,
            "results": results[shown.start : shown.stop] if shown else [],
        },
    )


def data_dictionary(request: HttpRequest) -> HttpResponse:
    return render(request, "impact/data_dictionary.html", {"fields": OPEN_DATA_FIELDS})


def metric_results_csv(request: HttpRequest) -> HttpResponse:
    # A cell a spreadsheet would run as a formula is written as text (base.csv).
    return _open_data_file(request, "csv")


def metric_results_json(request: HttpRequest) -> HttpResponse:
    return _open_data_file(request, "json")


def _open_data_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """Open data is always the public view, whoever downloads it, served from a file
    written once per content generation (impact.downloads) with the validators and
    CDN headers of the anonymous cache (perf.responses); 304 without writing it."""
    filename = f"metric-results.{fmt}"
    if not request_is_cacheable(request) or request.GET:
        # Signed in, or parameters the route does not know: nothing shared is read or made.
        return FileResponse(private_copy(fmt), content_type=FORMATS[fmt], filename=filename)
    generation = request_generation(request)
    last_modified = generation_began(generation)
    key = live_key(generation, last_modified)
    found = find_live_file(key, fmt)
    if found is None and "HTTP_IF_NONE_MATCH" not in request.META:
        if not_modified(request, "", last_modified):
            return _validated(HttpResponseNotModified(), None, last_modified, "HIT")
    found, written = (found, False) if found is not None else live_file(key, fmt)
    state = "MISS" if written else "HIT"
    if not_modified(request, found.etag, last_modified):
        return _validated(HttpResponseNotModified(), found.etag, last_modified, state)
    file = open_live(found)
    if file is None:  # a newer generation's file replaced it a moment ago
        return FileResponse(private_copy(fmt), content_type=FORMATS[fmt], filename=filename)
    response = FileResponse(file, content_type=FORMATS[fmt], filename=filename)
    return _validated(response, found.etag, last_modified, state)


def _validated(response, etag: str | None, last_modified: int, state: str) -> HttpResponse:
    if etag:
        response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = OPEN_DATA.cache_control
    response[CACHE_HEADER] = state  # kept by the cache middleware, which stores no file
    return response


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
