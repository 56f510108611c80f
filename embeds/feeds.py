"""RSS and Atom feeds of public stories: overall, per industry or intervention type, and
for any search (the search page's parameters, ``/feeds/search/rss/?q=…&industry=…``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import StringIO

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import strip_tags
from django.utils.http import http_date
from django.utils.xmlutils import SimplerXMLGenerator
from ninja.errors import ValidationError
from wagtail.models import Page, Site

from casestudies.addresses import absolute_url, canonical_url
from casestudies.figures import format_figure, publish_number
from casestudies.models import (
    STORY_TYPES,
    BrightSpotPage,
    CaseStudyPage,
    Industry,
    InterventionType,
    MetricResult,
)
from perf.cache import part_key
from search.documents import SearchUnavailable
from search.facets import FACETS, filter_stories
from search.query import FacetedStorySearch, facet_labels
from search.views import state_query, state_url

from .api import StoryFilters
from .stories import kept_newest_story_ids, public_stories

FEED_LENGTH = 50
FOLLOW_TITLE = "Follow this search by e-mail"


@dataclass(frozen=True)
class FeedItem:
    """What a feed says of one story, read from its row rather than a page object.

    A feed lists 50 stories: building each as a page (with its industry, image, tags
    and results) cost most of an uncached feed's time, for six short fields.
    """

    title: str
    link: str
    description: str
    pubdate: datetime | None
    updateddate: datetime | None
    categories: list[str]


# Each story type's row as a feed reads it: the fields every item shows, and the text
# and headline figure of its kind (``summary_text`` and ``headline_metric`` of the page).
_ROW = ("pk", "title", "url_path", "first_published_at", "last_published_at", "industry__name")
_KIND_ROW = {
    CaseStudyPage: ("summary",),
    BrightSpotPage: ("body", "metric_value", "metric_precision", "metric_unit", "metric__name"),
}


def feed_entries(feed_type: type[CachedItemsFeed], ids: list[int]) -> list[dict]:
    """The public stories with these ids as ``feed_type``'s items, written, in this order
    (an id that is no longer public is left out).

    Each item is kept in the cache written (``CachedItemsFeed``), under the content
    generation (``perf.cache.part_key``), which every publish, unpublish, privacy or
    vocabulary change moves on: a feed writes only the items no feed before it wrote in
    this generation, and reads only those from the database. The generation is read
    before the stories are, so an item read before a change is never kept under the
    generation after it; only public stories are read, so nothing members-only is kept.
    """
    prefix = part_key(None, "feed-item", feed_type.item_format)
    keys = {pk: f"{prefix}:{pk}" for pk in ids}
    found = cache.get_many(list(keys.values()))
    entries = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in ids if pk not in entries]
    if missing:
        written = {pk: feed_type.entry(item) for pk, item in _read_items(missing).items()}
        cache.set_many(
            {keys[pk]: entry for pk, entry in written.items()}, settings.PERF_PAGE_CACHE_SECONDS
        )
        entries.update(written)
    return [entries[pk] for pk in ids if pk in entries]


def _read_items(ids: list[int]) -> dict[int, FeedItem]:
    """The public stories with these ids as feed items, in four queries however many."""
    rows: dict[int, dict] = {}
    for model, fields in _KIND_ROW.items():
        for row in public_stories(model).filter(pk__in=ids).values(*_ROW, *fields):
            row["model"] = model
            rows[row["pk"]] = row
    leads = _case_study_leads([pk for pk, row in rows.items() if row["model"] is CaseStudyPage])
    tags = _intervention_names(list(rows))
    # Wagtail reads the sites' root paths from the cache for each page it writes the
    # address of; they are the same for every item, so they are read once.
    roots = Site.get_site_root_paths()
    items = {}
    for pk, row in rows.items():
        if row["model"] is BrightSpotPage:
            value = publish_number(row["metric_value"], row["metric_precision"])
            lead = _lead(value, row["metric_unit"], row["metric__name"])
            text = row["body"]
        else:
            lead, text = leads.get(pk, ""), row["summary"]
        page = Page(id=pk, url_path=row["url_path"])
        page._wagtail_cached_site_root_paths = roots
        items[pk] = FeedItem(
            title=row["title"],
            link=canonical_url(page),
            description=lead + strip_tags(text),
            pubdate=row["first_published_at"],
            updateddate=row["last_published_at"],
            categories=[
                STORY_TYPES[row["model"].story_type],
                row["industry__name"],
                *tags.get(pk, ()),
            ],
        )
    return items


def _lead(value, unit: str, metric: str) -> str:
    """The headline figure an item's description starts with (see ``headline_metric``)."""
    return f"{format_figure(value)} {unit} ({metric}). "


