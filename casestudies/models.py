"""Page types and shared vocabularies of the portal.

Case studies ("here's how") and bright spots share one set of tags so that
search, feeds, the API and the impact dashboard can filter both the same way.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst, slugify
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, PageQuerySet, PageViewRestriction, Site
from wagtail.snippets.models import register_snippet
from wagtail.url_routing import RouteResult

from .blocks import ResourcesBlock, StepsBlock
from .figures import (
    MONTHS,
    PERIOD_DETAILS,
    PRECISIONS,
    ROUNDED,
    YEARS,
    Band,
    publish_number,
    published_change,
)
from .listing import listing_page
from .publication import may_publish
from .serving import kept_for_version, kept_page

SIZE_BANDS = [
    ("small", "Small (under 250 employees)"),
    ("medium", "Medium (250 – 4,999 employees)"),
    ("large", "Large (5,000 – 49,999 employees)"),
    ("very-large", "Very large (50,000+ employees)"),
]

VERIFICATION_LEVELS = [
    ("self-reported", "Self-reported"),
    ("second-party", "Second-party verified"),
    ("independently-audited", "Independently audited"),
]


# --- Taxonomies -----------------------------------------------------------


class VocabularyQuerySet(models.QuerySet):
    """Vocabulary entries and who may see them.

    An entry's name can itself give a contributor away (an industry named after the
    company): the anonymity guard refuses a story that uses it, but the entry would
    still show wherever vocabularies are listed. So a public surface lists or names an
    entry only when a story its reader may open uses it.
    """

    def visible_to(self, user) -> VocabularyQuerySet:
        """Entries used by at least one story ``StoryQuerySet.visible_to(user)`` shows.

        One query: an EXISTS per kind of story, each with the audience rule inside.
        """
        used = models.Q(pk__in=[])
        for story_model in STORY_MODELS:
            stories = self.model.used_by(story_model.objects.visible_to(user))
            if stories is not None:
                used |= models.Q(models.Exists(stories))
        return self.filter(used)


class Taxonomy(models.Model):
    """A shared vocabulary term; its slug is part of the public URL contract."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    objects = VocabularyQuerySet.as_manager()

    # The story field that holds the entry (see ``VocabularyQuerySet.visible_to``).
    story_field: str

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    @classmethod
    def used_by(cls, stories: StoryQuerySet) -> StoryQuerySet | None:
        """Those of ``stories`` that use the entry of the outer query (None: no story can)."""
        return stories.filter(**{cls.story_field: models.OuterRef("pk")})


@register_snippet
class Industry(Taxonomy):
    story_field = "industry"

    class Meta(Taxonomy.Meta):
        verbose_name_plural = "industries"


# KnowTheChain's benchmark themes: partners who benchmark companies on them can read
# each practice in their own terms.
KNOWTHECHAIN_THEMES = [
    ("commitment-and-governance", "Commitment and governance"),
    ("traceability-and-risk-assessment", "Traceability and risk assessment"),
    ("purchasing-practices", "Purchasing practices"),
    ("recruitment", "Recruitment"),
    ("worker-voice", "Worker voice"),
    ("monitoring", "Monitoring"),
    ("remedy", "Remedy"),
]


@register_snippet
class InterventionType(Taxonomy):
    """A practice companies use, e.g. ending recruitment fees (employer pays)."""

    story_field = "intervention_types"
    knowthechain_theme = models.CharField(
        "KnowTheChain theme",
        max_length=40,
        choices=KNOWTHECHAIN_THEMES,
        blank=True,
        help_text="The KnowTheChain benchmark theme this practice answers.",
    )

    panels = Taxonomy.panels + [FieldPanel("knowthechain_theme")]


@register_snippet
class SupplyChainStage(Taxonomy):
    story_field = "stages"
    position = models.PositiveSmallIntegerField(default=0, help_text="Order from source to shelf.")

    panels = Taxonomy.panels + [FieldPanel("position")]

    class Meta(Taxonomy.Meta):
        ordering = ["position", "name"]


@register_snippet
class Region(Taxonomy):
    story_field = "region"


