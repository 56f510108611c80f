"""The shared cache (Redis) the page cache, rate limits and fragments live in.

Django's Redis backend builds a new ``redis.Redis`` client for every cache call; the
client's constructor copies a table of some 170 response callbacks, which costs more
CPU than the network round trip of a cache hit. The client is only a handle on the
connection pool (thread-safe, shared), so one per pool serves every call.

A cached answer is one ``get_many`` (its entry and the content generation, see
perf/cache.py), a cached API answer one rate-limit count (``base.throttle``), and a
visitor with a session cookie one ``get`` (``perf.sessions``). Through
redis-py's client and pool, each spends more CPU on retries, timing hooks and checking a
connection out and back in than on the command itself, so both are sent on a connection
of the thread's own (one per process and thread). A connection that fails, or a reply cut
short, is dropped so that no reply is ever read by the wrong request, and the command is
sent again the usual way, with redis-py's retries.

Django's serializer tries ``int()`` on every value it reads before unpickling it (it stores
integers as digits, for INCR); for a stored answer that attempt fails only after quoting the
whole value into its error message (measured: a 44 KB page's entry 5.4 to 3.5 µs, a 4.8 KB
embed card's 23 to 13 µs). A pickle (protocol 2 and later) starts with the PROTO opcode,
which digits never do, so such a value is unpickled at once (``_Serializer``).

A cached API answer needs both: its lookup and its client's count. They go out together
(``get_many_and_count``: two commands in one write, two replies in one read), so the API's
hit pays the round trip a page's hit pays, no more.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient, RedisSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


# What a failed command on the thread's own connection returns: GET itself answers None.
_FAILED = object()
# Commands kept packed: a hit sends the same few again and again (its keys and the
# generation's mirror), and looking one up costs a tenth of packing it. Emptied when full.
PACKED_COMMANDS = 4096


class _Serializer(RedisSerializer):
    def loads(self, data):
        if data[:1] == pickle.PROTO:
            return pickle.loads(data)
        return super().loads(data)  # digits (an integer), or a pickle of protocol 0 or 1


class _ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if type(self._serializer) is RedisSerializer:
            self._serializer = _Serializer(self._serializer.protocol)
        self._clients = {}
        self._connections = threading.local()
        self._packed_commands = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _own(self, write: bool):
        """This thread's own connection to the writer or to a reader; a forked worker opens
        its own, never its parent's."""
        own = self._connections
        if getattr(own, "pid", None) != os.getpid():
            own.__dict__.clear()
            own.pid = os.getpid()
        connection = getattr(own, str(write), None)
        if connection is None:
            pool = self._get_connection_pool(write)
            connection = pool.connection_class(**pool.connection_kwargs)
            setattr(own, str(write), connection)
        return connection

    def _packed(self, connection, commands: tuple) -> list:
        packed = self._packed_commands.get(commands)
        if packed is None:
            if len(self._packed_commands) >= PACKED_COMMANDS:
                self._packed_commands.clear()
            packed = self._packed_commands[commands] = connection.pack_commands(commands)
        return packed

    def _send(self, write: bool, *command, failed=None):
        """One command on this thread's own connection, or ``failed`` if that connection
        failed (the caller then goes through the pool, with redis-py's retries)."""
        connection = self._own(write)
        try:
            connection.send_packed_command(self._packed(connection, (command,)))
            return connection.read_response()
        except (RedisConnectionError, RedisTimeoutError, OSError):
            connection.disconnect()
            logger.debug("the cache connection failed; going through the pool", exc_info=True)
            return failed
        except BaseException:
            connection.disconnect()  # a reply may be left unread: never hand it to the next read
            raise

    def get(self, key, default):
        # A session lookup and the content generation's mirror are single reads.
        value = self._send(False, "GET", key, failed=_FAILED)
        if value is _FAILED:
            return super().get(key, default)
        return default if value is None else self._serializer.loads(value)

    def get_many(self, keys):
        keys = list(keys)
        values = self._send(False, "MGET", *keys)
        if values is None:
            return super().get_many(keys)
        loads = self._serializer.loads
        return {k: loads(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def get_many_and_count(self, keys, window: str, seconds: int):
        """``get_many(keys)`` and ``count_in_window(window, seconds)`` in one round trip.

        Both go to the writer (the count writes), pipelined on this thread's connection;
        with replicas the reads belong elsewhere, so the two are sent one after the other.
        """
        keys = list(keys)
        if self._get_connection_pool(False) is not self._get_connection_pool(True):
            return self.get_many(keys), self.count_in_window(window, seconds)
        connection = self._own(True)
        commands = (("MGET", *keys), ("EVAL", COUNT_IN_WINDOW, 1, window, seconds))
        try:
            connection.send_packed_command(self._packed(connection, commands))
            values = connection.read_response()
            count, left = connection.read_response()
        except (RedisConnectionError, RedisTimeoutError, OSError):
            connection.disconnect()
            logger.debug("the cache connection failed; going through the pool", exc_info=True)
            return super().get_many(keys), self.count_in_window(window, seconds)
        except BaseException:
            connection.disconnect()
            raise
        loads = self._serializer.loads
        found = {k: loads(v) for k, v in zip(keys, values, strict=True) if v is not None}
        return found, (int(count), int(left))

    def count_in_window(self, key: str, seconds: int) -> tuple[int, int]:
        command = ("EVAL", COUNT_IN_WINDOW, 1, key, seconds)
        reply = self._send(True, *command)
        if reply is None:
            reply = self.get_client(write=True).execute_command(*command)
        count, left = reply
        return int(count), int(left)

    def give_back(self, key: str) -> None:
        self.get_client(write=True).eval(GIVE_BACK, 1, key)


# A window opens with its counter (SET NX, with the window's expiry) and closes when that
# expires; INCR keeps the expiry. One command: the count and the seconds the window has left.
COUNT_IN_WINDOW = """redis.call('set', KEYS[1], 0, 'EX', ARGV[1], 'NX')
return {redis.call('incr', KEYS[1]), redis.call('ttl', KEYS[1])}"""
# Only while the window lasts: DECR of an expired counter would make one without an expiry,
# a window that never closes.
GIVE_BACK = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end"


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, with one client per connection pool instead of one per call."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    def get(self, key, default=None, version=None):
        # Not checked for memcached's limits either (a check of every character of the key).
        return self._cache.get(self.make_key(key, version=version), default)

    def get_many(self, keys, version=None):
        # Keys are not checked for memcached's limits: Redis has none, and a hit reads two.
        key_map = {self.make_key(key, version=version): key for key in keys}
        return {key_map[k]: v for k, v in self._cache.get_many(key_map).items()}

    def get_many_and_count(
        self, keys, window: str, seconds: int, version=None
    ) -> tuple[dict, tuple[int, int]]:
        """``get_many`` and ``count_in_window`` in the one round trip of a cached API answer."""
        key_map = {self.make_key(key, version=version): key for key in keys}
        found, counted = self._cache.get_many_and_count(key_map, self.make_key(window), seconds)
        return {key_map[k]: v for k, v in found.items()}, counted

    def count_in_window(self, key: str, seconds: int) -> tuple[int, int]:
        """Count one event in ``key``'s window of ``seconds``, opening it if it is not open:
        the count so far and the seconds left, in one round trip (``base.throttle``)."""
        return self._cache.count_in_window(self.make_key(key), seconds)

    def give_back(self, key: str) -> None:
        """Take one event back from ``key``'s window, if the window is still open."""
        self._cache.give_back(self.make_key(key))
