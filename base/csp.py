"""The Content-Security-Policy of every HTML page.

Nothing on a public page comes from another site, and no script or style runs
unless the portal wrote it: inline ``<script>``/``<style>`` elements carry the
request's nonce (``nonce="{{ request.csp_nonce }}"`` in templates), everything
else is a file under 'self'. Injected markup, even if it slipped past the
sanitisers, cannot run or phone home.

``frame-ancestors`` is not set here: ``embeds.middleware.PublicSurfaceMiddleware``
(outermost) merges it into this header, so embed cards stay frameable by anyone
and every other page by nobody. The anonymous page cache stores pages with the
nonce of the request that rendered them and swaps in the current request's nonce
on every hit (``perf.cache``), so a cached page never replays a nonce. The nonce is
made the first time something reads it: answers without a page (a 304, JSON, feeds)
never pay for one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"

# Wagtail's admin renders inline scripts and styles of its own (and editors' previews
# of pages) that carry no nonce, so a strict policy would break it. Its pages get a
# relaxed policy: no plugins, no <base> hijacking; framing is still decided by
# PublicSurfaceMiddleware (same-origin only, for the preview).
RELAXED_PREFIXES = ("/admin/", "/django-admin/")
RELAXED_POLICY = "base-uri 'self'; object-src 'none'"


def strict_policy(nonce: str) -> str:
    # Every HTML answer, cached ones included, needs its own: only the nonce changes.
    return _strict_policy_for(tuple(settings.CSP_MEDIA_SOURCES)).replace(_NONCE, nonce)


_NONCE = "{nonce}"


@lru_cache(maxsize=8)
def _strict_policy_for(media_sources: tuple[str, ...]) -> str:
    images = " ".join(["'self'", "data:", *media_sources])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{_NONCE}'",
            f"style-src 'self' 'nonce-{_NONCE}'",
            f"img-src {images}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def _new_nonce() -> str:
    return secrets.token_urlsafe(18)


class Nonce:
    """A request's nonce, made the first time it is read (``str()``, as templates do).

    Rather than Django's ``SimpleLazyObject``, whose making and first read cost a cached
    page's hit about 4 µs of its some 200: every hit of a page makes one.
    """

    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value = ""

    def __str__(self) -> str:
        if not self._value:
            self._value = _new_nonce()
        return self._value

    def encode(self, *args) -> bytes:
        return str(self).encode(*args)

    @property
    def made(self) -> bool:
        return bool(self._value)


def nonce_if_made(request: HttpRequest) -> str:
    """This request's nonce if anything has asked for it (a template, the policy), else "".

    A response nobody asked the nonce of (JSON, a feed, a 304) cannot contain it.
    """
    nonce = getattr(request, "csp_nonce", None)
    return str(nonce) if isinstance(nonce, Nonce) and nonce.made else ""


class ContentSecurityPolicyMiddleware:
    """Gives each request a fresh nonce and each HTML response the policy that uses it.

    Sits inside PublicSurfaceMiddleware (which adds frame-ancestors) and outside the
    page cache (so a cached page still gets this request's nonce and header). The nonce
    is made when first asked for: a 304, JSON or a feed never needs one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = Nonce()
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if settings.DEBUG and response.status_code >= 400:
            return response  # Django's debug error pages style themselves inline
        if request.path.startswith(RELAXED_PREFIXES):
            response[HEADER] = RELAXED_POLICY
        else:
            response[HEADER] = strict_policy(str(request.csp_nonce))
        return response
