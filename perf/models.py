"""The page cache's generation counter."""

from django.db import models


class CacheGeneration(models.Model):
    """A counter every cached page's key includes; bumping it invalidates them all.

    It lives in the database rather than in the cache so that every app
    process and task worker sees a bump at once, whatever cache backend runs
    (a process-local cache would otherwise keep serving stale pages), and so
    that the bump commits atomically with the content change that caused it.
    A shared cache keeps a mirror of it so that cached answers need no query; the
    row stays the truth the mirror is read back from (``perf.cache``).
    """

    name = models.CharField(max_length=40, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
