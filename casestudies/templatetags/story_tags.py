"""Story cards and the addresses of the story listings, for any template.

The one story card: a story page's fields handed to ``casestudies/includes/card.html``.

Listings, the home page and the impact dashboard show story pages; search results and
related practices show search hits. Both fill the same card template, which takes the
fields it shows, so a card looks the same wherever it appears.
"""

from __future__ import annotations

from django import template
from wagtail.images.shortcuts import get_rendition_or_not_found

from casestudies.addresses import listing_paths
from casestudies.citation import FORMATS, citation_for
from casestudies.figures import format_figure
from casestudies.models import CITE_PATH, BrightSpotPage, StoryPage

register = template.Library()

# The card's picture (``card.html`` gives it this size): made when the image is uploaded
# (perf/renditions.py), and the crop the search index stores for a hit's card.
CARD_IMAGE = "fill-480x270|format-webp"


@register.inclusion_tag("casestudies/includes/card.html", takes_context=True)
def story_card(context, story: StoryPage) -> dict:
    card = {
        "type": story.story_type,
        "label": story.story_type_label,
        "industry": story.industry.name,
        "url": story.get_url(request=context.get("request")),
        "title": story.title,
        "text": story.summary_text(),
        "meta": f"{story.region.name} · {_years(story)}",
    }
    if story.hero_image is not None:
        image = get_rendition_or_not_found(story.hero_image, CARD_IMAGE)
        card.update(image_url=image.url, image_alt=story.hero_alt)
    if isinstance(story, BrightSpotPage):
        card["metric"] = f"{format_figure(story.shown_metric_value)} {story.metric_unit}"
        card["metric_name"] = story.metric.name.lower()
    return card


def _years(story: StoryPage) -> str:
    first, last = story.year_started, story.year_ended
    return f"{first}–{last}" if last and last != first else str(first)


@register.simple_tag(takes_context=True)
def story_listing_url(context, story_type: str) -> str:
    """The address of the page listing every story of this type (``"case-study"``).

    Read from the cache once per request, however many links a page has.
    """
    request = context.get("request")
    if request is None:
        return listing_paths().get(story_type, "")
    if not hasattr(request, "_story_listing_paths"):
        request._story_listing_paths = listing_paths()
    return request._story_listing_paths.get(story_type, "")


@register.inclusion_tag("casestudies/includes/tags.html")
def story_taxonomy(story: StoryPage) -> dict:
    """The story's tags, each a link to the search page filtered by it."""
    story.load_shown_relations()
    return {"page": story}


@register.inclusion_tag("casestudies/includes/cite.html", takes_context=True)
def story_citation(context, story: StoryPage) -> dict:
    """The Cite panel: the formatted citation and its downloads (casestudies.citation)."""
    base = story.get_url(request=context.get("request")) or ""
    return {
        "citation": citation_for(story),
        "downloads": [
            {"label": fmt.label, "url": f"{base}{CITE_PATH}/?format={name}"}
            for name, fmt in FORMATS.items()
        ],
    }
