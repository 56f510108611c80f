"""The open API: read-only JSON of public stories, filtered and searched like the search page.

Filters come from ``search.facets`` (the one facet list), applied as database filters;
with ``q`` the stories come from the search page's own ``FacetedStorySearch``, in its
order. Only public, live stories and only their public fields appear.
"""

import datetime
import math
import threading
from decimal import Decimal
from functools import wraps
from typing import Any, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, FilterSchema, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.throttling import BaseThrottle
from pydantic import ValidationError as PydanticValidationError
from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from wagtail.rich_text import expand_db_html

from base.throttle import RateLimit, client_address
from casestudies.addresses import absolute_url, canonical_url
from casestudies.blocks import COST_BANDS
from casestudies.figures import Band
from casestudies.models import (
    SIZE_BANDS,
    STORY_MODELS,
    VERIFICATION_LEVELS,
    CaseStudyPage,
    MetricResult,
    StoryPage,
)
from perf.cache import part_key
from search.documents import SearchUnavailable
from search.facets import FACETS, MAX_VALUES_PER_FACET, STORY_TYPES, filter_stories
from search.query import MAX_QUERY_LENGTH, SORTS, FacetedStorySearch, facet_labels

from .export import csv_response, json_response, matching_stories
from .stories import (
    find_public_story,
    headline_metric,
    kept_newest_story_ids,
    load_story_cards,
    public_stories,
    public_story_ids,
    selection_digest,
    story_image,
)
from .templatetags.embeds_tags import absolutize_links, attribution_text
from .views import MAX_PAGE_ID, embed_url, oembed_endpoint

MAX_PAGE_SIZE = 100
MAX_PAGE_NUMBER = 10_000
# The facets whose values are editable taxonomy slugs (the others are fixed enums).
TAXONOMY_PARAMS = ("industry", "intervention", "stage", "region", "risk", "step")


class ClientRateThrottle(BaseThrottle):
    """A limit per client from settings.API_RATE_LIMIT (``base.throttle``).

    The client is ``base.throttle.client_address`` (X-Forwarded-For only as far as
    TRUSTED_PROXY_COUNT proxies vouch for it); counts live hashed in the shared cache.
    """

    periods = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def __init__(self):
        self._last = threading.local()  # one instance serves every request thread

    def _rate(self) -> tuple[int, int]:
        count, _, period = settings.API_RATE_LIMIT.partition("/")
        return int(count), self.periods.get(period[:1] or "m", 60)

    def _limit(self) -> RateLimit:
        limit, seconds = self._rate()
        return RateLimit("open-api", limit, seconds)

    def window(self, request: HttpRequest) -> tuple[str, int]:
        """The counter this request is counted in, and its window's seconds: the
        anonymous cache counts it in its lookup's round trip (``perf.cache``)."""
        limit = self._limit()
        return limit.window(client_address(request)), limit.seconds

    def allow_request(self, request: HttpRequest) -> bool:
        hit = self._limit().hit(client_address(request), request=request)
        self._last.retry_after = hit.retry_after
        return hit.allowed

    def wait(self) -> float | None:
        return getattr(self._last, "retry_after", None)


class StoriesAPI(NinjaAPI):
    """The open API, whose schema lists the taxonomy slugs in use when it is read.

    Slugs are editable data (snippets), so they cannot be enums in the Python types;
    the published schema still names every allowed value, like the fixed enums do:
    the public's (``facet_labels()`` without a user), the terms public stories use.
    """

    def get_openapi_schema(self, **kwargs) -> dict:
        schema = super().get_openapi_schema(**kwargs)
        labels = facet_labels()
        for path in ("/api/stories/", "/api/stories/export.csv", "/api/stories/export.json"):
            listing = schema["paths"].get(path, {}).get("get", {})
            for parameter in listing.get("parameters", []):
                if parameter["name"] in TAXONOMY_PARAMS:
                    parameter["schema"]["items"]["enum"] = list(labels[parameter["name"]])
        return schema


api = StoriesAPI(
    title=f"{settings.WAGTAIL_SITE_NAME} open API",
    version="1.0.0",
    description=(
        "Read-only JSON of the published, public case studies and bright spots. Filter "
        "parameters are the search page's (a parameter may repeat; values of one parameter "
        "combine with OR, parameters with AND); `q` searches them like the search page and "
        "`sort` orders them. Unknown parameters and values answer 422 naming them. "
        "Rate-limited per client; CORS is open for GET."
    ),
    urls_namespace="open_api",
    docs_url="/",
    openapi_url="/openapi.json",
    throttle=[ClientRateThrottle()],
)

