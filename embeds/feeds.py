"""RSS and Atom feeds of public stories, overall and per industry or intervention type."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags

from casestudies.addresses import absolute_url, canonical_url
from casestudies.models import Industry, InterventionType, StoryPage

from .stories import filtered_story_ids, headline_metric, load_stories

FEED_LENGTH = 50


class StoryFeed(Feed):
    """All public, live case studies and bright spots, newest first."""

    description = "New anonymized case studies and bright spots on ending forced labour."
    facet_param: str | None = None

    def get_object(self, request, slug: str | None = None):
        return None

    def title(self, obj) -> str:
        suffix = f": {obj.name}" if obj is not None else ""
        return f"{settings.WAGTAIL_SITE_NAME}{suffix}"

    def link(self, obj) -> str:
        if obj is None:
            return absolute_url("/")
        return absolute_url(f"{reverse('search:page')}?{self.facet_param}={obj.slug}")

    def items(self, obj) -> list[StoryPage]:
        filters = {self.facet_param: [obj.slug]} if obj is not None else {}
        return load_stories(list(filtered_story_ids(filters)[:FEED_LENGTH]))

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
    feed_type = Atom1Feed
    subtitle = StoryFeed.description


class IndustryFeed(StoryFeed):
    facet_param = "industry"

    def get_object(self, request, slug: str | None = None):
        return get_object_or_404(Industry, slug=slug)


class InterventionFeed(StoryFeed):
    facet_param = "intervention"

    def get_object(self, request, slug: str | None = None):
        return get_object_or_404(InterventionType, slug=slug)
