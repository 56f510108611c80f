"""How often partners embed and republish stories, per domain and month.

Only the partner's domain and the month are kept: no cookies, no IP
addresses, no reader-level records, so partners' readers are not tracked.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

from django.db import models
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN_PATTERN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


class PartnerActivity(models.Model):
    EMBED = "embed"
    REPUBLISH = "republish"
    KINDS = [(EMBED, "Embed card load"), (REPUBLISH, "Republished story view")]

    domain = models.CharField(max_length=253)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    month = models.DateField(help_text="The first day of the month counted.")
    kind = models.CharField(max_length=10, choices=KINDS)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "partner activity"
        verbose_name_plural = "partner activity"
        ordering = ["-month", "domain", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "month", "kind", "page"], name="one_count_per_story_and_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain} {self.month:%Y-%m} {self.kind}: {self.count}"


def partner_domain(value: str | None) -> str | None:
    """The bare host name of a URL or domain a partner gave us, or None if it is not one."""
    if not value:
        return None
    value = value.strip()[:500]
    host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    host = host.lower().rstrip(".")
    host = host.removeprefix("www.")
    return host if DOMAIN_PATTERN.match(host) else None


def record_partner_activity(
    domain: str, kind: str, page: Page, today: datetime.date | None = None
) -> None:
    """Add one to the domain's count for this story and month (one UPDATE when it exists)."""
    month = (today or timezone.now().date()).replace(day=1)
    lookup = {"domain": domain, "month": month, "kind": kind, "page_id": page.pk}
    if PartnerActivity.objects.filter(**lookup).update(count=F("count") + 1):
        return
    _, created = PartnerActivity.objects.get_or_create(**lookup, defaults={"count": 1})
    if not created:
        PartnerActivity.objects.filter(**lookup).update(count=F("count") + 1)
