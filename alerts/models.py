"""Who follows which search, and the two outboxes that turn a new story into e-mail.

Only what sending needs is stored: the address, the search it follows and how often.
No name, no IP address, no account. Unfollowing deletes the rows; what editors see
afterwards (``AlertSent``) holds no address.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone

IMMEDIATELY = "immediately"
WEEKLY = "weekly"
FREQUENCIES = [(IMMEDIATELY, "As it happens"), (WEEKLY, "Weekly digest")]
DIGEST_EVERY = timedelta(days=7)


def search_key(query: str, filters: dict[str, list[str]]) -> str:
    """One key for every spelling of the same search, so identical searches run once."""
    canonical = {
        "q": " ".join(query.lower().split()),
        "f": {param: sorted(values) for param, values in sorted(filters.items()) if values},
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


class Follower(models.Model):
    """An e-mail address that follows one or more searches; no account behind it.

    Kept apart from the searches so that the manage page (one signed link per address)
    lists them all and "unsubscribe from everything" is one delete.
    """

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        # Never the address: this may end up in a log line or an admin message.
        return f"follower {self.pk}"

    def forget_if_unused(self) -> None:
        """An address that follows nothing any more is deleted with its last search."""
        if not self.searches.exists():
            self.delete()


class FollowedSearch(models.Model):
    """A search (query and facets, the search page's parameters) an address follows.

    Stored unconfirmed at sign-up; the confirmation link sets ``confirmed_at``, and only
    confirmed searches are matched. ``key`` groups identical searches, which are run once
    per new story whoever follows them.
    """

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="searches")
    query = models.CharField(max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=64, db_index=True)
    frequency = models.CharField(max_length=20, choices=FREQUENCIES, default=IMMEDIATELY)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When this search's next weekly digest leaves.
    digest_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "key"], name="alerts_one_search_per_key")
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"followed search {self.pk}"

    def save(self, *args, **kwargs):
        self.key = search_key(self.query, self.filters)
        super().save(*args, **kwargs)

    def confirm(self) -> None:
        if self.confirmed_at is None:
            self.confirmed_at = timezone.now()
            self.digest_due_at = self.confirmed_at + DIGEST_EVERY
            self.save(update_fields=["confirmed_at", "digest_due_at", "key"])

    def set_frequency(self, frequency: str) -> None:
        """A changed frequency also applies to alerts matched but not yet sent."""
        self.frequency = frequency
        if self.digest_due_at is None:
            self.digest_due_at = timezone.now() + DIGEST_EVERY
        self.save(update_fields=["frequency", "digest_due_at", "key"])
        self.deliveries.filter(state=AlertDelivery.PENDING).update(due_at=self.next_due())

    def next_due(self):
        """When an alert matched now leaves: at once, or with the next digest (a week in
        which nothing matched sent no digest, so the schedule is carried forward)."""
        now = timezone.now()
        if self.frequency != WEEKLY:
            return now
        due = self.digest_due_at or now + DIGEST_EVERY
        if due < now:
            due += ((now - due) // DIGEST_EVERY + 1) * DIGEST_EVERY
        return due

    @transaction.atomic
    def unfollow(self) -> None:
        follower = self.follower
        self.delete()
        follower.forget_if_unused()


def forget_unconfirmed(now=None) -> int:
    """Sign-ups whose confirmation link has expired are deleted, with an address left
    following nothing; how many searches were forgotten."""
    from .tokens import CONFIRM_MAX_AGE

    cutoff = (now or timezone.now()) - CONFIRM_MAX_AGE
    stale = FollowedSearch.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff)
    _, deleted = stale.delete()
    Follower.objects.filter(searches__isnull=True).delete()
    return deleted.get(FollowedSearch._meta.label, 0)


class StoryBecameVisible(models.Model):
    """Outbox: a story was published or made public and must be matched to followed searches.

    Written in the transaction that published it (or lifted its privacy), removed once
    its alerts are in ``AlertDelivery``; while the search engine is unreachable it stays,
    and the matching task tries again later.
    """

    page_id = models.PositiveBigIntegerField(db_index=True)
    reason = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.reason} page {self.page_id}"


class AlertDelivery(models.Model):
    """Outbox: one story to tell one followed search about; the idempotency key is the pair.

    A story published again after an edit, or made public after being members-only,
    meets the unique constraint and is not sent twice. Rows stay ``pending`` until the
    SMTP server accepted the message; a refusal only pushes ``next_attempt_at`` back.
    """

    PENDING, SENT, WITHHELD, DROPPED = "pending", "sent", "withheld", "dropped"
    STATES = [
        (PENDING, "Waiting to be sent"),
        (SENT, "Sent"),
        (WITHHELD, "Withheld: members-only and the address is not a member's"),
        (DROPPED, "Not sent: the story is no longer published"),
    ]

    followed_search = models.ForeignKey(
        FollowedSearch, on_delete=models.CASCADE, related_name="deliveries"
    )
    page_id = models.PositiveBigIntegerField()
    state = models.CharField(max_length=20, choices=STATES, default=PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker that takes rows holds them until then; a dead worker's rows come back.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["followed_search", "page_id"], name="alerts_once_per_search_and_story"
            )
        ]
        indexes = [models.Index(fields=["state", "due_at"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.state} alert of page {self.page_id}"


class AlertSent(models.Model):
    """What was sent when, for editors: kept after unsubscribing, with no address in it."""

    ALERT, DIGEST = "alert", "digest"
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=10, choices=[(ALERT, "Alert"), (DIGEST, "Weekly digest")])
    search_key = models.CharField(max_length=64)
    search_label = models.CharField(max_length=500)
    story_titles = models.JSONField(default=list)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.sent_at:%Y-%m-%d %H:%M}"