def _case_study_leads(ids: list[int]) -> dict[int, str]:
    """Each case study's lead: its first result with a single published figure (a result
    published as a range has none, as on its card)."""
    leads: dict[int, str] = {}
    results = (
        MetricResult.objects.filter(page_id__in=ids)
        .order_by("page_id", "sort_order", "pk")
        .values_list("page_id", "result", "precision", "unit", "metric__name")
    )
    for page_id, result, precision, unit, metric in results:
        value = publish_number(result, precision)
        if page_id not in leads and isinstance(value, Decimal):
            leads[page_id] = _lead(value, unit, metric)
    return leads


def _intervention_names(ids: list[int]) -> dict[int, list[str]]:
    """The intervention types each story names among its categories, in the vocabulary's
    own order (as ``story.intervention_types.all()`` lists them), in one query."""
    order = [f"interventiontype__{field}" for field in InterventionType._meta.ordering]
    tagged = []
    for model in _KIND_ROW:
        story = model._meta.model_name
        through = model.intervention_types.through.objects.filter(**{f"{story}__in": ids})
        tagged.append(through.values_list(story, "interventiontype__name", *order))
    names: dict[int, list[str]] = {}
    for story_id, name, *_order in tagged[0].union(*tagged[1:], all=True).order_by(*order):
        names.setdefault(story_id, []).append(name)
    return names


class CachedItemsFeed(SyndicationFeed):
    """A feed type whose items come written (``entry``), so that they can be kept.

    An entry is what the feed type's own ``write_items`` writes of one item, with the
    dates ``latest_post_date`` reads: a feed of kept entries is the same document, byte
    for byte, as one written item by item.
    """

    item_format: str

    @classmethod
    def entry(cls, item: FeedItem) -> dict:
        """``item`` written as this feed type writes it, with what Django's ``Feed`` gives
        each item (its link as its guid, the republication licence)."""
        single = cls(title="", link="", description="")
        single.add_item(
            title=item.title,
            link=item.link,
            description=item.description,
            unique_id=item.link,
            pubdate=item.pubdate,
            updateddate=item.updateddate,
            categories=item.categories,
            item_copyright=settings.REPUBLISH_LICENCE,
        )
        written = StringIO()
        handler = SimplerXMLGenerator(written, "utf-8", short_empty_elements=True)
        super(CachedItemsFeed, single).write_items(handler)
        return {"pubdate": item.pubdate, "updateddate": item.updateddate, "xml": written.getvalue()}

    def write_items(self, handler):
        for entry in self.items:
            handler.ignorableWhitespace(entry["xml"])


class RssWithFollowLink(CachedItemsFeed, Rss201rev2Feed):
    """RSS whose channel links the page that follows the same search by e-mail."""

    item_format = "rss"

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        follow = {"rel": "related", "href": self.feed["follow_url"], "title": FOLLOW_TITLE}
        handler.addQuickElement("atom:link", None, follow)


class AtomWithFollowLink(CachedItemsFeed, Atom1Feed):
    """Atom whose feed links the page that follows the same search by e-mail."""

    item_format = "atom"

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        follow = {"rel": "related", "href": self.feed["follow_url"], "title": FOLLOW_TITLE}
        handler.addQuickElement("link", "", follow)


class StoryFeed(Feed):
    """All public, live case studies and bright spots, newest first."""

    feed_type = RssWithFollowLink
    description = "New anonymized case studies and bright spots on ending forced labour."
    facet_param: str | None = None

    def get_object(self, request, slug: str | None = None):
        return None

    def follow_filters(self, obj) -> tuple[str, dict[str, list[str]]]:
        """The words and facets this feed follows, for the e-mail sign-up it links to."""
        return "", ({self.facet_param: [obj.slug]} if obj is not None else {})

    def feed_extra_kwargs(self, obj) -> dict:
        params = state_query(*self.follow_filters(obj), "relevance")
        follow = reverse("alerts:follow") + (f"?{params}" if params else "")
        return {"follow_url": absolute_url(follow)}

    def title(self, obj) -> str:
        suffix = f": {obj.name}" if obj is not None else ""
        return f"{settings.WAGTAIL_SITE_NAME}{suffix}"

    def link(self, obj) -> str:
        if obj is None:
            return absolute_url("/")
        return absolute_url(f"{reverse('search:page')}?{self.facet_param}={obj.slug}")

    def story_ids(self, obj) -> list[int]:
        """The stories the feed lists, newest first."""
        filters = {self.facet_param: [obj.slug]} if obj is not None else {}
        return _newest(filters)

    def items(self, obj) -> list:
        # Django's item hooks (``item_title``…) cost more than the rest of a feed:
        # ``get_feed`` adds the stories itself, written once (``feed_entries``).
        return []

    def get_feed(self, obj, request: HttpRequest) -> CachedItemsFeed:
        ids = self.story_ids(obj)
        feed = super().get_feed(obj, request)
        feed.items = feed_entries(self.feed_type, ids)
        return feed

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """Django's, but the document is written into the response at once: written
        straight into it, each of the few thousand pieces of XML costs a write."""
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404("Feed object does not exist.") from exc
        feed = self.get_feed(obj, request)
        response = HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type)
        response.headers["Last-Modified"] = http_date(feed.latest_post_date().timestamp())
        return response


