"""oEmbed, embed cards and the republication counter: what partners put on their pages."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from wagtail.models import Site

from base.throttle import RateLimit, client_address
from casestudies.addresses import absolute_url, canonical_url
from casestudies.models import CaseStudyPage, MetricResult, StoryPage

from .middleware import embeddable
from .models import PartnerActivity, partner_domain, record_partner_activity
from .stories import (
    find_public_story,
    headline_metric,
    story_image,
)

CARD_WIDTH = 480
CARD_HEIGHT = 520  # the card shows fully at this height without the loader script
THUMBNAIL_WIDTHS = (480, 240, 120)
MAX_PAGE_ID = 2**31 - 1
TRANSPARENT_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def embed_url(page: StoryPage, theme: str = "light") -> str:
    query = "?theme=dark" if theme == "dark" else ""
    return absolute_url(f"/embed/{page.pk}/{query}")


def oembed_endpoint(page_url: str) -> str:
    return absolute_url("/oembed/?" + urlencode({"url": page_url, "format": "json"}))


def embed_html(page: StoryPage, width: int = CARD_WIDTH, height: int = CARD_HEIGHT) -> str:
    """The markup partners paste: the card in an iframe plus the optional resize loader."""
    return format_html(
        '<iframe src="{}" title="{}" width="{}" height="{}" loading="lazy" '
        'style="width:100%;max-width:{}px;height:{}px;border:0" data-heres-how-embed>'
        '</iframe><script async src="{}"></script>',
        embed_url(page),
        f"{page.title} · {settings.WAGTAIL_SITE_NAME}",
        width,
        height,
        width,
        height,
        absolute_url(static("embeds/loader.js")),
    )


def _own_hosts(request: HttpRequest) -> set[str]:
    return {partner_domain(settings.SITE_URL), partner_domain(request.get_host())}


def story_for_url(url: str, request: HttpRequest) -> StoryPage | None:
    """The public story a page URL of this portal points at, if any."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if partner_domain(parts.hostname) not in _own_hosts(request):
        return None
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    path = parts.path if parts.path.endswith("/") else f"{parts.path}/"
    return find_public_story(url_path=site.root_page.url_path + path.lstrip("/"))


