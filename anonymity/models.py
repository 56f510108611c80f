"""Private registers the anonymity guard reads; none of this is ever rendered publicly."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import models
from wagtail.admin.panels import FieldPanel

from casestudies.models import MEMBER_GROUP_PREFIX, SIZE_BANDS, Industry, Region, SupplyChainStage


class DenylistTerm(models.Model):
    """A name that must never appear on the public site, whichever page it is on.

    Page-level confidential terms protect one contributor; the denylist protects
    names that come up across submissions (a recruitment agency under
    investigation, a worker who asked not to be named).
    """

    term = models.CharField(max_length=200, unique=True)
    reason = models.CharField(
        max_length=255, blank=True, help_text="Why it is listed (never shown publicly)."
    )

    panels = [FieldPanel("term"), FieldPanel("reason")]

    class Meta:
        ordering = ["term"]
        verbose_name = "denylisted term"

    def __str__(self) -> str:
        return self.term


class ContributingCompany(models.Model):
    """A company that shares practice, registered privately.

    The register exists so the guard can count how many companies share a
    page's public attributes: a story about the only large seafood processor
    headquartered in a region names its company as surely as its name would.
    A company's member group is how its people sign in and share practice.
    """

    name = models.CharField(max_length=200, unique=True)
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="+")
    size_band = models.CharField("company size", max_length=20, choices=SIZE_BANDS)
    hq_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="headquarters region"
    )
    stages = models.ManyToManyField(
        SupplyChainStage,
        blank=True,
        related_name="+",
        verbose_name="supply-chain stages",
        help_text="Stages of the supply chain the company's own stories could describe.",
    )
    member_group = models.OneToOneField(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="company",
        limit_choices_to={"name__startswith": MEMBER_GROUP_PREFIX},
        help_text=f"Its people's sign-in group (named '{MEMBER_GROUP_PREFIX}…').",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("industry"),
        FieldPanel("size_band"),
        FieldPanel("hq_region"),
        FieldPanel("stages"),
        FieldPanel("member_group"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "contributing company"
        verbose_name_plural = "contributing companies"

    def __str__(self) -> str:
        return self.name
