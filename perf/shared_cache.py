"""The shared cache (Redis) the page cache, rate limits and fragments live in.

Django's Redis backend builds a new ``redis.Redis`` client for every cache call; the
client's constructor copies a table of some 170 response callbacks, which costs more
CPU than the network round trip of a cache hit. The client is only a handle on the
connection pool (thread-safe, shared), so one per pool serves every call.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, with one client per connection pool instead of one per call."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients
