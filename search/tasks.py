"""Background upkeep of the search index (django-tasks; `manage.py db_worker` in production).

Every change is first written to the ``IndexChange`` outbox in the transaction that
made it, then a task drains the outbox once the transaction has committed. While
Elasticsearch is unreachable the rows stay, and the task tries again later.

Only one worker writes to the index at a time (``IndexLock``), and every write is
versioned, so with several workers an older state never replaces a newer one.
``search_index reconcile``, run on a schedule, drains rows a dead worker left and
corrects any drift between the index and the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import LEASE_SECONDS, IndexBusy, IndexChange, IndexLock

logger = logging.getLogger(__name__)

BATCH = 500
MAX_BACKOFF_SECONDS = 600


def request_sync(page_ids: Iterable[int], reason: str) -> None:
    """Ask for these pages' index entries to follow the database, after the commit."""
    rows = [IndexChange(page_id=pk, reason=reason) for pk in sorted(set(page_ids)) if pk]
    if rows:
        IndexChange.objects.bulk_create(rows)
        transaction.on_commit(enqueue_drain)


def request_rebuild(reason: str) -> None:
    IndexChange.objects.create(page_id=None, reason=reason)
    transaction.on_commit(enqueue_drain)


def enqueue_drain(attempt: int = 0, delay: float = 0) -> None:
    """Queue the drain; a broken task queue must never break the edit that called it."""
    try:
        if delay:
            run_after = timezone.now() + timedelta(seconds=delay)
            drain_index_changes.using(run_after=run_after).enqueue(attempt=attempt)
        else:
            drain_index_changes.enqueue(attempt=attempt)
    except Exception:  # noqa: BLE001 - the outbox keeps the change for the next drain
        logger.exception("Could not enqueue the search index drain")


# --- One writer at a time -----------------------------------------------------------


@contextmanager
def writing_index(wait: float = 0, lease: float = LEASE_SECONDS) -> Iterator[str]:
    """Hold the index lock for the block; raises ``IndexBusy`` if it is not free in time.

    Yields the lease token. The lock is let go however the block ends.
    """
    deadline = time.monotonic() + wait
    token = IndexLock.acquire(lease)
    while token is None and time.monotonic() < deadline:
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        token = IndexLock.acquire(lease)
    if token is None:
        raise IndexBusy("Another worker is writing the search index.")
    try:
        yield token
    finally:
        IndexLock.release(token)


def apply_pending_changes(lease: float = LEASE_SECONDS) -> dict:
    """Apply the outbox to the index; rows are deleted only after the index has them.

    If another worker holds the lock this returns at once (``busy``): that worker looks
    at the outbox again after letting go, so a change that arrived meanwhile is not left
    behind.
    """
    totals = {"indexed": 0, "deleted": 0, "rebuilt": False, "busy": False}
    while True:
        try:
            with writing_index(lease=lease) as token:
                _drain(token, totals, lease)
        except IndexBusy:
            totals["busy"] = True
            return totals
        if not IndexChange.objects.exists():
            return totals


def _drain(token: str, totals: dict, lease: float) -> None:
    from .indexing import alias_exists, rebuild, sync_pages

    def keep_lease(*_) -> None:
        IndexLock.renew(token, lease)

    while True:
        # Rows first, versions after (inside sync_pages): see ``IndexLock``.
        rows = list(IndexChange.objects.order_by("id")[:BATCH])
        if not rows:
            return
        if any(row.page_id is None for row in rows) or not alias_exists():
            rebuild(progress=keep_lease)
            totals["rebuilt"] = True
        else:
            result = sync_pages(row.page_id for row in rows)
            totals["indexed"] += result["indexed"]
            totals["deleted"] += result["deleted"]
        keep_lease()  # a writer that lost its lease leaves the rows to the new holder
        IndexChange.objects.filter(id__in=[row.id for row in rows]).delete()


def reconcile(wait: float = LEASE_SECONDS, lease: float = LEASE_SECONDS) -> dict:
    """Drain the outbox (rows a dead worker left too), then correct drift from the database.

    What ``search_index reconcile`` runs on a schedule. Waits up to ``wait`` seconds for
    a running drain to finish; a dead worker's lease runs out within ``lease``.
    """
    from .indexing import alias_exists, rebuild
    from .indexing import reconcile as correct_drift

    totals = {"indexed": 0, "deleted": 0, "rebuilt": False}
    with writing_index(wait=wait, lease=lease) as token:
        _drain(token, totals, lease)
        if not alias_exists():
            rebuild(progress=lambda *_: IndexLock.renew(token, lease))
            totals["rebuilt"] = True
            drift = {"missing": [], "extra": [], "stale": [], "repaired": 0}
        else:
            drift = correct_drift()
    return {**totals, **drift}


@task()
def drain_index_changes(attempt: int = 0) -> dict:
    from .indexing import INDEX_ERRORS

    try:
        return apply_pending_changes()
    except INDEX_ERRORS as exc:
        pending = IndexChange.objects.count()
        logger.warning("Search index unreachable (%s); %s change(s) kept", exc, pending)
        if drain_index_changes.get_backend().supports_defer:
            first = max(0.1, float(settings.SEARCH_SYNC_RETRY_SECONDS))
            enqueue_drain(attempt + 1, delay=min(first * 2**attempt, MAX_BACKOFF_SECONDS))
        raise
