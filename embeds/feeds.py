"""RSS and Atom feeds of public stories: overall, per industry or intervention type, and
for any search (the search page's parameters, ``/feeds/search/rss/?q=…&industry=…``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from ninja.errors import ValidationError

from casestudies.addresses import absolute_url, canonical_url
from casestudies.models import Industry, InterventionType, StoryPage
from search.documents import SearchUnavailable
from search.facets import FACETS, filter_stories
from search.query import FacetedStorySearch, facet_labels
from search.views import state_query, state_url

from .api import StoryFilters
from .stories import headline_metric, load_stories, newest_story_ids

FEED_LENGTH = 50
# The tags an item names among its categories (``item_categories``).
FEED_TAGS = ("intervention_types",)
FOLLOW_TITLE = "Follow this search by e-mail"


class RssWithFollowLink(Rss201rev2Feed):
    """RSS whose channel links the page that follows the same search by e-mail."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        follow = {"rel": "related", "href": self.feed["follow_url"], "title": FOLLOW_TITLE}
        handler.addQuickElement("atom:link", None, follow)


class AtomWithFollowLink(Atom1Feed):
    """Atom whose feed links the page that follows the same search by e-mail."""

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

    def items(self, obj) -> list[StoryPage]:
        filters = {self.facet_param: [obj.slug]} if obj is not None else {}
        return load_stories(_newest(filters), tags=FEED_TAGS)

    def item_title(self, item: StoryPage) -> str:
        return item.title

    def item_description(self, item: StoryPage) -> str:
        metric = headline_metric(item)
        lead = f"{metric['display']} {metric['unit']} ({metric['metric']}). " if metric else ""
        return lead + strip_tags(item.summary_text())

    def item_link(self, item: StoryPage) -> str:
        return canonical_url(item)

    def item_pubdate(self, item: StoryPage):
        return item.first_published_at

    def item_updateddate(self, item: StoryPage):
        return item.last_published_at

    def item_categories(self, item: StoryPage) -> list[str]:
        return [
            item.story_type_label,
            item.industry.name,
            *(t.name for t in item.intervention_types.all()),
        ]

    def item_copyright(self, item: StoryPage) -> str:
        return settings.REPUBLISH_LICENCE


class AtomStoryFeed(StoryFeed):
    feed_type = AtomWithFollowLink
    subtitle = StoryFeed.description


class IndustryFeed(StoryFeed):
    facet_param = "industry"

    def get_object(self, request, slug: str | None = None):
        # Feeds are public: a term no public story uses is answered as an unknown one.
        return get_object_or_404(Industry.objects.visible_to(None), slug=slug)


class InterventionFeed(StoryFeed):
    facet_param = "intervention"

    def get_object(self, request, slug: str | None = None):
        return get_object_or_404(InterventionType.objects.visible_to(None), slug=slug)


# --- A feed for any search -------------------------------------------------------------

SEARCH_RETRY_SECONDS = 30


def _newest(filters: dict[str, list[str]]) -> list[int]:
    """Ids of the newest ``FEED_LENGTH`` public stories matching the facet filters."""
    return newest_story_ids(lambda stories: filter_stories(stories, filters), slice(0, FEED_LENGTH))


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

    def items(self, obj: FollowedSearch) -> list[StoryPage]:
        if not obj.query:
            return load_stories(_newest(obj.filters), tags=FEED_TAGS)
        search = FacetedStorySearch(
            AnonymousUser(),
            query=obj.query,
            filters=obj.filters,
            sort="newest",
            page_size=FEED_LENGTH,
        )
        return load_stories([hit.id for hit in search.execute().hits], tags=FEED_TAGS)


class AtomSearchFeed(SearchFeed):
    feed_type = AtomWithFollowLink
    subtitle = StoryFeed.description
