"""Partner surfaces: oEmbed, embed cards, the republication counter, feeds and the open API."""

from django.urls import path

from . import feeds, views
from .api import api

urlpatterns = [
    path("oembed/", views.oembed, name="oembed"),
    path("oembed", views.oembed),
    path("embed/<int:page_id>/", views.embed_card, name="embed_card"),
    path("embed/<int:page_id>/counter.gif", views.republish_counter, name="republish_counter"),
    path("feeds/rss/", feeds.StoryFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.AtomStoryFeed(), name="feed_atom"),
    path("feeds/industry/<slug:slug>/rss/", feeds.IndustryFeed(), name="feed_industry"),
    path("feeds/intervention/<slug:slug>/rss/", feeds.InterventionFeed(), name="feed_intervention"),
    path("api/", api.urls),
]
