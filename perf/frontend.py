"""Purge a CDN or reverse proxy in front of the portal (Wagtail's frontend cache).

Only active when ``WAGTAILFRONTENDCACHE`` is configured (see the README's
production section). The changed page is purged by its own URLs, and with it
the addresses every story change alters. Query-string variants (search pages,
filtered feeds) cannot be enumerated; give them a short CDN lifetime instead.
"""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Page, Site

SITE_WIDE_PATHS = [
    "/",
    "/case-studies/",
    "/bright-spots/",
    "/search/",
    "/impact/",
    "/feeds/rss/",
    "/feeds/atom/",
    "/api/stories/",
    "/sitemap.xml",
]


def purge_frontend_cache(page: Page | None = None) -> None:
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    if page is not None and page.pk:
        batch.add_page(page)
    for site in Site.objects.all():
        batch.add_urls(site.root_url + path for path in SITE_WIDE_PATHS)
    batch.purge()