@register_snippet
class StepKind(Taxonomy):
    """What a step does (map recruitment channels, repay fees, ...): steps written in each
    case study's own words become comparable, so playbooks can line peers' steps up."""

    # Derived from the live steps (``CaseStudyPage.step_kinds``), never from a draft.
    story_field = "step_kinds"

    @classmethod
    def used_by(cls, stories: StoryQuerySet) -> StoryQuerySet | None:
        if stories.model is not CaseStudyPage:
            return None  # bright spots tell no steps
        return super().used_by(stories)


class ForcedLabourIndicator(Taxonomy):
    """One of the ILO's 11 indicators of forced labour: the risks a story addressed, in the
    terms auditors and partners already use. A fixed list (loaded by a migration), not a
    snippet: a new term would stop being the ILO's."""

    story_field = "risks_addressed"


@register_snippet
class MetricDefinition(models.Model):
    """A human-rights impact metric, defined once and reported by many stories."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    unit = models.CharField(
        max_length=40, help_text="The unit every result must use, e.g. 'USD', 'workers', '%'."
    )
    counts = models.TextField("What it counts")
    higher_is_better = models.BooleanField(default=True)
    framework = models.CharField(
        "Framework alignment",
        max_length=200,
        blank=True,
        help_text="For example 'GRI 409-1' or 'ILO forced labour indicator: debt bondage'.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("higher_is_better")]),
        FieldPanel("counts"),
        FieldPanel("framework"),
    ]

    objects = VocabularyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    @classmethod
    def used_by(cls, stories: StoryQuerySet) -> StoryQuerySet | None:
        """See ``Taxonomy.used_by``: a case study reports metrics in its results; a bright
        spot headlines one."""
        field = "results__metric" if stories.model is CaseStudyPage else "metric"
        return stories.filter(**{field: models.OuterRef("pk")})


# --- Audience -------------------------------------------------------------


class StoryQuerySet(PageQuerySet):
    def visible_to(self, user) -> StoryQuerySet:
        """The one audience rule: live pages, members-only ones only for members.

        Members-only content is marked with Wagtail page privacy (a view restriction on
        the page or an ancestor): see ``exclude_members_only``.
        """
        qs = self.live()
        if user is not None and user.is_authenticated and is_member(user):
            return qs
        return exclude_members_only(qs)


# Wagtail writes a page's tree path as its ancestors' paths followed by its own step
# (``Page.steplen`` characters), so the ancestor at depth d holds the first d steps of
# its descendants' paths. Stories sit at depth 4 (root, home, listing, story: their
# ``parent_page_types``); a page deeper than this counts as members-only whatever its
# restrictions, so an unexpected tree fails closed.
AUDIENCE_DEPTH = 4


def exclude_members_only(pages: models.QuerySet) -> models.QuerySet:
    """``pages`` less those a view restriction covers (on the page or an ancestor).

    One anti-join per depth: no restriction on the page whose path is the first d steps
    of this one's. The database builds each from the restrictions once and looks every
    page up in it, in the same query as the listing: nothing is read beforehand or kept,
    so a restriction hides its pages from the next query, in every process. (Comparing
    each page's path with each restricted page's path, as a prefix as long as that
    path, is the same rule but no index answers it: the database pairs every story with
    every restriction, seconds at 30,000 stories and a few hundred restrictions.)
    """
    return pages.filter(Unrestricted())


class Unrestricted(models.Expression):
    """The condition ``exclude_members_only`` keeps pages by, written once as SQL: built
    from Django expressions (four ``Exists``) it cost more than the rest of a listing's
    query to compile, on every request. Each ``NOT EXISTS`` stands on its own in the
    ``AND``, where PostgreSQL makes it an anti-join (not under one ``NOT``, where it
    would run it per page)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, path="path"):
        super().__init__()
        self.path = models.F(path) if isinstance(path, str) else path

    def get_source_expressions(self):
        return [self.path]

    def set_source_expressions(self, exprs):
        (self.path,) = exprs

    def as_sql(self, compiler, connection):
        path, params = compiler.compile(self.path)
        restriction, page = PageViewRestriction._meta.db_table, Page._meta.db_table
        uncovered = [f"LENGTH({path}) <= {AUDIENCE_DEPTH * Page.steplen}"] + [
            f"NOT EXISTS (SELECT 1 FROM {restriction} audience_r INNER JOIN {page} audience_p"
            f" ON audience_p.id = audience_r.page_id"
            f" WHERE audience_p.path = SUBSTR({path}, 1, {depth * Page.steplen}))"
            for depth in range(1, AUDIENCE_DEPTH + 1)
        ]
        return f"({' AND '.join(uncovered)})", tuple(params) * len(uncovered)


