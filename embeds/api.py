"""The open API: read-only JSON of public stories, filtered like the search page.

Filters come from ``search.facets`` (the one facet list), applied as database
filters; only public, live stories and only their public fields appear.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from typing import Any, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError
from ninja.throttling import BaseThrottle
from pydantic import create_model
from wagtail.rich_text import expand_db_html

from casestudies.blocks import COST_BANDS
from casestudies.models import SIZE_BANDS, CaseStudyPage, StoryPage
from search.facets import FACETS, parse_filters

from .stories import (
    absolute_url,
    canonical_url,
    filtered_story_ids,
    find_public_story,
    headline_metric,
    load_stories,
    story_image,
)
from .templatetags.embeds_tags import absolutize_links, attribution_text
from .views import MAX_PAGE_ID, embed_url, oembed_endpoint

MAX_PAGE_SIZE = 100
MAX_PAGE_NUMBER = 10_000


class ClientRateThrottle(BaseThrottle):
    """Fixed-window limit per client from settings.API_RATE_LIMIT, kept in the Django cache.

    The client address is hashed and only lives in the cache for one window.
    """

    periods = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def _rate(self) -> tuple[int, int]:
        count, _, period = settings.API_RATE_LIMIT.partition("/")
        return int(count), self.periods.get(period[:1] or "m", 60)

    def allow_request(self, request: HttpRequest) -> bool:
        limit, seconds = self._rate()
        ident = hashlib.sha256(f"{settings.SECRET_KEY}:{self.get_ident(request)}".encode())
        window = int(time.time() // seconds)
        key = f"open-api-rate:{ident.hexdigest()[:32]}:{window}"
        cache.add(key, 0, seconds + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, seconds + 1)
            used = 1
        return used <= limit

    def wait(self) -> float | None:
        _, seconds = self._rate()
        return seconds - (time.time() % seconds)


api = NinjaAPI(
    title=f"{settings.WAGTAIL_SITE_NAME} open API",
    version="1.0.0",
    description=(
        "Read-only JSON of the published, public case studies and bright spots. Filter "
        "parameters are the search page's (a parameter may repeat; values of one parameter "
        "combine with OR, parameters with AND). Rate-limited per client; CORS is open for GET."
    ),
    urls_namespace="open_api",
    docs_url="/",
    openapi_url="/openapi.json",
    throttle=[ClientRateThrottle()],
)


class Term(Schema):
    slug: str
    name: str


class HeadlineMetric(Schema):
    metric: str
    metric_slug: str
    value: float
    unit: str
    verification: str


class StoryOut(Schema):
    id: int
    type: Literal["case-study", "bright-spot"]
    title: str
    url: str = Field(description="The story's canonical page.")
    summary: str
    industry: Term
    region: Term
    interventions: list[Term]
    stages: list[Term]
    company_size: str
    year_started: int
    year_ended: int | None
    headline_metric: HeadlineMetric | None
    image_url: str | None
    image_alt: str
    first_published_at: datetime.datetime | None
    last_published_at: datetime.datetime | None
    detail_url: str
    embed_url: str
    oembed_url: str


class StepOut(Schema):
    heading: str
    what_was_done: str = Field(description="HTML")
    who_was_involved: str
    duration: str
    cost: str
    pitfalls: str


class ResultOut(Schema):
    metric: str
    metric_slug: str
    unit: str
    baseline: float | None
    result: float | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    verification: str
    note: str


class StoryDetail(StoryOut):
    licence: str
    licence_url: str
    attribution: str
    body: str | None = Field(description="A bright spot's text.")
    challenge: str | None = Field(description="HTML (case studies)")
    steps: list[StepOut]
    what_did_not_work: str | None = Field(description="HTML (case studies)")
    lessons: str | None = Field(description="HTML (case studies)")
    results: list[ResultOut]


class StoryList(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: str | None
    previous: str | None
    results: list[StoryOut]


class Error(Schema):
    detail: Any


StoryFilters = create_model(
    "StoryFilters",
    __base__=Schema,
    **{
        facet.param: (
            list[str],
            Field(default_factory=list, description=f"{facet.label} (repeatable)"),
        )
        for facet in FACETS
    },
)

ERRORS = {404: Error, 422: Error, 429: Error}


def _term(obj) -> dict:
    return {"slug": obj.slug, "name": obj.name}


def _html(rich_text_source: str) -> str:
    return absolutize_links(expand_db_html(rich_text_source or ""))


def story_summary(page: StoryPage) -> dict:
    image = story_image(page, "fill-480x270|format-webp")
    metric = headline_metric(page)
    return {
        "id": page.pk,
        "type": page.story_type,
        "title": page.title,
        "url": canonical_url(page),
        "summary": page.summary_text(),
        "industry": _term(page.industry),
        "region": _term(page.region),
        "interventions": [_term(t) for t in page.intervention_types.all()],
        "stages": [_term(s) for s in page.stages.all()],
        "company_size": dict(SIZE_BANDS).get(page.size_band, page.size_band),
        "year_started": page.year_started,
        "year_ended": page.year_ended,
        "headline_metric": metric,
        "image_url": absolute_url(image.url) if image else None,
        "image_alt": page.hero_alt if image else "",
        "first_published_at": page.first_published_at,
        "last_published_at": page.last_published_at,
        "detail_url": absolute_url(f"/api/stories/{page.pk}/"),
        "embed_url": embed_url(page),
        "oembed_url": oembed_endpoint(canonical_url(page)),
    }


def story_detail(page: StoryPage) -> dict:
    data = story_summary(page) | {
        "licence": settings.REPUBLISH_LICENCE,
        "licence_url": settings.REPUBLISH_LICENCE_URL,
        "attribution": attribution_text(page),
        "body": None,
        "challenge": None,
        "steps": [],
        "what_did_not_work": None,
        "lessons": None,
        "results": [],
    }
    if not isinstance(page, CaseStudyPage):
        data["body"] = page.summary_text()
        return data
    cost_labels = dict(COST_BANDS)
    data.update(
        challenge=_html(page.challenge),
        what_did_not_work=_html(page.what_did_not_work),
        lessons=_html(page.lessons),
        steps=[
            {
                "heading": step.value["heading"],
                "what_was_done": _html(step.value["what_was_done"].source),
                "who_was_involved": step.value["who_was_involved"] or "",
                "duration": step.value["duration"] or "",
                "cost": cost_labels.get(step.value["cost_band"], ""),
                "pitfalls": step.value["pitfalls"] or "",
            }
            for step in page.steps
        ],
        results=[
            {
                "metric": r.metric.name,
                "metric_slug": r.metric.slug,
                "unit": r.unit,
                "baseline": r.baseline,
                "result": r.result,
                "period_start": r.period_start,
                "period_end": r.period_end,
                "verification": r.get_verification_display(),
                "note": r.note,
            }
            for r in page.results.all()
        ],
    )
    return data


def _page_link(request: HttpRequest, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    return absolute_url(f"/api/stories/?{urlencode(list(params.lists()), doseq=True)}")


@api.get("/stories/", response={200: StoryList, **ERRORS}, summary="List public stories")
def list_stories(
    request: HttpRequest,
    filters: Query[StoryFilters],
    page: int = Query(1, ge=1, le=MAX_PAGE_NUMBER),
    page_size: int = Query(settings.API_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    """Newest first. Unknown filter values match nothing."""
    paginator = Paginator(filtered_story_ids(parse_filters(request.GET)), page_size)
    in_range = page <= paginator.num_pages
    ids = list(paginator.page(page).object_list) if in_range else []
    return {
        "count": paginator.count,
        "page": page,
        "page_size": page_size,
        "num_pages": paginator.num_pages,
        "next": _page_link(request, page + 1) if page < paginator.num_pages else None,
        "previous": _page_link(request, min(page - 1, paginator.num_pages))
        if page > 1 and paginator.num_pages
        else None,
        "results": [story_summary(story) for story in load_stories(ids)],
    }


@api.get("/stories/{story_id}/", response={200: StoryDetail, **ERRORS}, summary="One story")
def get_story(request: HttpRequest, story_id: int = Path(..., ge=1, le=MAX_PAGE_ID)):
    story = find_public_story(pk=story_id)
    if story is None:
        raise HttpError(404, "No public story with this id.")
    return story_detail(story)
