"""Rate limits every surface shares: who the client is, and how often it came.

One client address rule (``client_address``) and one counter (``RateLimit``) for the
open API, the sign-in forms, the share form and the republication counter, so a
limit cannot be dodged by finding the surface that trusts a spoofed header or
counts after checking.

Counts live in the Django cache: with ``CACHE_URL=redis://`` (required in production)
every app server sees the same count. They are counted first and checked after
(``cache.add`` then ``cache.incr``, both atomic in Redis), so requests sent in
parallel cannot all slip under the limit.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
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

    def _window(self, *identity: object, opening: bool) -> tuple[str, int]:
        """The counter key of the identity's current window, and the seconds it has left.

        The window's opening time is kept under its own key (first writer wins), and
        names the counter, so a window that expires starts a fresh count.
        """
        raw = ":".join([settings.SECRET_KEY, self.scope, *map(str, identity)]).encode()
        base = f"throttle:{self.scope}:{hashlib.sha256(raw).hexdigest()[:32]}"
        now = time.time()
        # Read first: every event but a window's first finds it (a cached API answer
        # pays for each cache round trip here).
        opened = cache.get(f"{base}:opened")
        if opened is None:
            if opening:
                cache.add(f"{base}:opened", now, self.seconds)
            opened = cache.get(f"{base}:opened", now)
        remaining = max(1, math.ceil(opened + self.seconds - now))
        return f"{base}:{opened:.6f}", remaining

    def hit(self, *identity: object) -> Hit:
        """Count one event, then say whether it is within the limit."""
        key, remaining = self._window(*identity, opening=True)
        try:
            count = cache.incr(key)  # the window's counter, made by its first event
        except ValueError:
            cache.add(key, 0, remaining + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, remaining + 1)
                count = 1
        return Hit(count, self.limit, remaining)

    def undo(self, *identity: object) -> None:
        """Give back an event counted by ``hit`` (a sign-in that succeeded, a share refused)."""
        key, _ = self._window(*identity, opening=False)
        try:
            cache.decr(key)
        except ValueError:
            pass