def restricted_paths() -> list[str]:
    """Tree paths of the pages under a view restriction, read now: they and every page
    below them are for members only (see ``is_covered``)."""
    return list(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())


def is_covered(path: str, paths: list[str]) -> bool:
    """``exclude_members_only`` for one page's ``path``, in Python, against
    ``restricted_paths()`` read once (the search index decides each document's audience
    this way)."""
    if len(path) > AUDIENCE_DEPTH * Page.steplen:
        return True
    return any(path.startswith(restricted) for restricted in paths)


StoryManager = PageManager.from_queryset(StoryQuerySet)


def is_member(user) -> bool:
    """Members are signed-in users in a member-company group, or superusers.

    The same people Wagtail's page privacy admits to a members-only page (a group
    restriction passes superusers and the groups' members): an editor who is staff
    but in no member group is not listed what serving would answer with 404.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__startswith=MEMBER_GROUP_PREFIX).exists()


MEMBER_GROUP_PREFIX = "Member: "

# A story's citation downloads live at ``<story URL>cite/?format=…`` (docs/contract.md).
CITE_PATH = "cite"


@functools.cache
def _restrictions_sql(paths: int) -> str:
    """The view restrictions on the pages at ``paths`` (a page and its ancestors), an alias
    answering with its source's (``StoryPage.get_view_restrictions``)."""
    from wagtail.models import PageViewRestriction

    restriction, page = PageViewRestriction._meta, Page._meta
    return (
        f"SELECT * FROM {restriction.db_table} WHERE page_id IN ("
        f"SELECT COALESCE(alias_of_id, id) FROM {page.db_table} "
        f"WHERE path IN ({', '.join(['%s'] * paths)}))"
    )


# --- Stories --------------------------------------------------------------


