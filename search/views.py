"""The search page, its fallback when Elasticsearch is down, and suggestions as you type."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from base.context_processors import reversed_routes, static_urls
from casestudies.models import (
    STORY_MODELS,
    Industry,
    InterventionType,
)
from perf.cache import mark_degraded
from perf.responses import Freshness, cacheable

from .documents import IMAGE_FILTER, SearchUnavailable
from .facets import FACETS, STORY_TYPES, filter_stories
from .query import SORTS, FacetedStorySearch, Hit, facet_labels, suggest


def state_query(query: str, filters: dict[str, list[str]], sort: str, page: int = 1) -> str:
    """The query string of a search state, parameters in the contract's order."""
    params: list[tuple[str, str]] = [("q", query)] if query else []
    for facet in FACETS:
        params += [(facet.param, value) for value in filters.get(facet.param, [])]
    if sort != "relevance":
        params.append(("sort", sort))
    if page > 1:
        params.append(("page", str(page)))
    return urlencode(params)


def state_url(
    query: str, filters: dict[str, list[str]], sort: str, page: int = 1, path: str = ""
) -> str:
    """The search page URL for a state, parameters in the contract's order.

    ``path`` is the search page's own path when the caller already has it: a results
    page links to some ten states, and reversing the URL each time was a measurable part
    of the page's Python time.
    """
    params = state_query(query, filters, sort, page)
    return (path or reverse("search:page")) + (f"?{params}" if params else "")


# What a search page links to besides other searches, by the name its template uses.
PAGE_ROUTES = {
    "page": "search:page",
    "suggest": "search:suggest",
    "compare": "playbooks:compare",
    "data_dictionary": "impact:data_dictionary",
    "rss": "feed_search_rss",
    "atom": "feed_search_atom",
    "csv": "open_api:export_stories_csv",
    "json": "open_api:export_stories_json",
}


def page_addresses() -> Mapping[str, str]:
    """``PAGE_ROUTES`` reversed once per process (``base.context_processors.reversed_routes``):
    reversing them on each page (in the view and in ``{% url %}`` tags) was a tenth of the
    page's own work."""
    return reversed_routes(PAGE_ROUTES)


# The search page's own stylesheet and script, by the name its template uses.
PAGE_ASSETS = {"css": "search/search.css", "js": "search/search.js"}


def page_assets() -> Mapping[str, str]:
    """``PAGE_ASSETS``' URLs, asked of the static files storage once per process
    (``base.context_processors.static_urls``)."""
    return static_urls(PAGE_ASSETS)


def _follow_and_download(
    query: str, filters: dict[str, list[str]], sort: str, addresses: Mapping[str, str]
) -> dict:
    """Where this search's feeds and downloads are: the same words and facets (a feed is
    always newest first; a download keeps the order)."""
    feed = state_query(query, filters, "relevance")
    export = state_query(query, filters, sort)
    return {
        name: addresses[name] + (f"?{params}" if params else "")
        for name, params in (("rss", feed), ("atom", feed), ("csv", export), ("json", export))
    }


def _chips(
    query: str, filters: dict[str, list[str]], sort: str, request, path: str = ""
) -> list[dict]:
    labels = facet_labels(request.user, request)
    chips = []
    for facet in FACETS:
        for value in filters.get(facet.param, []):
            remaining = {**filters, facet.param: [v for v in filters[facet.param] if v != value]}
            chips.append(
                {
                    "facet": facet.label,
                    "label": labels.get(facet.param, {}).get(value, value),
                    "remove_url": state_url(query, remaining, sort, path=path),
                }
            )
    return chips


@require_GET
def search_page(request):
    search = FacetedStorySearch.from_params(request.GET, request.user, request=request)
    addresses = page_addresses()
    path = addresses["page"]
    context = {
        "query": search.query,
        "sort": search.sort,
        "sorts": SORTS,
        "addresses": addresses,
        "assets": page_assets(),
        "chips": _chips(search.query, search.filters, search.sort, request, path),
        "clear_url": state_url(search.query, {}, search.sort, path=path),
        "follow": _follow_and_download(search.query, search.filters, search.sort, addresses),
    }
    try:
        results = search.execute()
    except SearchUnavailable:
        context.update(
            unavailable=True,
            messages_list=search.messages,
            browse_industries=Industry.objects.visible_to(request.user),
            browse_interventions=InterventionType.objects.visible_to(request.user),
            browse_stories=browse_from_database(request.user, search.filters),
        )
        response = render(request, "search/search_page.html", context, status=503)
        response["Retry-After"] = "30"
        return response
    context.update(
        results=results,
        messages_list=results.messages,
        facets=results.facets,
        suggestion_url=(
            state_url(results.suggestion, search.filters, search.sort, path=path)
            if results.suggestion
            else ""
        ),
        previous_url=state_url(
            search.query, search.filters, search.sort, results.page - 1, path=path
        ),
        next_url=state_url(search.query, search.filters, search.sort, results.page + 1, path=path),
    )
    return render(request, "search/search_page.html", context)


def browse_from_database(user, filters: dict[str, list[str]]) -> list[Hit]:
    """Newest stories matching every selected facet, straight from the database."""
    stories = []
    for model in STORY_MODELS:
        pages = filter_stories(model.objects.visible_to(user), filters).select_related(
            "industry", "hero_image"
        )
        stories += list(pages.order_by("-first_published_at")[: settings.SEARCH_PAGE_SIZE])
    stories.sort(key=lambda p: p.first_published_at, reverse=True)
    hits = []
    for page in stories[: settings.SEARCH_PAGE_SIZE]:
        image_url = ""
        if page.hero_image_id:
            try:
                image_url = page.hero_image.get_rendition(IMAGE_FILTER).url
            except Exception:  # noqa: BLE001 - a card without a picture is fine
                image_url = ""
        hits.append(
            Hit(
                id=page.pk,
                type=page.story_type,
                title=page.title,
                url=page.url,
                summary=page.summary_text(),
                industry=page.industry.name,
                image_url=image_url,
                image_alt=page.hero_alt,
            )
        )
    return hits


# What a suggestion is, said next to it: "Case study", "Industry", ...
SUGGESTION_KINDS = {**STORY_TYPES, **{facet.param: facet.label for facet in FACETS}}


# Browsers keep a suggestion for a minute, as they always did, and so may a CDN: it
# cannot be purged per prefix, so a title withdrawn leaves every cache within that
# minute (never served stale, on error or while revalidating).
SUGGESTIONS = Freshness(
    "suggestions", max_age=60, s_maxage=60, stale_while_revalidate=0, stale_if_error=0
)


@cacheable(SUGGESTIONS, params=["q"])
@require_GET
def suggest_view(request):
    """Suggestions as links: a story's page, or the search page filtered by a term.

    Anonymous visitors' answers come from the page cache (``perf.cache``), one per
    typed text and content generation: the first visitor to type a prefix asks
    Elasticsearch, the others are answered with what the same reader would be shown.
    """
    payload = suggest(request.GET.get("q", ""), request.user, request=request)
    for item in payload["suggestions"]:
        item["kind_label"] = SUGGESTION_KINDS.get(item["kind"], "")
    response = JsonResponse(payload)
    if payload.get("search_available") is False:
        mark_degraded(request)  # no titles while search is down: never kept
        response["Cache-Control"] = "no-store"
    else:
        response["Cache-Control"] = f"max-age={SUGGESTIONS.max_age}"
    return response
