"""Search vocabulary editors can extend, and the outbox that keeps the index in sync."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

_TERM_CHARS = re.compile(r"[^\w\s'\-&]+")


@register_snippet
class SearchSynonym(models.Model):
    """Words peers use for the same practice, so a search for one finds the others.

    Applied at search time by the index's analyzer (``synonym_graph``), so an edit
    here rebuilds the index behind its alias (``search.signal_handlers``): it takes effect once
    that rebuild is done, and search keeps answering meanwhile.
    """

    terms = models.CharField(
        max_length=500,
        unique=True,
        help_text="Two or more words or phrases that mean the same, separated by commas, "
        "e.g. 'recruitment fees, placement fees, agency fees'.",
    )

    panels = [FieldPanel("terms")]

    class Meta:
        ordering = ["terms"]
        verbose_name = "search synonym"

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        return split_terms(self.terms)

    def clean(self):
        super().clean()
        if len(self.term_list()) < 2:
            raise ValidationError({"terms": "Enter at least two different terms."})
        self.terms = ", ".join(self.term_list())


def split_terms(text: str) -> list[str]:
    terms: list[str] = []
    for raw in text.split(","):
        term = " ".join(_TERM_CHARS.sub(" ", raw).lower().split())
        if term and term not in terms:
            terms.append(term)
    return terms


class IndexChange(models.Model):
    """A page whose index entry must be brought in line with the database.

    Written in the same transaction as the change itself, and removed only once the
    index has the new state, so nothing is lost while Elasticsearch is unreachable.
    A row without a page asks for a full rebuild.
    """

    page_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.reason} page {self.page_id or 'all'}"


STORY_INDEX = "stories"
LEASE_SECONDS = 120


class IndexBusy(Exception):
    """Another worker is writing the story index (or this one lost its lease)."""


class IndexLock(models.Model):
    """Who may write to the story index right now, and the version the next write carries.

    One row per index. With several task workers, two drains (or a drain and a rebuild)
    must never interleave their writes, so a writer holds this row for a lease that it
    renews as it goes: a worker that dies mid-task blocks the others only until its lease
    runs out, then the next drain or reconcile takes over. A conditional UPDATE takes it,
    which is atomic on PostgreSQL and SQLite alike and holds no transaction open while
    Elasticsearch works.

    ``last_version`` numbers every write. A writer takes a number after reading the outbox
    and before reading the pages, and Elasticsearch keeps the highest number per page
    (external versioning): so a slow writer's older state can never replace a newer one,
    even if its lease ran out while it was stuck.
    """

    name = models.CharField(primary_key=True, max_length=40)
    holder = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'}"

    @classmethod
    def _rows(cls) -> models.QuerySet:
        # Made on first use rather than by a data migration: test databases are flushed.
        cls.objects.get_or_create(name=STORY_INDEX)
        return cls.objects.filter(name=STORY_INDEX)

    @classmethod
    def acquire(cls, lease: float = LEASE_SECONDS) -> str | None:
        """Take the lock if it is free or its holder's lease ran out; the token, or None."""
        token = f"{os.getpid()}-{secrets.token_hex(8)}"
        now = timezone.now()
        free = models.Q(expires_at__isnull=True) | models.Q(expires_at__lt=now)
        taken = (
            cls._rows().filter(free).update(holder=token, expires_at=now + timedelta(seconds=lease))
        )
        return token if taken else None

    @classmethod
    def renew(cls, token: str, lease: float = LEASE_SECONDS) -> None:
        """Extend the lease; raises ``IndexBusy`` if another worker took it meanwhile."""
        expires_at = timezone.now() + timedelta(seconds=lease)
        if not cls.objects.filter(name=STORY_INDEX, holder=token).update(expires_at=expires_at):
            raise IndexBusy("The lease on the search index ran out and another worker took it.")

    @classmethod
    def release(cls, token: str) -> None:
        cls.objects.filter(name=STORY_INDEX, holder=token).update(holder="", expires_at=None)

    @classmethod
    def next_version(cls) -> int:
        """A version no earlier write has had (increment and read in one transaction)."""
        rows = cls._rows()
        with transaction.atomic():
            rows.update(last_version=models.F("last_version") + 1)
            return rows.values_list("last_version", flat=True).get()

    @classmethod
    def advance_to(cls, version: int) -> None:
        """Never number below what the index already holds (e.g. after a database restore)."""
        cls._rows().filter(last_version__lt=version).update(last_version=version)