class StoryPage(Page):
    """Fields and tags case studies and bright spots share (abstract)."""

    # The value of the public ``type`` parameter (docs/contract.md) and of the index's
    # ``type`` field; its label is the model's verbose name (see ``STORY_TYPES``).
    story_type: str

    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="+")
    intervention_types = ParentalManyToManyField(InterventionType, related_name="+")
    stages = ParentalManyToManyField(
        SupplyChainStage, related_name="+", verbose_name="supply-chain stages"
    )
    risks_addressed = ParentalManyToManyField(
        ForcedLabourIndicator,
        related_name="+",
        blank=True,
        verbose_name="risks addressed",
        help_text="The ILO indicators of forced labour this work addressed.",
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    size_band = models.CharField("company size", max_length=20, choices=SIZE_BANDS)
    year_started = models.PositiveSmallIntegerField()
    year_ended = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty if the work is ongoing."
    )
    hero_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_alt = models.CharField(
        "hero image alt text", max_length=250, blank=True, help_text="Describe the picture."
    )

    # Private: never rendered, indexed or exposed. The anonymity guard reads them.
    contributing_company = models.CharField(
        max_length=200, blank=True, help_text="Confidential. Never shown publicly."
    )
    confidential_terms = models.TextField(
        blank=True,
        help_text="Confidential. One per line: suppliers, brands, sites, people named in the "
        "source material. Publishing is refused while any appears in a public field.",
    )
    attribution_consent = models.BooleanField(
        default=False,
        help_text="The company gave recorded consent to be named. Only its own name may appear.",
    )
    attribution_consent_record = models.CharField(
        max_length=255, blank=True, help_text="Where the consent is recorded (who, when)."
    )
    reidentification_override = models.TextField(
        blank=True,
        help_text="Why publishing is acceptable although few registered companies share these "
        "public attributes.",
    )

    objects = StoryManager()

    # What the story's own page shows: its row's relations, loaded with it by routing
    # (see ChildRoutingInOneQuery), and its tags (and results), loaded only when the page's
    # parts are rendered rather than served from the cache (see ``load_shown_relations``).
    page_select_related = ["industry", "region", "hero_image"]
    page_prefetch_related: list = ["intervention_types", "stages", "risks_addressed"]
    # What a card in a listing shows.
    card_select_related = ["industry", "region", "hero_image"]

    tag_panels = [
        FieldPanel("industry"),
        FieldPanel("intervention_types", widget=forms.CheckboxSelectMultiple),
        FieldPanel("stages", widget=forms.CheckboxSelectMultiple),
        FieldPanel("risks_addressed", widget=forms.CheckboxSelectMultiple),
        FieldPanel("region"),
        FieldPanel("size_band"),
        FieldRowPanel([FieldPanel("year_started"), FieldPanel("year_ended")]),
    ]
    confidential_panels = [
        FieldPanel("contributing_company"),
        FieldPanel("confidential_terms"),
        MultiFieldPanel(
            [FieldPanel("attribution_consent"), FieldPanel("attribution_consent_record")],
            heading="Attribution",
        ),
        FieldPanel("reidentification_override"),
    ]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.year_ended and self.year_started and self.year_ended < self.year_started:
            raise ValidationError({"year_ended": "The work cannot end before it started."})

    @property
    def years(self) -> list[int]:
        last = self.year_ended or self.year_started
        return list(range(self.year_started, max(last, self.year_started) + 1))

    @property
    def story_type_label(self) -> str:
        return STORY_TYPES[self.story_type]

    def confidential_term_list(self) -> list[str]:
        terms = [t.strip() for t in self.confidential_terms.splitlines() if t.strip()]
        if self.contributing_company.strip():
            terms.insert(0, self.contributing_company.strip())
        return terms

    def publish(self, revision, *args, **kwargs):
        # Workflow approval, bulk actions, publish_scheduled and code all pass here:
        # the checks registered in casestudies.publication (the anonymity guard)
        # may refuse, and with none registered nothing is published.
        user = kwargs.get("user", args[0] if args else None)
        if not may_publish(revision, user=user, log_action=kwargs.get("log_action")):
            return None
        return super().publish(revision, *args, **kwargs)

    def get_meta_description(self) -> str:
        return self.search_description or self.summary_text()[:300]

    def get_url_parts(self, request=None):
        """Kept on the instance for the request (and while the page stays where it is): a
        story's page writes its own address a dozen times (canonical link, share panel,
        JSON-LD, citation), each a URL reversal otherwise."""
        memo = self.__dict__.setdefault("_url_parts_memo", {})
        key = (id(request), self.url_path)
        if key not in memo:
            if request is not None and not hasattr(request, "_wagtail_cached_site_root_paths"):
                # Where Wagtail keeps the sites' root paths for a request (else one cache
                # round trip per request): held while the content version holds, which
                # every site change and every move or publish of a page moves on.
                request._wagtail_cached_site_root_paths = kept_for_version(
                    request, "site-root-paths", Site.get_site_root_paths
                )
            memo[key] = (request, super().get_url_parts(request=request))
        return memo[key][1]

    def get_view_restrictions(self):
        """Kept on the instance: serving a page checks them, then its share panel asks again.

        One query where Wagtail's takes two (the ancestors, then their restrictions): the
        ancestors' paths are prefixes of the page's own, and a page that is an alias answers
        with its source's restrictions, as in Wagtail. Every uncached story view asks, and
        most stories have none: the statement is written once (``_restrictions_sql``)
        rather than built by the ORM each time, which cost more than running it.
        """
        if getattr(self, "_view_restrictions", None) is None:
            from wagtail.models import PageViewRestriction

            steplen = self.steplen
            paths = [self.path[:end] for end in range(steplen, len(self.path) + 1, steplen)]
            found = list(PageViewRestriction.objects.raw(_restrictions_sql(len(paths)), paths))
            restrictions = PageViewRestriction.objects.filter(pk__in=[r.pk for r in found])
            # Already loaded: iterating or ``exists()`` asks the database nothing more.
            restrictions._result_cache = found
            self._view_restrictions = restrictions
        return self._view_restrictions

    def is_public(self) -> bool:
        """Anyone may see it: live, and no view restriction on it or above it (the same rule
        as ``StoryQuerySet.visible_to`` for an anonymous visitor)."""
        return bool(self.pk and self.live) and not list(self.get_view_restrictions())

    def summary_text(self) -> str:
        raise NotImplementedError

    def load_shown_relations(self) -> None:
        """Load the tags (and results) this story's page shows: one query per relation, once.

        Routing loads the story's row alone, so a page whose parts come from the cache
        (``public_part`` in story_tags) asks for none of these; the first part rendered loads them
        all, and the parts after it (the share panel, related practices) ask nothing more.
        What a preview holds in memory is left as it is.
        """
        loaded = {
            *getattr(self, "_prefetched_objects_cache", {}),
            *getattr(self, "_cluster_related_objects", {}),
        }
        missing = [
            lookup
            for lookup in self.page_prefetch_related
            if (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup) not in loaded
        ]
        if self.pk and missing:
            prefetch_related_objects([self], *missing)

    def route(self, request, path_components):
        # ``<story URL>cite/`` (casestudies.citation) resolves to the story itself, so
        # Wagtail's serve view applies the story's own privacy: it answers as the story does.
        if path_components == [CITE_PATH] and self.live:
            return RouteResult(self, kwargs={"cite": True})
        return super().route(request, path_components)

    def serve(self, request, *args, cite: bool = False, **kwargs):
        if cite:
            from .citation import citation_response

            return citation_response(self, request)
        return super().serve(request, *args, **kwargs)


