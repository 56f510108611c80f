"""Private registers the anonymity guard reads; none of this is ever rendered publicly."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

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
    operating_regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="+",
        verbose_name="operating regions",
        help_text="Regions where the company's supply chain has work. A story's region is "
        "where the work happened, so these are the companies it could be about.",
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
        FieldPanel("operating_regions"),
        FieldPanel("stages"),
        FieldPanel("member_group"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "contributing company"
        verbose_name_plural = "contributing companies"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        other = ContributingCompany.registered_as(self.name)
        if other is not None and other.pk != self.pk:
            raise ValidationError(
                {"name": f"“{other.name}” is already registered; stories name it that way."}
            )

    @staticmethod
    def normalized(name: str) -> str:
        """How a company's name is compared: case and spacing do not make another company."""
        return " ".join(name.split()).casefold()

    @classmethod
    def registered_as(cls, name: str) -> ContributingCompany | None:
        """The registered company a story's free-text company field names, if any."""
        wanted = cls.normalized(name)
        if not wanted:
            return None
        exact = cls.objects.filter(name__iexact=" ".join(name.split())).first()
        if exact is not None:
            return exact
        # Stored with other spacing, or differing in non-ASCII case (SQLite's iexact).
        for company in cls.objects.all():
            if cls.normalized(company.name) == wanted:
                return company
        return None

    @classmethod
    def for_member(cls, user) -> ContributingCompany | None:
        """The registered company whose member group a signed-in person belongs to."""
        if not user.is_authenticated:
            return None
        return cls.objects.filter(member_group__user=user).order_by("name").first()


class ConfidentialTermFinding(models.Model):
    """A live story whose published text holds a term made confidential after it went live.

    Kept up to date as drafts are saved and stories are published or
    unpublished, so the admin report lists findings page by page instead of
    reading every live story on every visit.
    """

    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="+")
    problems = models.JSONField(default=list)
    found_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page__title", "page_id"]

    def __str__(self) -> str:
        return "; ".join(self.problems)


@register_setting(icon="group")
class MembershipSettings(BaseSiteSetting):
    """How a company becomes a member, as editors word it: the one public text of this app.

    The membership page, the sign-in form and the page a signed-in non-member sees
    all read it, so the contact is changed in one place. It describes membership in
    general and never lists or counts members-only stories.
    """

    contact_email = models.EmailField(
        blank=True,
        help_text="Where companies write to join or to have an account added to their company.",
    )
    what_members_get = RichTextField(
        features=["bold", "italic", "ul", "ol", "link"],
        blank=True,
        help_text="Shown on the membership page. Do not name or count members-only stories.",
    )
    how_to_join = RichTextField(
        features=["bold", "italic", "ul", "ol", "link"],
        blank=True,
        help_text="Shown on the membership page, after what members get.",
    )

    panels = [
        FieldPanel("contact_email"),
        FieldPanel("what_members_get"),
        FieldPanel("how_to_join"),
    ]

    class Meta:
        verbose_name = "membership"
