"""The anonymous full-page cache.

Anonymous visitors without a session see the same page whoever they are, so
their HTML is rendered once and then served from the cache until content
changes. Signed-in people (members may see members-only stories) are never
served from the cache and their pages are never stored.

Invalidation is a generation counter rather than a per-URL purge: any story
change alters the home page, both listings, search results, feeds and the
related-practices box of other stories, so the set of affected URLs is "most
of the site" and a single bump is both exact (nothing stale survives) and
simple. The counter lives in the database (see ``CacheGeneration``).
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse

from .models import CacheGeneration
from .private import is_signed_in

logger = logging.getLogger(__name__)

GENERATION = "pages"
CACHE_HEADER = "X-Cache"
# Private responses: Wagtail marks every page under a view restriction (members-only)
# with these, even when served to a member who may see it.
_PRIVATE_DIRECTIVES = ("private", "no-store", "no-cache")
_HARMLESS_VARY = {"cookie", "accept-encoding"}
# Flags views set on a response for outer middleware (embeds: may be framed).
_RESPONSE_FLAGS = ("embeddable", "xframe_options_exempt")


def current_generation() -> int:
    value = CacheGeneration.objects.filter(name=GENERATION).values_list("value", flat=True).first()
    return value or 0


def request_generation(request: HttpRequest | None) -> int:
    """The generation, read at most once per request (the middleware and fragments share it)."""
    if request is None:
        return current_generation()
    if not hasattr(request, "_content_generation"):
        request._content_generation = current_generation()
    return request._content_generation


def part_key(request: HttpRequest | None, *parts) -> str:
    """A cache key for part of a page: it goes stale with every cached page (same generation)."""
    return ":".join(["perf:part", str(request_generation(request)), *map(str, parts)])


def mark_degraded(request: HttpRequest | None) -> None:
    """This response lacks a part (search was down): serve it, but never store it."""
    if request is not None:
        request._degraded_response = True


def invalidate_pages(reason: str = "") -> None:
    """Make every cached page stale at once (all processes, all sites)."""
    if not CacheGeneration.objects.filter(name=GENERATION).update(value=F("value") + 1):
        CacheGeneration.objects.get_or_create(name=GENERATION, defaults={"value": 1})
    logger.debug("page cache invalidated: %s", reason)


def _timeout() -> int:
    return settings.PERF_PAGE_CACHE_SECONDS


def _excluded(path: str) -> bool:
    return any(path.startswith(p) for p in settings.PERF_PAGE_CACHE_EXCLUDE)


def request_is_cacheable(request: HttpRequest) -> bool:
    """Anonymous by construction: no session, no messages, no credentials."""
    if request.method not in ("GET", "HEAD"):
        return False
    if _excluded(request.path):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def response_is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if getattr(request, "_degraded_response", False):
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(d in cache_control for d in _PRIVATE_DIRECTIVES):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - _HARMLESS_VARY:
        return False
    # The same test that marks their responses "private, no-store" (perf/private.py).
    return not is_signed_in(request)


# Longest value and most values a stored page's query string may carry (search.facets
# trims facet input to the same bounds).
_MAX_QUERY_VALUE_LENGTH = 100
_MAX_QUERY_VALUES = 20


def cache_key(request: HttpRequest, generation: int) -> str:
    """The path plus only the query parameters pages understand, in one order.

    ``?utm_source=…`` or a random parameter cannot create a new entry: such a URL
    is served from the entry of the same URL without it.
    """
    known = settings.PERF_PAGE_CACHE_QUERY_PARAMS
    query = urlencode(sorted((k, v) for k, v in request.GET.lists() if k in known), doseq=True)
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:40]
    return f"perf:page:{generation}:{digest}"


def query_is_storable(request: HttpRequest) -> bool:
    """Store only pages rendered from known parameters of bounded size.

    A page rendered with an unknown parameter might echo it (pagination links keep
    the query string), so it is served but not stored under the shared key.
    """
    known = settings.PERF_PAGE_CACHE_QUERY_PARAMS
    values = [v for _, vs in request.GET.lists() for v in vs]
    return (
        all(k in known for k in request.GET)
        and len(values) <= _MAX_QUERY_VALUES
        and all(len(v) <= _MAX_QUERY_VALUE_LENGTH for v in values)
    )


def room_for_variant(request: HttpRequest, generation: int) -> bool:
    """At most PERF_PAGE_CACHE_VARIANTS_PER_PATH query strings of one path are stored
    per generation, so requests with endless ``?q=…`` values cannot flood the cache."""
    if not request.GET:
        return True
    path = hashlib.sha256(f"{request.get_host()}{request.path}".encode()).hexdigest()[:40]
    key = f"perf:variants:{generation}:{path}"
    cache.add(key, 0, _timeout())
    try:
        stored = cache.incr(key)
    except ValueError:  # expired between add and incr
        return True
    return stored <= settings.PERF_PAGE_CACHE_VARIANTS_PER_PATH


class AnonymousPageCacheMiddleware:
    """Serve anonymous visitors' pages from the cache; mark each response HIT, MISS or BYPASS.

    Sits above the session and authentication middleware so that a hit skips
    them; it still sees ``request.user`` on the way out of a miss.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request_is_cacheable(request):
            response = self.get_response(request)
            response[CACHE_HEADER] = "BYPASS"
            return response
        key = cache_key(request, request_generation(request))
        entry = cache.get(key)
        if entry is not None:
            return _from_entry(entry, head=request.method == "HEAD", request=request)
        response = self.get_response(request)
        if (
            response_is_storable(request, response)
            and query_is_storable(request)
            and room_for_variant(request, request_generation(request))
        ):
            cache.set(key, _to_entry(response, request), _timeout())
            response[CACHE_HEADER] = "MISS"
        else:
            response[CACHE_HEADER] = "BYPASS"
        return response


def _to_entry(response: HttpResponse, request: HttpRequest) -> tuple:
    flags = {f: getattr(response, f) for f in _RESPONSE_FLAGS if hasattr(response, f)}
    # The Content-Security-Policy nonce the page was rendered with (base/csp.py).
    nonce = getattr(request, "csp_nonce", "")
    return (response.status_code, list(response.items()), response.content, flags, nonce)


def _from_entry(entry: tuple, head: bool, request: HttpRequest) -> HttpResponse:
    status, headers, content, flags, *rest = entry
    stored_nonce, nonce = (rest[0] if rest else ""), getattr(request, "csp_nonce", "")
    if stored_nonce and nonce:
        # A nonce known in advance protects nothing: every hit gets its own request's.
        content = content.replace(stored_nonce.encode(), nonce.encode())
    response = HttpResponse(b"" if head else content, status=status)
    for name, value in headers:
        response[name] = value
    for name, value in flags.items():
        setattr(response, name, value)
    if not head and response.has_header("Content-Length"):
        response["Content-Length"] = str(len(content))
    response[CACHE_HEADER] = "HIT"
    return response
