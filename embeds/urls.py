"""Partner surfaces: oEmbed, embed cards, the republication counter, feeds and the open API."""

from django.urls import path

from perf.responses import API, EMBED_CARD, FEED, OEMBED, cacheable, cacheable_urls
from search.facets import FACETS

from . import feeds, views
from .api import api, rate_limited

# Served from the anonymous cache (perf.responses), keyed on these parameters only.
SEARCH_PARAMS = ["q", "sort", "page", *(facet.param for facet in FACETS)]
oembed = cacheable(OEMBED, ["url", "format", "maxwidth", "maxheight"], max_value_length=500)(
    views.oembed
)
embed_card = cacheable(EMBED_CARD, ["theme"])(views.embed_card)

urlpatterns = [
    path("oembed/", oembed, name="oembed"),
    path("oembed", oembed),
    path("embed/<int:page_id>/", embed_card, name="embed_card"),
    path("embed/<int:page_id>/counter.gif", views.republish_counter, name="republish_counter"),
    path("feeds/rss/", cacheable(FEED, [])(feeds.StoryFeed()), name="feed_rss"),
    path("feeds/atom/", cacheable(FEED, [])(feeds.AtomStoryFeed()), name="feed_atom"),
    path(
        "feeds/industry/<slug:slug>/rss/",
        cacheable(FEED, [])(feeds.IndustryFeed()),
        name="feed_industry",
    ),
    path(
        "feeds/intervention/<slug:slug>/rss/",
        cacheable(FEED, [])(feeds.InterventionFeed()),
        name="feed_intervention",
    ),
    path(
        "feeds/search/rss/",
        cacheable(FEED, SEARCH_PARAMS)(feeds.SearchFeed()),
        name="feed_search_rss",
    ),
    path(
        "feeds/search/atom/",
        cacheable(FEED, SEARCH_PARAMS)(feeds.AtomSearchFeed()),
        name="feed_search_atom",
    ),
    path(
        "api/",
        cacheable_urls(api.urls, API, [*SEARCH_PARAMS, "page_size"], admit=rate_limited),
    ),
]
