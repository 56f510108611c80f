"""Which site (and home page) answers a request, found without a query per request.

Wagtail finds the site for every page it serves with a query whose CASE expressions cost
more to build than the rest of the routing, then loads the home page's own row: two
queries and about a third of an uncached story page's time, for an answer that changes
only when a site or a home page does. ``SiteFromCacheMiddleware`` keeps that answer (the
site found by Wagtail's own rule, with its home page in its specific type) in the cache
and hands it to Wagtail the way Wagtail keeps it for a request (``request._wagtail_site``);
``forget_sites`` drops it whenever a site, or a page at the top of the tree, changes
(signal_handlers.py), as the listing pages' addresses are (``casestudies.addresses``).
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail.models import Page, Site

SITES_CACHE_KEY = "casestudies:sites:v1"
# Moves on every change (``forget_sites``); an answer found under an older one is not used,
# even one that a request which read the database before the change stored after it.
SITES_VERSION_KEY = "casestudies:sites-version:v1"
SITES_CACHE_SECONDS = 600
# Host names are the visitor's to choose (within ALLOWED_HOSTS): a few are kept, not all.
MAX_HOSTS = 20
# What the kept answer holds: the tree's root and the home page (depth 2), whose row also
# counts its children (depth 3), so a page added, moved or removed there is heard too.
TOP_DEPTH = 3


def site_for_request(request: HttpRequest) -> Site | None:
    """Wagtail's ``Site.find_for_request`` answer, from the cache when it is there."""
    host = (split_domain_port(request._get_raw_host())[0], request.get_port())
    found = cache.get_many([SITES_VERSION_KEY, SITES_CACHE_KEY])
    version = found.get(SITES_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(SITES_VERSION_KEY, version, SITES_CACHE_SECONDS):
            version = cache.get(SITES_VERSION_KEY, version)
    kept = found.get(SITES_CACHE_KEY)
    sites = kept["sites"] if kept and kept["version"] == version else {}
    if host in sites:
        return sites[host]
    # Read after the version: a change committed meanwhile has moved it on.
    site = Site._find_for_request(request)
    if site is not None:
        site.root_page = site.root_page.localized.specific
    if len(sites) < MAX_HOSTS:
        kept = {"version": version, "sites": {**sites, host: site}}
        cache.set(SITES_CACHE_KEY, kept, SITES_CACHE_SECONDS)
    return site


def forget_sites(sender=None, instance=None, **kwargs) -> None:
    """Drop the kept answer: a site changed, or a page at the top of the tree did.

    Now, and again once the change commits, so that no request that read the tree before
    it keeps its answer for the requests after it.
    """
    top_page = isinstance(instance, Page) and (instance.depth or 0) <= TOP_DEPTH
    if top_page or isinstance(instance, Site):
        cache.delete(SITES_VERSION_KEY)
        transaction.on_commit(lambda: cache.delete(SITES_VERSION_KEY))


class SiteFromCacheMiddleware:
    """Below host validation (CommonMiddleware): gives Wagtail the request's site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not hasattr(request, "_wagtail_site"):
            request._wagtail_site = site_for_request(request)
        return self.get_response(request)
