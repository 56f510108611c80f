"""Dated releases of the open data, frozen so that a study can cite the figures it used.

The files live in the database rather than in media storage so that a release is one row
written in one transaction, whatever storage the site runs on, and its checksum is
computed from exactly the bytes that are served.
"""

from __future__ import annotations

from django.db import models


class OpenDataRelease(models.Model):
    """One day's snapshot of ``/data/metric-results.csv|json``, never changed once made."""

    date = models.DateField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    csv_text = models.TextField()
    json_text = models.TextField()
    csv_sha256 = models.CharField(max_length=64)
    json_sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    # Rows added, changed and removed since the release before it, by ``result_id``
    # (see ``impact.releases.changelog``).
    changes = models.JSONField(default=dict)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The one exception to immutability: a release found to hold something that must not be
    # public (a story taken down because it identified a company) is withdrawn. Its files are
    # erased and answer 410 Gone; the listing keeps its date, checksums and the reason.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-date"]
        get_latest_by = "date"

    def __str__(self) -> str:
        return f"Open data release {self.date:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An open-data release is immutable: make a new one instead.")
        super().save(*args, **kwargs)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
