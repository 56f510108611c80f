"""Rate limits every surface shares: who the client is, and how often it came.

One client address rule (``client_address``) and one counter (``RateLimit``) for the
open API, the sign-in forms, the share form and the republication counter, so a
limit cannot be dodged by finding the surface that trusts a spoofed header or
counts after checking.

Counts live in the Django cache: with ``CACHE_URL=redis://`` (required in production)
every app server sees the same count. They are counted first and checked after, so
requests sent in parallel cannot all slip under the limit. On Redis an event costs
one round trip (a cached API answer pays it on every hit): the project's Redis cache
(``perf.shared_cache``) offers ``count_in_window``, one script that opens the window's
counter with its expiry if it is not open, increments it and reads how long the window
has left. Other caches (one process's memory: tests, a laptop) count with the cache API.

A caller that reads the cache anyway before it would count (the anonymous cache's lookup
of a stored API answer) may count in that same round trip and leave the count on the
request (``counted_ahead``); ``hit(..., request=request)`` then takes it instead of
counting again, so each request is counted exactly once whichever of them answers it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of whoever sent the request, as far as trusted proxies can vouch.

    With ``TRUSTED_PROXY_COUNT`` = 0 the connection's own address (``REMOTE_ADDR``):
    an ``X-Forwarded-For`` header then comes from the client and proves nothing.
    Behind N proxies each appends the address it saw, so the Nth entry from the
    right was written by our outermost proxy; anything left of it is the client's
    own claim.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote
    candidate = forwarded[-min(trusted, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


@dataclass(frozen=True)
class Hit:
    """One counted event: how many so far in this window, and when the window ends."""

    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def retry_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


class RateLimit:
    """At most ``limit`` events per ``seconds`` per identity, the window opening at the first.

    Identities (addresses, user names) are hashed with the secret key: the cache
    holds no reader's address in the clear, and only for one window.
    """

    def __init__(self, scope: str, limit: int, seconds: int):
        self.scope = scope
        self.limit = limit
        self.seconds = seconds

    def _name(self, identity: tuple) -> str:
        return _window_name(settings.SECRET_KEY, self.scope, tuple(map(str, identity)))

    def window(self, *identity: object) -> str:
        """The name of ``identity``'s counter, for a caller that counts it ahead."""
        return self._name(identity)

    def hit(self, *identity: object, request: HttpRequest | None = None) -> Hit:
        """Count one event, then say whether it is within the limit.

        With ``request``, an event already counted for it in the same window
        (``counted_ahead``) is taken instead of counting another.
        """
        name = self._name(identity)
        ahead = getattr(request, "_counted_ahead", None)
        if ahead and name in ahead:
            count, seconds_left = ahead.pop(name)
            return Hit(count, self.limit, max(1, seconds_left))
        count_in_window = getattr(caches["default"], "count_in_window", None)
        if count_in_window is None:
            return self._hit_in_process(name)
        count, seconds_left = count_in_window(name, self.seconds)
        return Hit(count, self.limit, max(1, seconds_left))

    def undo(self, *identity: object) -> None:
        """Give back an event counted by ``hit`` (a sign-in that succeeded, a share refused)."""
        name = self._name(identity)
        give_back = getattr(caches["default"], "give_back", None)
        if give_back is not None:
            give_back(name)
            return
        try:
            cache.decr(self._window_in_process(name, opening=False)[0])
        except ValueError:
            pass

    # --- A cache of one process (tests, a laptop): the cache API, no round trips to save --

    def _window_in_process(self, name: str, opening: bool = True) -> tuple[str, int]:
        """The counter of the current window, named after when it opened (first writer
        wins), and the seconds it has left."""
        now = time.time()
        if opening:
            cache.add(f"{name}:opened", now, self.seconds)
        opened = cache.get(f"{name}:opened", now)
        return f"{name}:{opened:.6f}", max(1, math.ceil(opened + self.seconds - now))

    def _hit_in_process(self, name: str) -> Hit:
        key, remaining = self._window_in_process(name)
        cache.add(key, 0, remaining + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, remaining + 1)
            count = 1
        return Hit(count, self.limit, remaining)


def counted_ahead(request: HttpRequest, name: str, counted: tuple[int, int]) -> None:
    """Leave on ``request`` an event counted in window ``name`` (count, seconds left) for
    the ``RateLimit.hit`` that would count it, whichever code path reaches it."""
    if not hasattr(request, "_counted_ahead"):
        request._counted_ahead = {}
    request._counted_ahead[name] = counted


# Hashing the secret with the identity costs as much as a cached answer's own work, and the
# same clients come back all day; the bound keeps a flood of addresses from growing it.
@lru_cache(maxsize=4096)
def _window_name(secret: str, scope: str, identity: tuple[str, ...]) -> str:
    raw = ":".join([secret, scope, *identity]).encode()
    return f"throttle:{scope}:{hashlib.sha256(raw).hexdigest()[:32]}"
