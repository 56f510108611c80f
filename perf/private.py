"""Responses to signed-in people are never stored by anyone: browsers, proxies or CDNs.

A member's page may show members-only stories; ``Vary: Cookie`` alone does not
keep it out of a shared cache (many CDNs ignore it). So every response to a
signed-in person says ``Cache-Control: private, no-store``, and the portal's own
page cache (perf/cache.py) uses the same test never to store them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty


def is_signed_in(request: HttpRequest) -> bool:
    """Whether this request is from a signed-in person.

    Without a session cookie nobody is signed in, and the session is left
    untouched (reading it would add ``Vary: Cookie`` to every anonymous page);
    a sign-in during this request replaces the lazy user, so it still counts.
    """
    user = getattr(request, "user", None)
    if user is None:
        return False
    lazy_and_unread = isinstance(user, SimpleLazyObject) and user._wrapped is empty
    if lazy_and_unread and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return bool(user.is_authenticated)


def make_private(response: HttpResponse) -> None:
    patch_cache_control(response, private=True, no_store=True)
    # Directives only a shared cache reads; "public" is dropped by patch_cache_control.
    cache_control = [
        d.strip()
        for d in response["Cache-Control"].split(",")
        if not d.strip().lower().startswith(("s-maxage", "stale-"))
    ]
    response["Cache-Control"] = ", ".join(cache_control)


class SignedInNoStoreMiddleware:
    """Below authentication: marks every response to a signed-in person private, no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_signed_in(request):
            make_private(response)
        return response
