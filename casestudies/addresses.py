"""A page's public address, as partners, feeds, open data and search results write it.

Every surface that hands an address to someone outside the portal (a feed reader, a
partner's page, a spreadsheet) writes it from ``SITE_URL``, so the same story has one
address everywhere, whatever host the request came in on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Page

from .models import BrightSpotIndexPage, CaseStudyIndexPage


def absolute_url(path: str) -> str:
    """``path`` on the public site; a URL that already names a host is kept as it is."""
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def canonical_url(page: Page) -> str:
    """The page's one public address."""
    return absolute_url(page.get_url() or "")


# The listing pages' addresses appear in every page's navigation. ``{% slugurl %}`` would
# cost a query per link on every page (the query budget has no room for it), so they are
# kept in the cache and forgotten whenever a listing page or the home page above it is
# published, unpublished, moved or deleted, or a site changes (signal_handlers.py).
LISTING_PATHS_CACHE_KEY = "casestudies:listing-paths:v1"
LISTING_MODELS = (CaseStudyIndexPage, BrightSpotIndexPage)


def listing_paths() -> dict[str, str]:
    """Story type → the address of the page that lists that type (``/case-studies/``)."""
    paths = cache.get(LISTING_PATHS_CACHE_KEY)
    if paths is None:
        paths = {}
        for model in LISTING_MODELS:
            # By the listing's own key, not the tree path (``first()``'s order): the path
            # order is read down every page's path until the listing's, thousands of
            # stories long, while a listing type has one page (``max_count``).
            page = model.objects.live().order_by("pk").first()
            url = page.get_url() if page is not None else None
            if url:
                paths[model.story_model.story_type] = url
        cache.set(LISTING_PATHS_CACHE_KEY, paths, 24 * 3600)
    return paths


def forget_listing_paths(**kwargs) -> None:
    cache.delete(LISTING_PATHS_CACHE_KEY)
