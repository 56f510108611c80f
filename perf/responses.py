"""Which public responses the anonymous cache serves, and the HTTP caching headers they carry.

Every anonymous response goes through the one generation-keyed cache in
``perf.cache``: Wagtail pages by default, and every other public surface (the
embed card, oEmbed, the API, feeds, the sitemap, open data, the impact pages)
because its route says so where it is declared::

    path("feeds/rss/", cacheable(FEED)(StoryFeed()))
    path("api/", cacheable_urls(api.urls, API, params=[...], admit=throttle))

A stored response carries a strong ``ETag`` (a hash of its body), a
``Last-Modified`` (when its content generation began) and a ``Cache-Control``
for browsers and CDNs chosen per type below; a conditional request for it
answers 304 without rendering. Responses to signed-in people never get these
(``perf.private`` makes them ``private, no-store``), nor do errors.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.http import parse_etags, parse_http_date_safe


@dataclass(frozen=True)
class Freshness:
    """How long browsers (``max_age``) and shared caches (``s_maxage``) may reuse an answer.

    ``stale_while_revalidate`` lets a CDN answer at once while it refetches;
    ``stale_if_error`` lets it keep answering while the portal is down. Both stay
    short: a story made members-only must not linger in a CDN beyond its purge
    (``perf.frontend`` purges story and site-wide addresses, not query variants).
    """

    name: str
    max_age: int
    s_maxage: int
    stale_while_revalidate: int
    stale_if_error: int

    @property
    def cache_control(self) -> str:
        return (
            f"public, max-age={self.max_age}, s-maxage={self.s_maxage}, "
            f"stale-while-revalidate={self.stale_while_revalidate}, "
            f"stale-if-error={self.stale_if_error}"
        )


# Pages: the browser revalidates every time (a cheap 304); the CDN holds them briefly
# since filtered listings (?industry=…) cannot be purged one by one.
PAGE = Freshness("page", max_age=0, s_maxage=120, stale_while_revalidate=30, stale_if_error=600)
# Partners' readers see an unpublish within a minute (with the CDN purge of /embed/<id>/).
EMBED_CARD = Freshness(
    "embed card", max_age=60, s_maxage=60, stale_while_revalidate=30, stale_if_error=600
)
# Consumers cache oEmbed answers themselves (``cache_age``); the title of a story made
# members-only must still leave shared caches within minutes.
OEMBED = Freshness(
    "oEmbed", max_age=300, s_maxage=300, stale_while_revalidate=60, stale_if_error=600
)
API = Freshness("API", max_age=0, s_maxage=60, stale_while_revalidate=30, stale_if_error=600)
# Feed readers poll; a few minutes is well within their own polling interval.
FEED = Freshness("feed", max_age=300, s_maxage=300, stale_while_revalidate=60, stale_if_error=3600)
SITEMAP = Freshness(
    "sitemap", max_age=3600, s_maxage=600, stale_while_revalidate=300, stale_if_error=86400
)
OPEN_DATA = Freshness(
    "open data", max_age=300, s_maxage=300, stale_while_revalidate=60, stale_if_error=3600
)
FRESHNESS = (PAGE, EMBED_CARD, OEMBED, API, FEED, SITEMAP, OPEN_DATA)

# Longest query value and most values a stored response's query string may carry
# (search.facets trims facet input to the same bounds); oEmbed's ?url= is an address.
MAX_QUERY_VALUE_LENGTH = 100
MAX_QUERY_VALUES = 20


@dataclass(frozen=True)
class Cacheable:
    """What a route declares: its freshness and the query parameters it understands.

    ``params`` None: the parameters pages understand (settings), and an unknown one
    is served the entry of the address without it (``?utm_source=``). A declared
    list is strict: a request with any other parameter is never looked up nor
    stored, so the view still answers it (the API refuses unknown parameters).
    ``admit`` runs before a stored answer is served and may answer instead (the
    API's rate limit, which its view applies only on a miss). An ``admit`` that counts
    every request in a rate-limit window names it (``admit.window(request)``: the
    counter's name and the window's seconds); the cache then counts it in the same
    round trip as its lookup and leaves the count for whichever answers
    (``base.throttle.counted_ahead``).
    """

    freshness: Freshness
    params: frozenset[str] | None = None
    max_value_length: int = MAX_QUERY_VALUE_LENGTH
    admit: Callable[[HttpRequest], HttpResponse | None] | None = None
    any_content_type: bool = True


# Wagtail pages and every route that declares nothing: only HTML is stored.
PAGES = Cacheable(PAGE, any_content_type=False)
ATTRIBUTE = "perf_cacheable"


def cacheable(
    freshness: Freshness,
    params: Iterable[str] | None = None,
    *,
    max_value_length: int = MAX_QUERY_VALUE_LENGTH,
    admit: Callable[[HttpRequest], HttpResponse | None] | None = None,
) -> Callable:
    """Declare a view (function or callable, e.g. a syndication ``Feed``) cacheable."""
    declared = Cacheable(
        freshness,
        None if params is None else frozenset(params),
        max_value_length,
        admit,
    )

    def declare(view: Callable) -> Callable:
        setattr(view, ATTRIBUTE, declared)
        return view

    return declare


def cacheable_urls(urls: tuple, freshness: Freshness, params: Iterable[str] | None = None, **kw):
    """The same declaration for every route of an ``include()`` (e.g. ``api.urls``)."""
    declare = cacheable(freshness, params, **kw)

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                declare(pattern.callback)

    walk(urls[0])
    return urls


def declared_for(request: HttpRequest) -> Cacheable:
    """What the route of this request declared (pages: ``PAGES``)."""
    return _declared_for_path(request.path_info, getattr(request, "urlconf", None))


# Resolving walks every pattern down to Wagtail's catch-all: too dear for a cache hit,
# which otherwise does little more than a static file. Routes never change in a process.
@lru_cache(maxsize=1024)
def _declared_for_path(path_info: str, urlconf: str | None) -> Cacheable:
    try:
        match = resolve(path_info, urlconf)
    except Resolver404:
        return PAGES
    return getattr(match.func, ATTRIBUTE, PAGES)


# --- Validators ------------------------------------------------------------------------


def body_etag(content: bytes, nonce: str = "") -> str:
    """A strong ETag: the body's hash (the CSP nonce, swapped on every hit, left out)."""
    if nonce:
        content = content.replace(nonce.encode(), b"")
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def generation_began(generation: int) -> int:
    """When this content generation was first served: the Last-Modified of its answers.

    Recorded on first sight in the shared cache (the counter itself carries no time);
    a process that sees it first records a later time, which only costs a 200. Per
    release: what new code renders is newer than any copy of what old code rendered.
    """
    key = f"perf:generation-began:{settings.RELEASE}:{generation}"
    cache.add(key, int(time.time()), 86400)
    return cache.get(key) or int(time.time())


def not_modified(request: HttpRequest, etag: str, last_modified: int) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and last_modified <= since
