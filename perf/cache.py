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

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse

from .models import CacheGeneration

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
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def cache_key(request: HttpRequest, generation: int) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:40]
    return f"perf:page:{generation}:{digest}"


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
            return _from_entry(entry, head=request.method == "HEAD")
        response = self.get_response(request)
        if response_is_storable(request, response):
            cache.set(key, _to_entry(response), _timeout())
            response[CACHE_HEADER] = "MISS"
        else:
            response[CACHE_HEADER] = "BYPASS"
        return response


def _to_entry(response: HttpResponse) -> tuple:
    flags = {f: getattr(response, f) for f in _RESPONSE_FLAGS if hasattr(response, f)}
    return (response.status_code, list(response.items()), response.content, flags)


def _from_entry(entry: tuple, head: bool) -> HttpResponse:
    status, headers, content, flags = entry
    response = HttpResponse(b"" if head else content, status=status)
    for name, value in headers:
        response[name] = value
    for name, value in flags.items():
        setattr(response, name, value)
    response[CACHE_HEADER] = "HIT"
    return response