def story_edit_handler(content_panels: list, *tabs: ObjectList) -> TabbedInterface:
    """The editor's tabs of every story type: its content and what the type adds, then the
    tags, the confidential details (which never reach a public surface), promote, settings."""
    return TabbedInterface(
        [
            ObjectList(content_panels, heading="Story"),
            *tabs,
            ObjectList(StoryPage.tag_panels, heading="Tags"),
            ObjectList(StoryPage.confidential_panels, heading="Confidential"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )


class MetricResult(Orderable):
    """A measured result of a case study, in the unit its metric defines."""

    page = ParentalKey("casestudies.CaseStudyPage", related_name="results")
    metric = models.ForeignKey(MetricDefinition, on_delete=models.PROTECT, related_name="results")
    baseline = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    result = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True, help_text="Must be the metric's unit.")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    verification = models.CharField(
        max_length=30, choices=VERIFICATION_LEVELS, default="self-reported"
    )
    note = models.CharField(max_length=300, blank=True, help_text="Public note on the figure.")
    precision = models.CharField(
        "published precision",
        max_length=10,
        choices=PRECISIONS,
        default=ROUNDED,
        help_text="How precisely baseline and result are shown. Every total on the portal is "
        "computed from the shown values, so nobody can subtract their way to the exact figure.",
    )
    period_detail = models.CharField(
        "period shown as",
        max_length=10,
        choices=PERIOD_DETAILS,
        default=YEARS,
        help_text="Exact months are easy to match against a company's own reports.",
    )

    panels = [
        FieldPanel("metric"),
        FieldRowPanel([FieldPanel("baseline"), FieldPanel("result"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
        FieldRowPanel([FieldPanel("precision"), FieldPanel("period_detail")]),
        FieldPanel("verification"),
        FieldPanel("note"),
    ]

    def clean(self):
        super().clean()
        errors = {}
        if self.result is None:
            errors["result"] = "Enter the measured result."
        metric = self.metric if self.metric_id else None
        if metric and self.unit.strip() != metric.unit:
            errors["unit"] = (
                f"'{metric.name}' is measured in {metric.unit}; "
                f"enter the result in {metric.unit}, not '{self.unit or 'no unit'}'."
            )
        if not self.period_start or not self.period_end:
            errors["period_end"] = "Enter the period the result covers (start and end)."
        elif self.period_end < self.period_start:
            errors["period_end"] = "The period cannot end before it starts."
        if errors:
            raise ValidationError(errors)

    @property
    def change(self) -> Decimal | None:
        """The exact change: for the guard and editors, never for a public page."""
        if self.baseline is None or self.result is None:
            return None
        return self.result - self.baseline

    # What public surfaces show: the figures at their published precision.

    @property
    def shown_baseline(self) -> Decimal | Band | None:
        return publish_number(self.baseline, self.precision)

    @property
    def shown_result(self) -> Decimal | Band | None:
        return publish_number(self.result, self.precision)

    @property
    def shown_change(self) -> Decimal | Band | None:
        """Shown result minus shown baseline, so the three shown numbers agree; a range
        has no single change."""
        return published_change(self.baseline, self.result, self.precision)

    @property
    def shown_period(self) -> str:
        if not self.period_start or not self.period_end:
            return ""
        if self.period_detail == MONTHS:
            return f"{self.period_start:%b %Y} – {self.period_end:%b %Y}"
        first, last = self.period_start.year, self.period_end.year
        return str(first) if first == last else f"{first}–{last}"

    @property
    def shown_period_bounds(self) -> tuple[str, str]:
        """Period start and end as open data writes them: ISO dates, or years."""
        if not self.period_start or not self.period_end:
            return "", ""
        if self.period_detail == MONTHS:
            return f"{self.period_start:%Y-%m}", f"{self.period_end:%Y-%m}"
        return str(self.period_start.year), str(self.period_end.year)


class CaseStudyPage(StoryPage):
    """The "here's how": challenge, steps, cost, what failed, measured results."""

    story_type = "case-study"

    summary = models.TextField(max_length=600, help_text="Two or three sentences for cards.")
    challenge = RichTextField(features=["bold", "italic", "ol", "ul", "link"])
    steps = StreamField(StepsBlock(), help_text="The steps taken, in order.")
    what_did_not_work = RichTextField(features=["bold", "italic", "ol", "ul", "link"], blank=True)
    lessons = RichTextField(features=["bold", "italic", "ol", "ul", "link"], blank=True)
    resources = StreamField(ResourcesBlock(), blank=True)
    featured = models.BooleanField(default=False, help_text="Lead with it on the home page.")
    # The kinds the live steps take, kept by ``save`` so that the step facet, its labels and
    # "is this kind in use" are plain lookups like every other tag. A kind is chosen inside
    # the steps StreamField, which no query reaches; Wagtail's reference index would do,
    # but it is written later by a task worker, after the publish has moved the cached
    # labels on, so a kind a story just dropped could stay listed for outsiders.
    step_kinds = ParentalManyToManyField(StepKind, related_name="+", blank=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="Hero image"),
        FieldPanel("challenge"),
        FieldPanel("steps"),
        FieldPanel("what_did_not_work"),
        FieldPanel("lessons"),
        FieldPanel("resources"),
        FieldPanel("featured"),
    ]
    results_panels = [InlinePanel("results", label="Result", heading="Measured results")]

    edit_handler = story_edit_handler(content_panels, ObjectList(results_panels, heading="Results"))

    parent_page_types = ["casestudies.CaseStudyIndexPage"]
    subpage_types: list[str] = []

    page_prefetch_related = StoryPage.page_prefetch_related + [
        Prefetch("results", queryset=MetricResult.objects.select_related("metric"))
    ]

    class Meta:
        verbose_name = "case study"

    def summary_text(self) -> str:
        return self.summary

    def save(self, *args, **kwargs):
        # Only a save of the whole page writes its content (a publish, a new page, a copy);
        # a draft revision saves a few columns (``update_fields``) and must not count.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "steps" in update_fields:
            self.step_kinds = self.kinds_in_steps()
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "step_kinds"]
        return super().save(*args, **kwargs)

    def save_revision(self, *args, **kwargs):
        # A revision holds its own steps' kinds (in memory only until published): whoever
        # reads a revision whole, like the anonymity guard, sees the kinds it would publish.
        self.step_kinds = self.kinds_in_steps()
        return super().save_revision(*args, **kwargs)

    def kinds_in_steps(self) -> list[StepKind]:
        """The step kinds of ``steps``, each once, in the order the steps take them."""
        ids: list[int] = []
        for item in self.steps.raw_data:
            kind = (item.get("value") or {}).get("kind") if item.get("type") == "step" else None
            if kind and kind not in ids:
                ids.append(kind)
        found = StepKind.objects.in_bulk(ids) if ids else {}
        return [found[pk] for pk in ids if pk in found]

    def results_with_metrics(self):
        """Measured results with their metric, loaded once with the tags the page shows."""
        self.load_shown_relations()
        return self.results.all()


class BrightSpotPage(StoryPage):
    """A five-second success: one headline, a few sentences, one metric."""

    story_type = "bright-spot"

    body = models.TextField(max_length=500, help_text="Two or three sentences.")
    metric = models.ForeignKey(
        MetricDefinition, on_delete=models.PROTECT, related_name="bright_spots"
    )
    metric_value = models.DecimalField(max_digits=16, decimal_places=2)
    metric_unit = models.CharField(max_length=40, help_text="Must be the metric's unit.")
    metric_precision = models.CharField(
        "published precision",
        max_length=10,
        choices=PRECISIONS,
        default=ROUNDED,
        help_text="How precisely the figure is shown: an exact figure is easy to match against "
        "a company's own reports.",
    )
    verification = models.CharField(
        max_length=30, choices=VERIFICATION_LEVELS, default="self-reported"
    )
    case_study = models.ForeignKey(
        "casestudies.CaseStudyPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bright_spots",
        help_text="The full story, if there is one.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("metric"),
                FieldRowPanel(
                    [
                        FieldPanel("metric_value"),
                        FieldPanel("metric_unit"),
                        FieldPanel("metric_precision"),
                    ]
                ),
                FieldPanel("verification"),
            ],
            heading="Headline metric",
        ),
        FieldPanel("case_study"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="Image"),
    ]
    edit_handler = story_edit_handler(content_panels)

    parent_page_types = ["casestudies.BrightSpotIndexPage"]
    subpage_types: list[str] = []

    page_select_related = StoryPage.page_select_related + ["metric", "case_study"]
    card_select_related = StoryPage.card_select_related + ["metric"]

    class Meta:
        verbose_name = "bright spot"

    def clean(self):
        super().clean()
        if self.metric_id and self.metric_unit.strip() != self.metric.unit:
            raise ValidationError(
                {
                    "metric_unit": f"'{self.metric.name}' is measured in {self.metric.unit}; "
                    f"enter the value in {self.metric.unit}."
                }
            )

    @property
    def shown_metric_value(self) -> Decimal | Band:
        """The headline figure as the public may see it (see ``casestudies.figures``)."""
        return publish_number(self.metric_value, self.metric_precision)

    def summary_text(self) -> str:
        return self.body

    def full_story_for(self, user) -> CaseStudyPage | None:
        """The linked case study if this reader may open it: a public page never links to a
        members-only one (its address and title would tell outsiders it exists)."""
        story = self.case_study
        if story is None or not story.live:
            return None
        if user is not None and is_member(user):
            return story
        return story if story.is_public() else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Looked up only if the page asks: the link is kept with the page's parts for the
        # public audience, and checking who may follow it costs a query.
        user = getattr(request, "user", None)
        context["full_story"] = SimpleLazyObject(lambda: self.full_story_for(user))
        return context