SEARCH_RETRY_SECONDS = 30
_STORED_ANSWER_THROTTLE = ClientRateThrottle()


def rate_limited(request: HttpRequest) -> HttpResponse | None:
    """The rate limit for an answer the anonymous cache serves (``perf.responses``):
    the view, which applies it otherwise, does not run then."""
    if _STORED_ANSWER_THROTTLE.allow_request(request):
        return None
    wait = _STORED_ANSWER_THROTTLE.wait()
    response = api.on_exception(request, Throttled(wait=wait))
    if wait is not None:
        response["Retry-After"] = str(math.ceil(wait))
    return response


rate_limited.window = _STORED_ANSWER_THROTTLE.window


@api.exception_handler(SearchUnavailable)
def search_unavailable(request: HttpRequest, exc: SearchUnavailable):
    """A ``q`` request never falls back to all stories: it says so and when to retry."""
    response = api.create_response(
        request,
        {
            "detail": "Search is temporarily unavailable. Retry later, or list stories "
            "without q (the filters still work)."
        },
        status=503,
    )
    response["Retry-After"] = str(SEARCH_RETRY_SECONDS)
    return response


# --- What comes in ------------------------------------------------------------------

StoryType = Literal[tuple(STORY_TYPES)]  # type: ignore[valid-type]
Verification = Literal[tuple(dict(VERIFICATION_LEVELS))]  # type: ignore[valid-type]
Sort = Literal[tuple(SORTS)]  # type: ignore[valid-type]


def _repeatable(label: str, **extra) -> Any:
    return Field(
        default_factory=list,
        max_length=MAX_VALUES_PER_FACET,
        description=f"{label} (repeatable)",
        **extra,
    )


