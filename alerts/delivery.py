"""Sending what the outbox holds: alerts as they happen and weekly digests.

Who may read a story is decided when the message leaves, not when it was matched: a
story unpublished since is dropped, and a members-only story goes only to an address
that belongs to an active member of a group its view restriction admits. A message
the SMTP server refuses stays in the outbox and is tried again later, with backoff.
Messages read only what the live page shows the public (title, summary, address).
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from . import tokens
from .models import DIGEST_EVERY, WEEKLY, AlertDelivery, AlertSent, FollowedSearch
from .searches import describe, search_page_url

logger = logging.getLogger(__name__)

BATCH = 500
CLAIM_SECONDS = 300
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 6 * 3600
SMTP_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempts: int) -> timedelta:
    """60 s, 2 min, 4 min, ... at most six hours: an outage never loses a message."""
    return timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1), MAX_RETRY_SECONDS)
    )


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def manage_url(follower) -> str:
    return absolute(reverse("alerts:manage", args=[tokens.make(tokens.MANAGE, follower)]))


def unsubscribe_url(follower, search_ids: list[int]) -> str:
    token = tokens.make(tokens.UNSUBSCRIBE, follower, search_ids)
    return absolute(reverse("alerts:unsubscribe", args=[token]))


# --- Who may read a story -----------------------------------------------------------


def may_read(email: str, page: Page) -> bool:
    """Whether the address may read the page now: public, or an active member admitted
    by every view restriction on the page and its ancestors (as Wagtail serves it)."""
    restrictions = list(page.get_view_restrictions())
    if not restrictions:
        return True
    users = get_user_model().objects.filter(email__iexact=email, is_active=True)
    for restriction in restrictions:
        if restriction.restriction_type == PageViewRestriction.GROUPS:
            admitted = users.filter(groups__in=restriction.groups.all()).exists()
        elif restriction.restriction_type == PageViewRestriction.LOGIN:
            admitted = users.exists()
        else:  # a shared password: there is no way to know the address holds it
            admitted = False
        if not admitted:
            return False
    return True


# --- Messages -------------------------------------------------------------------------


def story_context(page: Page) -> dict:
    return {
        "title": page.title,
        "summary": page.summary_text() if hasattr(page, "summary_text") else "",
        "url": absolute(page.url),
        "type_label": getattr(page, "type_label", ""),
    }


def build_message(
    follower, searches: list[FollowedSearch], stories: list[dict], digest: bool
) -> EmailMultiAlternatives:
    labels = [describe(s.query, s.filters) for s in searches]
    unsubscribe = unsubscribe_url(follower, [s.pk for s in searches])
    context = {
        "stories": stories,
        "searches": [
            {"label": label, "url": search_page_url(s.query, s.filters)}
            for label, s in zip(labels, searches, strict=True)
        ],
        "manage_url": manage_url(follower),
        "unsubscribe_url": unsubscribe,
        "digest": digest,
    }
    if digest:
        subject = f"This week: {len(stories)} new {'story' if len(stories) == 1 else 'stories'} "
        subject += "for the searches you follow"
    else:
        subject = f"New on Here's How: {stories[0]['title']}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/email/alert.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[follower.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("alerts/email/alert.html", context), "text/html")
    return message


# --- The outbox -------------------------------------------------------------------------


def _claim(now) -> list[AlertDelivery]:
    """Take the due rows no other worker holds (a conditional UPDATE, atomic everywhere),
    every due row of up to ``BATCH`` addresses at a time, so that what one message to an
    address tells is never split between two batches."""
    due = Q(state=AlertDelivery.PENDING, due_at__lte=now, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    followers = (
        AlertDelivery.objects.filter(due)
        .order_by("followed_search__follower_id")
        .values_list("followed_search__follower_id", flat=True)
        .distinct()[:BATCH]
    )
    ids = list(
        AlertDelivery.objects.filter(due, followed_search__follower_id__in=list(followers))
        .order_by("id")
        .values_list("id", flat=True)
    )
    until = now + timedelta(seconds=CLAIM_SECONDS)
    AlertDelivery.objects.filter(due, id__in=ids).update(claimed_until=until)
    return list(
        AlertDelivery.objects.filter(id__in=ids, claimed_until=until).select_related(
            "followed_search__follower"
        )
    )


def send_due(now=None) -> dict:
    """Send every alert and digest that is due; what happened, counted."""
    now = now or timezone.now()
    totals = {"sent": 0, "withheld": 0, "dropped": 0, "failed": 0}
    while True:
        rows = _claim(now)
        if not rows:
            return totals
        _send_rows(rows, now, totals)


def _send_rows(rows: list[AlertDelivery], now, totals: dict) -> None:
    pages = {p.pk: p for p in Page.objects.filter(pk__in={r.page_id for r in rows}).specific()}
    ready: list[AlertDelivery] = []
    for row in rows:
        page = pages.get(row.page_id)
        follower = row.followed_search.follower
        if page is None or not page.live:
            _finish([row], AlertDelivery.DROPPED)
            totals["dropped"] += 1
        elif not may_read(follower.email, page):
            _finish([row], AlertDelivery.WITHHELD)
            totals["withheld"] += 1
        else:
            ready.append(row)

    # As it happens: one message per address and story, naming every search of the
    # address it matched (the rows, and so the idempotency, stay one per search and
    # story). Weekly: one digest per address.
    alerts: dict[tuple[int, int], list[AlertDelivery]] = defaultdict(list)
    digests: dict[int, list[AlertDelivery]] = defaultdict(list)
    for row in ready:
        follower_id = row.followed_search.follower_id
        if row.followed_search.frequency == WEEKLY:
            digests[follower_id].append(row)
        else:
            alerts[follower_id, row.page_id].append(row)
    messages = [(group, False) for group in alerts.values()]
    messages += [(group, True) for group in digests.values()]

    connection = get_connection()
    try:
        for group, digest in messages:
            searches = list({r.followed_search_id: r.followed_search for r in group}.values())
            stories = []
            for page_id in dict.fromkeys(r.page_id for r in group):
                stories.append(story_context(pages[page_id]))
            message = build_message(searches[0].follower, searches, stories, digest)
            message.connection = connection
            try:
                message.send()
            except SMTP_ERRORS as exc:
                # The address stays out of the log: the exception text may quote it.
                logger.warning(
                    "Alert e-mail not accepted (%s); %s alert(s) kept for a retry",
                    type(exc).__name__,
                    len(group),
                )
                _retry_later(group, now)
                totals["failed"] += len(group)
                continue
            _finish(group, AlertDelivery.SENT, sent_at=timezone.now())
            totals["sent"] += len(group)
            for search in searches:
                AlertSent.objects.create(
                    kind=AlertSent.DIGEST if digest else AlertSent.ALERT,
                    search_key=search.key,
                    search_label=describe(search.query, search.filters)[:500],
                    story_titles=[s["title"] for s in stories],
                )
            if digest:
                FollowedSearch.objects.filter(pk__in=[s.pk for s in searches]).update(
                    digest_due_at=now + DIGEST_EVERY
                )
    finally:
        try:
            connection.close()
        except SMTP_ERRORS:
            pass


def _finish(rows: list[AlertDelivery], state: str, sent_at=None) -> None:
    AlertDelivery.objects.filter(pk__in=[r.pk for r in rows]).update(
        state=state, sent_at=sent_at, claimed_until=None
    )


def _retry_later(rows: list[AlertDelivery], now) -> None:
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + retry_delay(row.attempts)
        row.claimed_until = None
    AlertDelivery.objects.bulk_update(rows, ["attempts", "next_attempt_at", "claimed_until"])


def next_due_at():
    """When the outbox next has something to send (for the worker's next run), or None."""
    row = (
        AlertDelivery.objects.filter(state=AlertDelivery.PENDING)
        .order_by("due_at")
        .values_list("due_at", "next_attempt_at")
        .first()
    )
    return max(row) if row else None