# Every kind of story, and what each is called: the search facet, the API, feeds, embeds
# and cards all read these, so a new kind of story is added here once.
STORY_MODELS: tuple[type[StoryPage], ...] = (CaseStudyPage, BrightSpotPage)

# The shared vocabularies a story shows by name: a rename reaches every page, index
# entry and cached answer that shows it (search, perf and the anonymity re-check read this).
VOCABULARY_MODELS: tuple[type[models.Model], ...] = (
    Industry,
    InterventionType,
    SupplyChainStage,
    Region,
    MetricDefinition,
    StepKind,
    ForcedLabourIndicator,
)
STORY_TYPES: dict[str, str] = {
    model.story_type: capfirst(model._meta.verbose_name) for model in STORY_MODELS
}


# --- Listing pages --------------------------------------------------------


class ChildRoutingInOneQuery:
    """Route to a child page in one query for its specific row and the rows it shows.

    Wagtail's own routing loads a child's base row, then its specific row, then
    each relation the template touches: a case study page took 19 queries instead
    of 11 (tests/perf/test_query_budget.py holds it to 12). Here each allowed child
    type is asked for the slug in turn, with its ``page_select_related``, so a new
    child type takes the same path; a child of a type no longer allowed is still
    routed the Wagtail way. A grandchild (a story under its listing, seen from the
    home page) is found by its URL path in the same single query, so the listing
    page in between is not loaded to serve a story. Its many-to-many tags and
    results are left for when its page is rendered rather than served from cached
    parts (``load_shown_relations``).
    """

    # (this page's id, a child's slug) → the type of the last page found below that child.
    _grandchild_types: dict[tuple[int, str], type[Page]] = {}

    def route(self, request, path_components):
        if len(path_components) >= 2:
            grandchild = self._grandchild(request, *path_components[:2])
            if grandchild is not None:
                return grandchild.route(request, path_components[2:])
        if path_components:
            slug, remaining = path_components[0], path_components[1:]
            for model in type(self).allowed_subpage_models():
                # ``get`` rather than ``first``: no ORDER BY to build (slugs are unique
                # among siblings), which is most of what the query costs in Python.
                try:
                    child = (
                        model.objects.child_of(self)
                        .select_related(*getattr(model, "page_select_related", ()))
                        .get(slug=slug)
                    )
                except model.DoesNotExist:
                    continue
                return child.route(request, remaining)
        return super().route(request, path_components)

    def _grandchild(self, request, child_slug: str, slug: str) -> Page | None:
        """The page at ``<child_slug>/<slug>/`` below this one, if its types allow it there:
        a public story kept between requests while content stays as it was
        (``casestudies.serving``), otherwise read from the database."""
        url_path = f"{self.url_path}{child_slug}/{slug}/"
        return kept_page(request, url_path, lambda: self._find_grandchild(child_slug, slug))

    def _find_grandchild(self, child_slug: str, slug: str) -> Page | None:
        """Wagtail keeps every page's ``url_path`` (its ancestors' slugs) up to date, so
        the slugs of both levels are matched in one query; the path starts with this
        page's own, so no tree condition is needed besides it (building one costs as much
        as the rest of the query). The type that answered under ``child_slug`` before is
        asked first: a bright spot is not looked for among case studies on every view.
        """
        url_path = f"{self.url_path}{child_slug}/{slug}/"
        models_here = [
            model
            for child_model in type(self).allowed_subpage_models()
            for model in child_model.allowed_subpage_models()
        ]
        hint = self._grandchild_types.get((self.pk, child_slug))
        if hint in models_here:
            models_here.sort(key=lambda model: model is not hint)
        for model in models_here:
            try:
                page = model.objects.select_related(*getattr(model, "page_select_related", ())).get(
                    depth=self.depth + 2, slug=slug, url_path=url_path
                )
            except model.DoesNotExist:
                continue
            self._grandchild_types[(self.pk, child_slug)] = model
            return page
        return None