class StoryPagination(PaginationBase):
    """ninja's page-number pagination, in the shape partners already read (docs/contract.md).

    It pages anything sliced like a queryset with a ``count()``: the database's newest
    stories or the search engine's matches.
    """

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE_NUMBER)
        page_size: int = Field(settings.API_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        count: int
        page: int
        page_size: int
        num_pages: int
        next: str | None
        previous: str | None
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, stories, pagination: Input, request: HttpRequest, **params):
        page, size = pagination.page, pagination.page_size
        start = (page - 1) * size
        results = stories[start : start + size]
        count = stories.count()
        num_pages = -(-max(count, 1) // size)  # one (empty) page when nothing matches
        return {
            "count": count,
            "page": page,
            "page_size": size,
            "num_pages": num_pages,
            "next": _page_link(request, page + 1) if page < num_pages else None,
            "previous": _page_link(request, min(page - 1, num_pages)) if page > 1 else None,
            "results": results,
        }


class StoryFilters(FilterSchema):
    """The search page's parameters (``search.facets.FACETS``), typed, for the listing.

    Values outside the vocabulary and parameters nobody defined answer 422 naming
    them, rather than quietly matching nothing or everything.
    """

    q: str = Field(
        "",
        max_length=MAX_QUERY_LENGTH,
        description="Words to search for, as in the search page's box; results then come "
        "in the search engine's order (503 with Retry-After while search is unavailable).",
    )
    sort: Sort = Field(
        "relevance",
        description="`relevance` (with q) or `newest`; without q, always newest first.",
    )
    industry: list[str] = _repeatable("Industry slug")
    intervention: list[str] = _repeatable("Intervention type slug")
    stage: list[str] = _repeatable("Supply-chain stage slug")
    region: list[str] = _repeatable("Region slug")
    type: list[StoryType] = _repeatable("Content type")
    year: list[str] = _repeatable(
        "Year of the work, e.g. 2021",
        json_schema_extra={"items": {"type": "string", "pattern": "^[0-9]{4}$"}},
    )
    verification: list[Verification] = _repeatable("Verification level of a result")
    risk: list[str] = _repeatable("Risk addressed: an ILO forced labour indicator slug")
    step: list[str] = _repeatable("Step taken: a step kind slug (case studies only)")

    @model_validator(mode="wrap")
    @classmethod
    def _refuse_the_unknown(cls, values, handler, info: ValidationInfo):
        request = (info.context or {}).get("request")
        known = set(cls.model_fields) | set(StoryPagination.Input.model_fields)
        errors = [
            {"type": "unknown_parameter", "loc": ["query", name], "msg": "unknown parameter"}
            for name in (request.GET if request is not None else ())
            if name not in known
        ]
        try:
            filters = handler(values)
        except PydanticValidationError as exc:
            filters = None
            errors += [
                {"type": e["type"], "loc": ["query", *e["loc"][:1]], "msg": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
        if errors:
            # ninja's own 422 shape, each error naming the parameter as sent.
            raise ValidationError(errors)
        return filters

    @field_validator(*TAXONOMY_PARAMS)
    @classmethod
    def _known_slugs(cls, values: list[str], info: ValidationInfo) -> list[str]:
        known = facet_labels()[info.field_name]
        unknown = [v for v in values if v not in known]
        if unknown:
            raise PydanticCustomError(
                "unknown_value",
                "unknown {param}: {values}",
                {"param": info.field_name, "values": ", ".join(map(repr, unknown))},
            )
        return list(dict.fromkeys(values))

    @field_validator("year")
    @classmethod
    def _years(cls, values: list[str]) -> list[str]:
        wrong = [v for v in values if not (v.isdigit() and len(v) == 4)]
        if wrong:
            raise PydanticCustomError(
                "unknown_value",
                "not a year: {values}",
                {"values": ", ".join(map(repr, wrong))},
            )
        return list(dict.fromkeys(values))

    def selected(self) -> dict[str, list[str]]:
        """The facet values, shaped like ``search.facets.parse_filters`` output."""
        chosen = {f.param: list(dict.fromkeys(getattr(self, f.param))) for f in FACETS}
        return {param: values for param, values in chosen.items() if values}

    def filter(self, queryset):
        """One story model's queryset narrowed the way the search page narrows it."""
        return filter_stories(queryset, self.selected())


class PublicStories:
    """Public stories from the database, newest first, sliced like a queryset."""

    def __init__(self, filters: StoryFilters, request: HttpRequest):
        self.narrow = filters.filter
        self.selected = filters.selected()
        self.request = request

    def __getitem__(self, window: slice) -> list[dict]:
        ids = kept_newest_story_ids("api", self.narrow, self.selected, window, self.request)
        return story_cards(ids, self.request)

    def count(self) -> int:
        """How many public stories match: counted once per content generation.

        Counting reads every matching row, so the cost would grow with the corpus on
        every page of every listing. The number changes only with what bumps the
        generation (a publish, an unpublish, a privacy or taxonomy change), which is
        also what makes the cached API answers stale: the key carries the generation.
        """
        key = part_key(self.request, "api-count", selection_digest(self.selected))
        count = cache.get(key)
        if count is None:
            count = sum(self.narrow(public_stories(model)).count() for model in STORY_MODELS)
            cache.set(key, count, settings.PERF_PAGE_CACHE_SECONDS)
        return count


class SearchedStories:
    """Public stories the search engine finds, in its order: what the search page shows.

    One search per page (the same ``FacetedStorySearch``, for an anonymous visitor), then
    the stories are loaded from the database, which has the last word on who may see them.
    """

    def __init__(self, filters: StoryFilters, request: HttpRequest):
        self.filters = filters
        self.request = request
        self.total = 0

    def __getitem__(self, window: slice) -> list[dict]:
        size = window.stop - window.start
        page = window.start // size + 1
        search = FacetedStorySearch(
            AnonymousUser(),
            query=self.filters.q,
            filters=self.filters.selected(),
            sort=self.filters.sort,
            page=min(page, settings.SEARCH_MAX_PAGE),
            page_size=size,
        )
        results = search.execute()
        self.total = results.total
        if page > settings.SEARCH_MAX_PAGE:
            return []  # beyond what the search engine pages through, as on the search page
        found = [hit.id for hit in results.hits]
        public = set(public_story_ids(lambda stories: stories.filter(pk__in=found)))
        return story_cards([pk for pk in found if pk in public], self.request)

    def count(self) -> int:
        return self.total


# --- What goes out ------------------------------------------------------------------


class Term(Schema):
    slug: str
    name: str


class InterventionTerm(Term):
    knowthechain_theme: str | None = Field(
        description="The KnowTheChain benchmark theme of the practice (a slug), if set."
    )

    @staticmethod
    def resolve_knowthechain_theme(intervention) -> str | None:
        return intervention.knowthechain_theme or None


class HeadlineMetric(Schema):
    metric: str
    metric_slug: str
    value: float | None = Field(description="The figure as published; empty for a range")
    value_range: list[float] | None = Field(
        None, description="[low, high) when published as a range"
    )
    unit: str
    verification: str

    @staticmethod
    def resolve_value(metric: dict) -> Decimal | None:
        return _single(metric["value"])

    @staticmethod
    def resolve_value_range(metric: dict) -> list | None:
        return _range(metric["value"])


class StoryOut(Schema):
    id: int
    type: StoryType
    title: str
    url: str = Field(description="The story's canonical page.")
    summary: str
    industry: Term
    region: Term
    interventions: list[InterventionTerm]
    stages: list[Term]
    risks_addressed: list[Term] = Field(
        description="The ILO indicators of forced labour the work addressed."
    )
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

    @staticmethod
    def resolve_type(page: StoryPage) -> str:
        return page.story_type

    @staticmethod
    def resolve_url(page: StoryPage) -> str:
        return canonical_url(page)

    @staticmethod
    def resolve_summary(page: StoryPage) -> str:
        return page.summary_text()

    @staticmethod
    def resolve_interventions(page: StoryPage):
        return page.intervention_types.all()

    @staticmethod
    def resolve_stages(page: StoryPage):
        return page.stages.all()

    @staticmethod
    def resolve_risks_addressed(page: StoryPage):
        return page.risks_addressed.all()

    @staticmethod
    def resolve_company_size(page: StoryPage) -> str:
        return dict(SIZE_BANDS).get(page.size_band, page.size_band)

    @staticmethod
    def resolve_headline_metric(page: StoryPage) -> dict | None:
        return headline_metric(page)

    @staticmethod
    def resolve_image_url(page: StoryPage) -> str | None:
        image = _card_image(page)
        return absolute_url(image.url) if image else None

    @staticmethod
    def resolve_image_alt(page: StoryPage) -> str:
        return page.hero_alt if _card_image(page) else ""

    @staticmethod
    def resolve_detail_url(page: StoryPage) -> str:
        return absolute_url(reverse("open_api:get_story", kwargs={"story_id": page.pk}))

    @staticmethod
    def resolve_embed_url(page: StoryPage) -> str:
        return embed_url(page)

    @staticmethod
    def resolve_oembed_url(page: StoryPage) -> str:
        return oembed_endpoint(canonical_url(page))


# A listing's stories, as ``StoryOut`` writes them: what a card shows of each tag.
CARD_TERMS = {
    "intervention_types": ("slug", "name", "knowthechain_theme"),
    "stages": ("slug", "name"),
    "risks_addressed": ("slug", "name"),
}
SIZE_LABELS = dict(SIZE_BANDS)


def story_cards(ids: list[int], request: HttpRequest) -> list[dict]:
    """``StoryOut`` of the public stories with these ids (already found public by the
    database), field for field as ninja would write it; tests/embeds/test_api_cost.py
    holds them to the detail's.

    Each story's card is kept for the content generation, like the public parts of a
    story's page: any publish, unpublish, privacy or taxonomy change starts a new one,
    so a listing page loads only the stories it has not shown since.
    """
    keys = {pk: part_key(request, "api-card", pk) for pk in ids}
    stored = cache.get_many(list(keys.values()))
    cards = {pk: stored[key] for pk, key in keys.items() if key in stored}
    missing = [pk for pk in ids if pk not in cards]
    if missing:
        detail_prefix = reverse("open_api:list_stories")
        loaded = load_story_cards(missing, CARD_TERMS, CARD_IMAGE)
        fresh = {story.pk: _card(story, detail_prefix) for story in loaded}
        timeout = settings.PERF_PAGE_CACHE_SECONDS
        cache.set_many({keys[pk]: card for pk, card in fresh.items()}, timeout)
        cards.update(fresh)
    return [cards[pk] for pk in ids if pk in cards]


def _card(story: StoryPage, detail_prefix: str) -> dict:
    page_url = canonical_url(story)
    image = story.card_image
    terms = story.card_terms
    return {
        "id": story.pk,
        "type": story.story_type,
        "title": story.title,
        "url": page_url,
        "summary": story.summary_text(),
        "industry": {"slug": story.industry.slug, "name": story.industry.name},
        "region": {"slug": story.region.slug, "name": story.region.name},
        "interventions": [
            {**term, "knowthechain_theme": term["knowthechain_theme"] or None}
            for term in terms["intervention_types"]
        ],
        "stages": terms["stages"],
        "risks_addressed": terms["risks_addressed"],
        "company_size": SIZE_LABELS.get(story.size_band, story.size_band),
        "year_started": story.year_started,
        "year_ended": story.year_ended,
        "headline_metric": _headline_card(headline_metric(story)),
        "image_url": absolute_url(image.url) if image else None,
        "image_alt": story.hero_alt if image else "",
        "first_published_at": story.first_published_at,
        "last_published_at": story.last_published_at,
        "detail_url": absolute_url(f"{detail_prefix}{story.pk}/"),
        "embed_url": embed_url(story),
        "oembed_url": oembed_endpoint(page_url),
    }


def _headline_card(metric: dict | None) -> dict | None:
    if metric is None:
        return None
    value, value_range = _single(metric["value"]), _range(metric["value"])
    return {
        "metric": metric["metric"],
        "metric_slug": metric["metric_slug"],
        "value": None if value is None else float(value),
        "value_range": None if value_range is None else [float(v) for v in value_range],
        "unit": metric["unit"],
        "verification": metric["verification"],
    }


class StepOut(Schema):
    """One step of a case study (a StreamField ``StructValue``)."""

    heading: str
    kind: Term | None = Field(description="What the step does (an editor-managed step kind).")
    what_was_done: str = Field(description="HTML")
    who_was_involved: str
    duration: str
    cost: str
    pitfalls: str

    @staticmethod
    def resolve_kind(step):
        return step.get("kind")

    @staticmethod
    def resolve_what_was_done(step) -> str:
        return _html(step["what_was_done"].source)

    @staticmethod
    def resolve_who_was_involved(step) -> str:
        return step["who_was_involved"] or ""

    @staticmethod
    def resolve_duration(step) -> str:
        return step["duration"] or ""

    @staticmethod
    def resolve_cost(step) -> str:
        return dict(COST_BANDS).get(step["cost_band"], "")

    @staticmethod
    def resolve_pitfalls(step) -> str:
        return step["pitfalls"] or ""


class ResultOut(Schema):
    """A measured result at its published precision: never the figures as entered."""

    metric: str
    metric_slug: str
    unit: str
    precision: str = Field(
        description="rounded, banded or exact: how baseline and result are published (see /data/)"
    )
    baseline: float | None
    result: float | None
    baseline_range: list[float] | None = Field(description="[low, high) when banded")
    result_range: list[float] | None = Field(description="[low, high) when banded")
    period_start: str = Field(description="YYYY, or YYYY-MM")
    period_end: str = Field(description="YYYY, or YYYY-MM")
    verification: str
    note: str

    @staticmethod
    def resolve_metric(result: MetricResult) -> str:
        return result.metric.name

    @staticmethod
    def resolve_metric_slug(result: MetricResult) -> str:
        return result.metric.slug

    @staticmethod
    def resolve_baseline(result: MetricResult):
        return _single(result.shown_baseline)

    @staticmethod
    def resolve_result(result: MetricResult):
        return _single(result.shown_result)

    @staticmethod
    def resolve_baseline_range(result: MetricResult):
        return _range(result.shown_baseline)

    @staticmethod
    def resolve_result_range(result: MetricResult):
        return _range(result.shown_result)

    @staticmethod
    def resolve_period_start(result: MetricResult) -> str:
        return result.shown_period_bounds[0]

    @staticmethod
    def resolve_period_end(result: MetricResult) -> str:
        return result.shown_period_bounds[1]

    @staticmethod
    def resolve_verification(result: MetricResult) -> str:
        return result.get_verification_display()


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

    @staticmethod
    def resolve_licence(page: StoryPage) -> str:
        return settings.REPUBLISH_LICENCE

    @staticmethod
    def resolve_licence_url(page: StoryPage) -> str:
        return settings.REPUBLISH_LICENCE_URL

    @staticmethod
    def resolve_attribution(page: StoryPage) -> str:
        return attribution_text(page)

    @staticmethod
    def resolve_body(page: StoryPage) -> str | None:
        return None if isinstance(page, CaseStudyPage) else page.summary_text()

    @staticmethod
    def resolve_challenge(page: StoryPage) -> str | None:
        return _html(page.challenge) if isinstance(page, CaseStudyPage) else None

    @staticmethod
    def resolve_steps(page: StoryPage) -> list:
        return [step.value for step in page.steps] if isinstance(page, CaseStudyPage) else []

    @staticmethod
    def resolve_what_did_not_work(page: StoryPage) -> str | None:
        return _html(page.what_did_not_work) if isinstance(page, CaseStudyPage) else None

    @staticmethod
    def resolve_lessons(page: StoryPage) -> str | None:
        return _html(page.lessons) if isinstance(page, CaseStudyPage) else None

    @staticmethod
    def resolve_results(page: StoryPage) -> list:
        return list(page.results.all()) if isinstance(page, CaseStudyPage) else []


class Error(Schema):
    detail: Any


ERRORS = {404: Error, 422: Error, 429: Error}
CARD_IMAGE = "fill-480x270|format-webp"


def _card_image(page: StoryPage):
    """The story's card rendition, looked up once per story (its URL and alt text ask)."""
    if not hasattr(page, "_api_card_image"):
        page._api_card_image = story_image(page, CARD_IMAGE)
    return page._api_card_image


def _html(rich_text_source: str) -> str:
    return absolutize_links(expand_db_html(rich_text_source or ""))


def _single(value):
    return None if isinstance(value, Band) else value


def _range(value) -> list | None:
    return [value.low, value.high] if isinstance(value, Band) else None


def _page_link(request: HttpRequest, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    path = reverse("open_api:list_stories")
    return absolute_url(f"{path}?{urlencode(list(params.lists()), doseq=True)}")


# --- The operations ---------------------------------------------------------------------


def _answered_as_built(view):
    """The listing's page, written as JSON as it is: its stories are already ``StoryOut``'s
    shape (``story_cards``), which ninja would otherwise check field by field, the bulk
    of the listing's cost. The schema it publishes stays the one declared."""

    @wraps(view)
    def answer(request: HttpRequest, **kwargs) -> HttpResponse:
        return api.create_response(request, view(request, **kwargs), status=200)

    return answer


@api.get(
    "/stories/",
    response={200: list[StoryOut], **ERRORS, 503: Error},
    summary="List public stories",
)
@_answered_as_built
@paginate(StoryPagination)
def list_stories(request: HttpRequest, filters: Query[StoryFilters]):
    """Newest first; with `q`, the search page's matches in its order (`sort=newest` to
    have them newest first)."""
    if filters.q.strip():
        return SearchedStories(filters, request)
    return PublicStories(filters, request)


EXPORT_DESCRIPTION = (
    "Every public story the parameters match (not one page), as {kind}, streamed; "
    "the columns are the data dictionary's (/data/). Parameters as for listing stories."
)


class StoriesExport(Schema):
    dictionary: str = Field(description="The data dictionary, which explains each column.")
    columns: list[str]
    results: list[dict[str, str]] = Field(description="One object per story, keyed by column.")


@api.get(
    "/stories/export.csv",
    response={**ERRORS, 503: Error},
    summary="Download every matching story as CSV",
    description=EXPORT_DESCRIPTION.format(kind="CSV with a header row"),
    openapi_extra={
        "responses": {
            "200": {
                "description": "CSV, UTF-8, one row per story",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_stories_csv(request: HttpRequest, filters: Query[StoryFilters]):
    return csv_response(_export(filters), "stories.csv")


@api.get(
    "/stories/export.json",
    response={200: StoriesExport, **ERRORS, 503: Error},
    summary="Download every matching story as JSON",
    description=EXPORT_DESCRIPTION.format(kind="a JSON object whose `results` hold the rows"),
)
def export_stories_json(request: HttpRequest, filters: Query[StoryFilters]):
    return json_response(_export(filters), "stories.json")


def _export(filters: StoryFilters):
    return matching_stories(filters.q, filters.selected(), filters.sort)


@api.get("/stories/{story_id}/", response={200: StoryDetail, **ERRORS}, summary="One story")
def get_story(request: HttpRequest, story_id: int = Path(..., ge=1, le=MAX_PAGE_ID)):
    story = find_public_story(pk=story_id)
    if story is None:
        raise HttpError(404, "No public story with this id.")
    return story
