"""Share metadata and the share/embed/republish panel of a story page.

The content app's story templates load this library and name its tags
(``{% story_meta page %}`` in the head, ``{% story_share page %}`` in the article);
they include none of the embeds app's templates.
"""

from __future__ import annotations

import json
import re

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from casestudies.addresses import absolute_url, canonical_url
from casestudies.models import CaseStudyPage, StoryPage
from casestudies.serving import kept_part
from perf.cache import part_key

from ..stories import story_image
from ..views import embed_html, embed_url, oembed_endpoint

register = template.Library()

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
_ROOT_RELATIVE = re.compile(r'(\s(?:href|src))="/(?!/)')


def absolutize_links(html: str) -> str:
    """Make root-relative links absolute, so republished HTML works on another site."""
    return _ROOT_RELATIVE.sub(rf'\1="{settings.SITE_URL}/', html)


def attribution_text(page: StoryPage) -> str:
    return (
        f"This story was first published by {settings.WAGTAIL_SITE_NAME} at "
        f"{canonical_url(page)} and is republished under {settings.REPUBLISH_LICENCE}."
    )


def republish_html(page: StoryPage) -> str:
    """The whole story as plain HTML for partners, ending with attribution and the counter."""
    html = render_to_string(
        "embeds/republish_story.html",
        {
            "page": page,
            "is_case_study": isinstance(page, CaseStudyPage),
            "results": page.results_with_metrics() if isinstance(page, CaseStudyPage) else [],
            "canonical": canonical_url(page),
            "site_name": settings.WAGTAIL_SITE_NAME,
            "licence": settings.REPUBLISH_LICENCE,
            "licence_url": settings.REPUBLISH_LICENCE_URL,
            "counter_url": absolute_url(f"/embed/{page.pk}/counter.gif"),
        },
    )
    return absolutize_links(html).strip()


def json_ld(page: StoryPage, image_url: str | None, public: bool) -> SafeString:
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": page.title,
        "description": page.get_meta_description(),
        "url": canonical_url(page),
        "mainEntityOfPage": canonical_url(page),
        "articleSection": page.story_type_label,
        "about": page.industry.name,
        "isAccessibleForFree": public,
        "publisher": {
            "@type": "Organization",
            "name": settings.WAGTAIL_SITE_NAME,
            "url": absolute_url("/"),
        },
    }
    if public:
        data["license"] = settings.REPUBLISH_LICENCE_URL
    if page.first_published_at:
        data["datePublished"] = page.first_published_at.isoformat()
    if page.last_published_at:
        data["dateModified"] = page.last_published_at.isoformat()
    if image_url:
        data["image"] = [image_url]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES))


@register.simple_tag(takes_context=True)
def story_sharing(context, page: StoryPage) -> dict:
    """What the meta tags and the share panel need; embedding only for public, live stories.

    The republishable HTML re-renders the whole story, so a public story's panel is
    kept in the cache under its publication time and the page cache's generation
    (any publish, privacy or vocabulary change makes a new key). Never for previews:
    a draft shares the live page's key but not its content.
    """
    cached = getattr(page, "_embeds_sharing", None)
    if cached is not None:
        return cached
    public = page.is_public()
    key = _part_key(context, page, "sharing") if public else None
    if key:
        cached = cache.get(key)
        if cached is not None:
            page._embeds_sharing = cached
            return cached
    image = story_image(page, "fill-1200x630|format-jpeg")
    image_url = absolute_url(image.url) if image else None
    sharing = {
        "public": public,
        "canonical": canonical_url(page),
        "description": page.get_meta_description(),
        "image": image,
        "image_url": image_url,
        "json_ld": json_ld(page, image_url, public),
    }
    if public:
        sharing.update(
            oembed_url=oembed_endpoint(canonical_url(page)),
            embed_html=embed_html(page),
            embed_url=embed_url(page),
            embed_url_dark=embed_url(page, "dark"),
            republish_html=republish_html(page),
            attribution=attribution_text(page),
            licence=settings.REPUBLISH_LICENCE,
            licence_url=settings.REPUBLISH_LICENCE_URL,
        )
    page._embeds_sharing = sharing
    if key:
        cache.set(key, sharing, settings.PERF_PAGE_CACHE_SECONDS)
    return sharing


def _part_key(context, page: StoryPage, name: str) -> str | None:
    """Where a public story's ``name`` part is kept: under its publication time and the page
    cache's generation (any publish, privacy or vocabulary change makes a new key). None
    without a request or for a preview: a draft shares the live page's key, not its content.
    """
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False):
        return None
    published = page.last_published_at.isoformat() if page.last_published_at else ""
    return part_key(request, name, page.pk, published)


# Stands for the request's CSP nonce in the kept head tags (the only part that varies).
_NONCE = "\x00nonce\x00"


@register.simple_tag(takes_context=True)
def story_meta(context, page: StoryPage) -> SafeString:
    """Open Graph, Twitter card, JSON-LD and oEmbed discovery tags for a story's head.

    Rendered in every uncached view of a story, so a public story's tags are kept like its
    body (``story_sharing``), with a stand-in for the nonce: a view then reads a string
    rather than the whole sharing panel (with the republishable HTML) it would render them from.
    """
    request = context.get("request")
    nonce = str(getattr(request, "csp_nonce", "") or "")
    html = kept_part(
        request,
        page,
        "story-meta",
        lambda: render_to_string(
            "embeds/includes/story_meta.html",
            {
                "page": page,
                "share": story_sharing(context, page),
                "SITE_NAME": context.get("SITE_NAME"),
                "request": {"csp_nonce": _NONCE},
            },
        ),
    )
    return mark_safe(html.replace(_NONCE, conditional_escape(nonce)))  # noqa: S308 - rendered by the template, nonce escaped


@register.inclusion_tag("embeds/includes/story_share.html", takes_context=True)
def story_share(context, page: StoryPage) -> dict:
    """The share, embed and republish panel; nothing for a story that is not public."""
    return {"share": story_sharing(context, page), "SITE_NAME": context.get("SITE_NAME")}
