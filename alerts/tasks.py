"""The task workers' side of alerts (django-tasks; ``manage.py db_worker`` in production).

A published story is first written to the ``StoryBecameVisible`` outbox in the same
transaction; after the commit ``match_new_stories`` turns it into ``AlertDelivery``
rows and ``send_due_alerts`` sends what is due. Both keep their rows when the search
engine or the SMTP server is down and run again later, with backoff.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wagtail.models import Page

from search.documents import SearchUnavailable

from .delivery import next_due_at, retry_delay, send_due
from .matching import NotIndexedYet, match_story, search_groups
from .models import StoryBecameVisible, forget_unconfirmed

logger = logging.getLogger(__name__)


def story_became_visible(page_ids: list[int], reason: str) -> None:
    """Record, in the caller's transaction, stories that readers can now see."""
    rows = [StoryBecameVisible(page_id=pk, reason=reason) for pk in sorted(set(page_ids)) if pk]
    if rows:
        StoryBecameVisible.objects.bulk_create(rows)
        transaction.on_commit(lambda: enqueue(match_new_stories))


def enqueue(task_, run_after=None) -> None:
    """Queue a task; a broken queue must never break the publish that called it (the
    outbox keeps the rows for ``send_alerts``)."""
    try:
        if run_after is not None:
            if not task_.get_backend().supports_defer:
                return
            task_.using(run_after=run_after).enqueue()
        else:
            task_.enqueue()
    except Exception:  # noqa: BLE001
        logger.exception("Could not enqueue %s", task_.name)


def match_pending(now=None) -> dict:
    """Match every recorded story that is due; rows that cannot be matched yet stay."""
    now = now or timezone.now()
    totals = {"stories": 0, "alerts": 0, "waiting": 0}
    events = list(StoryBecameVisible.objects.filter(next_attempt_at__lte=now))
    groups = search_groups() if events else []  # read once for every story of this run
    for event in events:
        page = Page.objects.filter(pk=event.page_id).specific().first()
        if page is None or not page.live:
            event.delete()  # unpublished or deleted meanwhile: nothing to tell
            continue
        try:
            public = not page.get_view_restrictions().exists()
            totals["alerts"] += match_story(page, public=public, groups=groups)
        except (NotIndexedYet, SearchUnavailable) as exc:
            event.attempts += 1
            event.next_attempt_at = now + retry_delay(event.attempts)
            event.save(update_fields=["attempts", "next_attempt_at"])
            logger.info("Story %s not matched yet (%s)", event.page_id, exc)
            totals["waiting"] += 1
            continue
        event.delete()
        totals["stories"] += 1
    return totals


@task()
def match_new_stories() -> dict:
    totals = match_pending()
    if totals["alerts"]:
        enqueue(send_due_alerts)
    waiting = StoryBecameVisible.objects.order_by("next_attempt_at").first()
    if waiting is not None:
        enqueue(match_new_stories, run_after=waiting.next_attempt_at + timedelta(seconds=1))
    return totals


@task()
def send_due_alerts() -> dict:
    forget_unconfirmed()
    totals = send_due()
    later = next_due_at()
    if later is not None:
        enqueue(send_due_alerts, run_after=later + timedelta(seconds=1))
    return totals
