"""Story cards and the addresses of the story listings, for any template.

The one story card: a story page's fields handed to ``casestudies/includes/card.html``.

Listings, the home page and the impact dashboard show story pages; search results and
related practices show search hits. Both fill the same card template, which takes the
fields it shows, so a card looks the same wherever it appears.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from wagtail.images.shortcuts import get_rendition_or_not_found

from casestudies.addresses import listing_paths
from casestudies.citation import FORMATS, citation_for
from casestudies.figures import format_figure
from casestudies.models import CITE_PATH, BrightSpotPage, StoryPage
from casestudies.serving import kept_for_version, kept_part

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
    if "listing_paths" in context:  # the navigation, written with the addresses it shows
        return context["listing_paths"].get(story_type, "")
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


@register.simple_tag(takes_context=True)
def story_citation(context, story: StoryPage) -> SafeString:
    """The Cite panel: the formatted citation and its downloads (casestudies.citation).

    The same for every reader on a given day (the citation says when it was accessed), so a
    public story's panel is kept for the day under the content version (``kept_part``).
    """
    request = context.get("request")
    base = story.get_url(request=request) or ""
    today = timezone.localdate()

    def render() -> str:
        return render_to_string(
            "casestudies/includes/cite.html",
            {
                "citation": citation_for(story, accessed=today),
                "downloads": [
                    {"label": fmt.label, "url": f"{base}{CITE_PATH}/?format={name}"}
                    for name, fmt in FORMATS.items()
                ],
            },
        )

    return mark_safe(kept_part(request, story, "cite", render, today.isoformat(), base))  # noqa: S308 - rendered by the template


class KeptPartNode(template.Node):
    def __init__(self, page, name: str, nodelist, signed_out_only: bool):
        self.page, self.name, self.nodelist = page, name, nodelist
        self.signed_out_only = signed_out_only

    def render(self, context) -> str:
        page, request = self.page.resolve(context), context.get("request")
        user = getattr(request, "user", None)
        if page is None or (self.signed_out_only and (user is None or user.is_authenticated)):
            return self.nodelist.render(context)
        return kept_part(request, page, self.name, lambda: self.nodelist.render(context))


def _kept_part_tag(parser, token, signed_out_only: bool, prefix: str = "") -> KeptPartNode:
    bits = token.split_contents()
    if len(bits) != 3 or bits[2][0] not in "\"'" or bits[2][-1] != bits[2][0]:
        raise template.TemplateSyntaxError(
            f'{bits[0]} takes a page and a quoted part name: {{% {bits[0]} page "related" %}}'
        )
    nodelist = parser.parse((f"end{bits[0]}",))
    parser.delete_first_token()
    name = prefix + bits[2][1:-1]
    return KeptPartNode(parser.compile_filter(bits[1]), name, nodelist, signed_out_only)


@register.tag
def public_part(parser, token) -> KeptPartNode:
    """``{% public_part page "name" %}…{% endpublic_part %}``: HTML that is the same for
    every reader of a public page, rendered once per publication and kept
    (``casestudies.serving.kept_part``: public pages only, never a preview, under the
    content version), so a signed-in reader's page, which is never cached whole, reads it.

    Only what is the same for every reader may go inside: nothing that depends on the
    visitor (related practices, a members-only link: ``public_audience_part``), on the
    day (the citation's "accessed" date) or on the request (the CSP nonce).
    """
    return _kept_part_tag(parser, token, signed_out_only=False, prefix="public-part:")


@register.tag
def public_audience_part(parser, token) -> KeptPartNode:
    """``{% public_audience_part page "name" %}…{% endpublic_audience_part %}``: HTML that
    depends on the reader only through what the audience rule lets them see (related
    practices), kept for visitors who are not signed in (``casestudies.serving.kept_part``).

    A signed-in reader may be a member, who may see members-only stories: theirs is
    rendered for them and never kept. What is kept for the others is the public
    audience's, the same for each of them.
    """
    return _kept_part_tag(parser, token, signed_out_only=True)


@register.simple_tag(takes_context=True)
def site_navigation(context) -> SafeString:
    """The brand and main navigation every page starts with (``base.html``).

    The same on every page until a listing page moves: written once per process and set
    of listing addresses rather than reversing seven addresses on every view, and those
    addresses are held while the content version holds (a listing that moves moves it).
    """
    paths = kept_for_version(
        context.get("request"), "listing-paths", lambda: tuple(sorted(listing_paths().items()))
    )
    return _chrome("casestudies/includes/site_navigation.html", paths, *_url_scheme())


@register.simple_tag
def site_footer() -> SafeString:
    """The footer every page ends with (``base.html``), written once per process."""
    return _chrome("casestudies/includes/site_footer.html", (), *_url_scheme())


def _url_scheme() -> tuple[str, str]:
    """What the addresses a template reverses depend on besides their names."""
    return get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=32)
def _chrome(template_name: str, paths: tuple, script_prefix: str, urlconf: str) -> SafeString:
    html = render_to_string(template_name, {"listing_paths": dict(paths)})
    return mark_safe(html)  # noqa: S308 - rendered by the template