class StoryIndexPage(ChildRoutingInOneQuery, Page):
    intro = models.TextField(blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    story_model: type[StoryPage]
    per_page = 12

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        stories = (
            self.story_model.objects.child_of(self)
            .visible_to(request.user)
            .select_related(*self.story_model.card_select_related)
        )
        # By keyset, not Paginator: no COUNT(*) or OFFSET that grows with the corpus.
        context["stories"] = listing_page(stories, request.GET, self.per_page)
        return context


class CaseStudyIndexPage(StoryIndexPage):
    story_model = CaseStudyPage
    parent_page_types = ["casestudies.HomePage"]
    subpage_types = ["casestudies.CaseStudyPage"]
    max_count = 1


class BrightSpotIndexPage(StoryIndexPage):
    story_model = BrightSpotPage
    parent_page_types = ["casestudies.HomePage"]
    subpage_types = ["casestudies.BrightSpotPage"]
    max_count = 1


class HomePage(ChildRoutingInOneQuery, Page):
    """Leads with bright spots and featured case studies; starts a search."""

    intro = models.TextField(blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["casestudies.CaseStudyIndexPage", "casestudies.BrightSpotIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["bright_spots"] = (
            BrightSpotPage.objects.visible_to(user)
            .select_related(*BrightSpotPage.card_select_related)
            .order_by("-first_published_at")[:6]
        )
        context["featured"] = (
            CaseStudyPage.objects.visible_to(user)
            .filter(featured=True)
            .select_related("industry", "region", "hero_image")
            .order_by("-first_published_at")[:6]
        )
        context["industries"] = Industry.objects.visible_to(user)
        context["interventions"] = InterventionType.objects.visible_to(user)
        return context
