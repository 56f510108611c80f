"""Sessions read from the shared cache: one Redis read per request that carries a cookie.

Every request with a session cookie asks whether a person is signed in
(``perf.private.is_signed_in``: a member may see members-only stories, so such an
answer is never cached), and the database session engine answered that with a
query per request. Django's ``cached_db`` engine keeps each session in the cache
beside its row (written through on every save, dropped on sign-out), so a signed-in
reader's request reads the cache only.

A cookie that names no session (expired, signed out elsewhere, made up) still cost
``cached_db`` a cache miss and then a query, on every request it comes back with.
This store also remembers, for a short while, that a key names no session. That is
exact: a session is only ever created under a key nobody has used (``create`` skips
any key the cache knows, this marker included) and saving it overwrites the marker.

Used only when the cache is shared by every process (Redis, ``portal/settings``): with
a cache per process, a sign-out in one process would leave the session alive in the
others' caches.
"""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

# Kept in place of a session's data under a key that names none.
NO_SESSION = "no-session"
# Long enough to spare the database a returning stale cookie's every request; short, so
# that made-up cookies cannot fill the cache.
NO_SESSION_SECONDS = 300


class SessionStore(CachedDBStore):
    def load(self) -> dict:
        key = self.cache_key
        try:
            data = self._cache.get(key)
        except Exception:  # noqa: BLE001 - as cached_db: a cache that fails is a miss
            data = None
        if data is not None:
            return self._known(data)
        found = self._get_session_from_db()
        return self._remember(key, found)

    async def aload(self) -> dict:
        key = await self.acache_key()
        try:
            data = await self._cache.aget(key)
        except Exception:  # noqa: BLE001
            data = None
        if data is not None:
            return self._known(data)
        found = await self._aget_session_from_db()
        return self._remember(key, found)

    def _known(self, data) -> dict:
        if data == NO_SESSION:
            self._session_key = None  # as the database store does for a key it lacks
            return {}
        return data

    def _remember(self, key: str, found) -> dict:
        """Keep what the database said about ``key``: its session's data, or that it has none."""
        if found is None:
            data, seconds = NO_SESSION, NO_SESSION_SECONDS
        else:
            data = self.decode(found.session_data)
            seconds = self.get_expiry_age(expiry=found.expire_date)
        try:
            self._cache.set(key, data, seconds)
        except Exception:  # noqa: BLE001 - the next request asks the database again
            pass
        return {} if found is None else data