class AtomStoryFeed(StoryFeed):
    feed_type = AtomWithFollowLink
    subtitle = StoryFeed.description


class TermFeed(StoryFeed):
    """The public stories tagged with one term of a vocabulary (``/feeds/industry/<slug>/``)."""

    term_model: type[Industry | InterventionType]

    def get_object(self, request, slug: str | None = None):
        return get_object_or_404(self.term_model, slug=slug)

    def story_ids(self, obj) -> list[int]:
        ids = super().story_ids(obj)
        if not ids:
            # Feeds are public: a term no public story uses (``visible_to(None)``) is
            # answered as an unknown one. Its feed being empty says so, for no query more.
            raise Http404("No public story uses this term.")
        return ids


class IndustryFeed(TermFeed):
    facet_param = "industry"
    term_model = Industry


class InterventionFeed(TermFeed):
    facet_param = "intervention"
    term_model = InterventionType


# --- A feed for any search -------------------------------------------------------------

SEARCH_RETRY_SECONDS = 30


def _newest(filters: dict[str, list[str]]) -> list[int]:
    """Ids of the newest ``FEED_LENGTH`` public stories matching the facet filters."""
    return kept_newest_story_ids(
        "feed", lambda stories: filter_stories(stories, filters), filters, slice(0, FEED_LENGTH)
    )


class FeedParameterError(ValueError):
    """Parameters a search feed cannot follow; the message names each one."""


@dataclass(frozen=True)
class FollowedSearch:
    """What a search feed follows: the search page's words and facets, and its own address."""

    query: str
    filters: dict[str, list[str]]
    search_url: str
    feed_url: str

    def describe(self) -> str:
        labels = facet_labels()
        parts = [f"“{self.query}”"] if self.query else []
        for facet in FACETS:
            known = labels.get(facet.param, {})
            names = [known.get(v, v) for v in self.filters.get(facet.param, [])]
            if names:
                parts.append(f"{facet.label}: {', '.join(names)}")
        return " · ".join(parts) or "all stories"


def followed_search(request: HttpRequest) -> FollowedSearch:
    """The search a feed address asks for, read and checked as the open API checks it.

    ``sort`` and ``page`` of a copied search address are accepted and ignored (a feed
    is newest first, and whole); an unknown parameter or value raises
    ``FeedParameterError`` rather than quietly following nothing or everything.
    """
    params = request.GET
    data: dict = {f.param: params.getlist(f.param) for f in FACETS if f.param in params}
    data["q"] = params.get("q", "")
    try:
        filters = StoryFilters.model_validate(data, context={"request": request})
    except ValidationError as exc:
        raise FeedParameterError(
            "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors)
        ) from exc
    selected = filters.selected()
    query = " ".join(filters.q.split())
    return FollowedSearch(
        query=query,
        filters=selected,
        search_url=absolute_url(state_url(query, selected, "newest")),
        feed_url=absolute_url(request.get_full_path()),
    )


class SearchFeed(StoryFeed):
    """The newest public stories a search finds: the search page's words and facets.

    With words, the search engine finds them (newest first, as the search page's
    "Newest first"); without, the database. Either way only public, live stories,
    at most ``FEED_LENGTH``.
    """

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except FeedParameterError as exc:
            return HttpResponse(
                f"This feed cannot follow that search: {exc}.\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        except SearchUnavailable:
            response = HttpResponse(
                "Search is temporarily unavailable; try again shortly. Feeds without q "
                "(only filters) still work.\n",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(SEARCH_RETRY_SECONDS)
            return response

    def get_object(self, request, slug: str | None = None) -> FollowedSearch:
        return followed_search(request)

    def follow_filters(self, obj: FollowedSearch) -> tuple[str, dict[str, list[str]]]:
        return obj.query, obj.filters

    def title(self, obj: FollowedSearch) -> str:
        return f"{settings.WAGTAIL_SITE_NAME}: {obj.describe()}"

    def link(self, obj: FollowedSearch) -> str:
        return obj.search_url

    def feed_url(self, obj: FollowedSearch) -> str:
        return obj.feed_url

    def story_ids(self, obj: FollowedSearch) -> list[int]:
        if not obj.query:
            return _newest(obj.filters)
        search = FacetedStorySearch(
            AnonymousUser(),
            query=obj.query,
            filters=obj.filters,
            sort="newest",
            page_size=FEED_LENGTH,
        )
        return [hit.id for hit in search.execute().hits]


class AtomSearchFeed(SearchFeed):
    feed_type = AtomWithFollowLink
    subtitle = StoryFeed.description
