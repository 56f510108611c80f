"""Purge a CDN or reverse proxy in front of the portal (Wagtail's frontend cache).

Only active when ``WAGTAILFRONTENDCACHE`` is configured (see the README's
production section). The changed page is purged by its own URLs, and with it
the addresses every story change alters. Query-string variants (search pages,
filtered feeds) cannot be enumerated; give them a short CDN lifetime instead.

Receivers call ``purge_after_commit``: the URLs are worked out once the change is
committed (a CDN that refetched earlier would store the old page again), and the
requests to the CDN go through Wagtail's purge task, so a task worker sends them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
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
    "/sitemap-pages.xml",  # the index's first file (base/views.py); ?p=2 on past 50,000 URLs
    "/metrics/",
    "/data/metric-results.csv",
    "/data/metric-results.json",
]


def purge_frontend_cache(page: Page | None = None, also: Iterable[Page] = ()) -> None:
    """Purge ``page`` and the pages in ``also`` by their URLs, with the site-wide addresses."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    if page is not None and page.pk:
        batch.add_page(page)
    batch.add_pages(also)
    # Partners frame a story's embed card (/embed/<id>/, both themes): an unpublished
    # story's card must turn into "no longer available" on their pages too.
    story_ids = [p.pk for p in [page, *also] if p is not None and p.pk]
    for site in Site.objects.all():
        batch.add_urls(site.root_url + path for path in SITE_WIDE_PATHS)
        for pk in story_ids:
            card = f"{site.root_url}/embed/{pk}/"
            batch.add_urls([card, f"{card}?theme=dark", f"{site.root_url}/api/stories/{pk}/"])
    batch.purge()


def purge_after_commit(
    page: Page | None = None, also: Callable[[], Iterable[Page]] | None = None
) -> None:
    """Purge ``page`` (and the pages ``also()`` finds then) once the change is committed."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return

    def purge() -> None:
        pages = list(also()) if also is not None else []
        if also is not None and not pages:
            return  # nothing this change concerns is cached by the CDN
        purge_frontend_cache(page, also=pages)

    # robust: a CDN or task queue that fails is logged; the committed change stands.
    transaction.on_commit(purge, robust=True)
