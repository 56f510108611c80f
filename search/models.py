"""Search vocabulary editors can extend, and the outbox that keeps the index in sync."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

_TERM_CHARS = re.compile(r"[^\w\s'\-&]+")


@register_snippet
class SearchSynonym(models.Model):
    """Words peers use for the same practice, so a search for one finds the others.

    Applied when a search runs (not when stories are indexed), so an edit here takes
    effect at once, without rebuilding the index.
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
