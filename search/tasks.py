"""Background upkeep of the search index (django-tasks; `manage.py db_worker` in production).

Every change is first written to the ``IndexChange`` outbox in the transaction that
made it, then a task drains the outbox once the transaction has committed. While
Elasticsearch is unreachable the rows stay, and the task tries again later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import IndexChange

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


def apply_pending_changes() -> dict:
    """Apply the outbox to the index; rows are deleted only after the index has them."""
    from .indexing import alias_exists, rebuild, sync_pages

    totals = {"indexed": 0, "deleted": 0, "rebuilt": False}
    while True:
        rows = list(IndexChange.objects.order_by("id")[:BATCH])
        if not rows:
            return totals
        if any(row.page_id is None for row in rows) or not alias_exists():
            rebuild()
            totals["rebuilt"] = True
        else:
            result = sync_pages(row.page_id for row in rows)
            totals["indexed"] += result["indexed"]
            totals["deleted"] += result["deleted"]
        IndexChange.objects.filter(id__in=[row.id for row in rows]).delete()


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