def _positive_int(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a positive whole number of pixels.")
    return int(raw)


@require_safe
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed provider (https://oembed.com): a ``rich`` response embedding the card."""
    answer_format = request.GET.get("format", "json").strip().lower()
    if answer_format not in ("json", "xml"):
        return HttpResponse(
            "Give format=json or format=xml.", status=501, content_type="text/plain"
        )
    url = request.GET.get("url", "")
    if not url.strip():
        return HttpResponse(
            "Give the story's address as ?url=.", status=400, content_type="text/plain"
        )
    try:
        maxwidth = _positive_int(request, "maxwidth")
        maxheight = _positive_int(request, "maxheight")
    except ValueError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    story = story_for_url(url[:2000], request)
    if story is None:
        return HttpResponse(
            "No public story at this address.", status=404, content_type="text/plain"
        )
    width = min(CARD_WIDTH, maxwidth or CARD_WIDTH)
    height = min(CARD_HEIGHT, maxheight or CARD_HEIGHT)
    data = {
        "version": "1.0",
        "type": "rich",
        "title": story.title,
        "provider_name": settings.WAGTAIL_SITE_NAME,
        "provider_url": absolute_url("/"),
        "cache_age": 3600,
        "html": embed_html(story, width, height),
        "width": width,
        "height": height,
    }
    thumb_width = next((w for w in THUMBNAIL_WIDTHS if w <= width), None)
    thumb = story_image(story, f"fill-{thumb_width}x{thumb_width // 2}") if thumb_width else None
    if thumb is not None and (maxheight is None or thumb.height <= maxheight):
        data.update(
            thumbnail_url=absolute_url(thumb.url),
            thumbnail_width=thumb.width,
            thumbnail_height=thumb.height,
        )
    # Its Cache-Control comes from the anonymous cache (perf.responses.OEMBED).
    return JsonResponse(data) if answer_format == "json" else _oembed_xml(data)


def _oembed_xml(data: dict) -> HttpResponse:
    """The same answer as XML (oEmbed spec, section 2.3.4): one element per field."""
    out = io.StringIO()
    xml = SimplerXMLGenerator(out, "utf-8")
    xml.startDocument()
    xml.startElement("oembed", {})
    for name, value in data.items():
        xml.addQuickElement(name, str(value))
    xml.endElement("oembed")
    xml.endDocument()
    return HttpResponse(out.getvalue(), content_type="text/xml; charset=utf-8")


def _theme(request: HttpRequest) -> str:
    return "dark" if request.GET.get("theme") == "dark" else "light"


# Partners' readers see an unpublish within a minute (with the CDN purge of /embed/<id>/);
# a live card's own headers come from the anonymous cache (perf.responses.EMBED_CARD).
GONE_CARD_MAX_AGE = 60


@require_safe
@embeddable
def embed_card(request: HttpRequest, page_id: int) -> HttpResponse:
    """A small self-contained card other sites frame; the same for every reader.

    It is served from the anonymous cache (``perf.responses.EMBED_CARD``), so its
    loads are counted by the counter request its own script makes, not here.
    A story that is not public (unpublished, members-only, deleted, never there) gets
    the same framed "no longer available" card rather than a 404 page the partner's
    frame may not show: one card for every reason, so it tells nobody which it is.
    """
    story = find_public_story(pk=page_id) if page_id <= MAX_PAGE_ID else None
    if story is None:
        context = {"theme": _theme(request), "page_id": page_id}
        response = render(request, "embeds/embed_gone.html", context, status=404)
        patch_cache_control(response, public=True, max_age=GONE_CARD_MAX_AGE)
        return response
    if isinstance(story, CaseStudyPage):
        # The headline figure reads the results and their metric: one query, not two.
        results = MetricResult.objects.select_related("metric")
        prefetch_related_objects([story], Prefetch("results", queryset=results))
    context = {
        "story": story,
        "theme": _theme(request),
        "page_id": story.pk,
        "metric": headline_metric(story),
        "image": story_image(story, "fill-480x200|format-webp|webpquality-70"),
        "canonical": canonical_url(story),
        "summary": story.summary_text(),
        "kind": story.story_type_label,
    }
    return render(request, "embeds/embed_card.html", context)


# The republication counter credits a partner only when the reader's browser says the
# image sits on that partner's page (Referer, or Origin); ``?partner=`` alone can be
# typed by anyone and only has to agree with it. Bounded per story and per client, so
# nobody can fill the partner report.
PARTNERS_PER_STORY_PER_DAY = 20
COUNTER_LOADS = RateLimit("republish-counter", limit=60, seconds=3600)
NEW_PARTNERS = RateLimit("republish-partners", limit=PARTNERS_PER_STORY_PER_DAY, seconds=86400)


def card_partner(request: HttpRequest, page_id: int) -> str | None:
    """The page a card was framed on, as the card's own script reports it.

    The script sends the frame's ``document.referrer`` (the partner page, which the
    partner's browser set and a page cannot forge) as ``?partner=``; the browser's
    Referer shows the request comes from this portal's card of the same story.
    """
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc not in {urlsplit(settings.SITE_URL).netloc, request.get_host()}:
        return None
    if referer.path != reverse("embed_card", args=[page_id]):
        return None
    claimed = partner_domain(request.GET.get("partner"))
    return claimed if claimed and claimed not in _own_hosts(request) else None


def verified_partner(request: HttpRequest) -> str | None:
    """The embedding page's domain, if the request proves it (and ?partner= agrees)."""
    seen = partner_domain(request.headers.get("Origin")) or partner_domain(
        request.headers.get("Referer")
    )
    if seen is None or seen in _own_hosts(request):
        return None
    if "partner" in request.GET and partner_domain(request.GET["partner"]) != seen:
        return None
    return seen


def _partner_counted_today(story: StoryPage, domain: str) -> bool:
    """At most PARTNERS_PER_STORY_PER_DAY distinct partners of one story are counted a day;
    a partner once admitted (or refused) stays so until that day's window closes."""
    key = f"embeds:counter-partner:{story.pk}:{domain}"
    admitted = cache.get(key)
    if admitted is None:
        newcomer = NEW_PARTNERS.hit(story.pk)
        cache.add(key, newcomer.allowed, newcomer.retry_after)
        admitted = cache.get(key, newcomer.allowed)
    return admitted


@require_safe
@embeddable
@never_cache
def republish_counter(request: HttpRequest, page_id: int) -> HttpResponse:
    """A 1×1 image in republished copies and in embed cards (``?via=card``); counts
    their loads per verified partner domain and month.

    The image is always served; what cannot be verified, or exceeds the bounds, is
    simply not counted.
    """
    story = find_public_story(pk=page_id) if page_id <= MAX_PAGE_ID else None
    from_card = request.GET.get("via") == "card"
    domain = None
    if story is not None:
        domain = card_partner(request, page_id) if from_card else verified_partner(request)
    if (
        domain
        and COUNTER_LOADS.hit(client_address(request)).allowed
        and _partner_counted_today(story, domain)
    ):
        kind = PartnerActivity.EMBED if from_card else PartnerActivity.REPUBLISH
        record_partner_activity(domain, kind, story)
    return HttpResponse(TRANSPARENT_GIF, content_type="image/gif")
