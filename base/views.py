"""Operational endpoints: robots, the sitemap, and the one 404 page (health: portal/views.py)."""

from urllib.parse import urlencode

from django.contrib.sitemaps.views import index as django_sitemap_index
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db.models import Max
from django.http import HttpResponse, HttpResponseNotFound
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap

# The sitemap protocol's limit of URLs per file; a test lowers it to see the index split.
SITEMAP_SECTION_SIZE = 50_000


class PublicSitemap(Sitemap):
    """Wagtail's sitemap already lists only live pages without view restrictions.

    Served in files of at most ``SITEMAP_SECTION_SIZE`` URLs (``?p=2`` and on), which the
    sitemap index at ``/sitemap.xml`` lists, so that 30,000 stories and more stay within
    the protocol and no one answer grows without bound.
    """

    @property
    def limit(self) -> int:
        return SITEMAP_SECTION_SIZE

    def get_latest_lastmod(self):
        # Django's default reads every page for its lastmod; one aggregate query instead.
        pages = self.get_wagtail_site().root_page.get_descendants(inclusive=True)
        return pages.live().public().aggregate(latest=Max("last_published_at"))["latest"]


def member_sign_in_url(request) -> str:
    """Wagtail's front-end sign-in, coming back to this address afterwards."""
    return f"{reverse('wagtailcore_login')}?{urlencode({'next': request.get_full_path()})}"


def page_not_found(request, exception=None):
    """Every 404 of the site: unknown addresses and members-only ones alike.

    The same body (apart from the address) and the same headers whichever it
    is: it always offers the member sign-in, always varies on the cookie (the
    privacy check reads the session, a missing page may not) and is never
    stored by a CDN, so a member is not served an outsider's 404.
    """
    template = loader.get_template("404.html")
    body = template.render({"sign_in_url": member_sign_in_url(request)}, request)
    response = HttpResponseNotFound(body)
    patch_vary_headers(response, ["Cookie"])
    add_never_cache_headers(response)
    return response


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /embed/",
        "Disallow: /search/suggest/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def _sitemaps(request) -> dict:
    return {"pages": PublicSitemap(request)}


def sitemap_index(request):
    """``/sitemap.xml``: the sitemap index, one entry per file of each section."""
    return django_sitemap_index(
        request, sitemaps=_sitemaps(request), sitemap_url_name="sitemap_section"
    )


def sitemap_section(request, section: str):
    """``/sitemap-<section>.xml?p=N``: one file of a section (unknown section or page: 404)."""
    return django_sitemap(request, sitemaps=_sitemaps(request), section=section)
