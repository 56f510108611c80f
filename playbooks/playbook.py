"""A playbook: the case studies of one intervention type (within one industry, optionally)
that the visitor may see, and the pattern across them (see ``aggregates``).

Members-only case studies count only for members: the stories come from
``visible_to``, the one audience rule, so an outsider's playbook is computed as if the
members-only ones did not exist.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils.html import strip_tags
from django.utils.text import Truncator

from casestudies.models import (
    CaseStudyPage,
    ForcedLabourIndicator,
    Industry,
    InterventionType,
    MetricResult,
)

from .aggregates import MetricRange, Quote, StepRecord, StepSummary, metric_ranges, step_sequence


def reidentification_k() -> int:
    return settings.REIDENTIFICATION_K


@dataclass
class Playbook:
    intervention: InterventionType
    industry: Industry | None
    stories: list[CaseStudyPage]
    k: int
    sequence: list[StepSummary] = field(default_factory=list)
    unclassified_steps: int = 0
    did_not_work: list[Quote] = field(default_factory=list)
    results: list[MetricRange] = field(default_factory=list)
    industries: list[tuple[Industry, int]] = field(default_factory=list)
    # (ILO indicator, case studies): the risks these case studies addressed, most often first.
    risks: list[tuple[ForcedLabourIndicator, int]] = field(default_factory=list)
    # The one risk the playbook is narrowed to (?risk=), or None for all.
    risk: ForcedLabourIndicator | None = None

    @property
    def enough(self) -> bool:
        """Enough case studies for any aggregate; otherwise they are only listed."""
        return len(self.stories) >= self.k

    @property
    def stories_by_id(self) -> dict[int, CaseStudyPage]:
        return {story.pk: story for story in self.stories}


def visible_case_studies(
    user,
    intervention: InterventionType,
    industry: Industry | None = None,
    risk: ForcedLabourIndicator | None = None,
):
    stories = CaseStudyPage.objects.visible_to(user).filter(intervention_types=intervention)
    if industry is not None:
        stories = stories.filter(industry=industry)
    if risk is not None:
        stories = stories.filter(risks_addressed=risk)
    return stories


def build_playbook(
    user,
    intervention: InterventionType,
    industry: Industry | None = None,
    risk: ForcedLabourIndicator | None = None,
) -> Playbook:
    stories = list(
        visible_case_studies(user, intervention, industry, risk)
        .select_related("industry", "region", "hero_image")
        .prefetch_related(
            Prefetch("results", queryset=MetricResult.objects.select_related("metric")),
            "risks_addressed",
        )
        .order_by("title", "pk")
    )
    playbook = Playbook(intervention, industry, stories, reidentification_k(), risk=risk)
    if industry is None:
        playbook.industries = industry_playbooks(user, intervention)
    if not playbook.enough:
        return playbook
    records = [record for story in stories for record in step_records(story)]
    playbook.sequence = step_sequence(records, playbook.k)
    playbook.unclassified_steps = sum(1 for r in records if r.kind is None)
    playbook.did_not_work = [
        Quote(excerpt(story.what_did_not_work), story.pk)
        for story in stories
        if excerpt(story.what_did_not_work)
    ]
    playbook.results = metric_ranges(
        (result for story in stories for result in story.results.all()), playbook.k
    )
    playbook.risks = risks_addressed(stories)
    _link_stories(playbook)
    return playbook


def risks_addressed(stories: list[CaseStudyPage]) -> list[tuple[ForcedLabourIndicator, int]]:
    """The ILO forced-labour indicators these case studies addressed, most often first."""
    counts = Counter(risk for story in stories for risk in story.risks_addressed.all())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].name))


def _link_stories(playbook: Playbook) -> None:
    """Hand the aggregates their pages, so each quote and list links to its case study."""
    pages = playbook.stories_by_id
    for part in [*playbook.sequence, *playbook.results]:
        part.stories = [pages[pk] for pk in part.story_ids]
    quotes = playbook.did_not_work + [q for s in playbook.sequence for q in s.pitfalls]
    for quote in quotes:
        quote.story = pages[quote.story_id]


def step_records(story: CaseStudyPage) -> list[StepRecord]:
    """The story's steps as plain records, in the order the story tells them."""
    steps = [block.value for block in story.steps if block.block_type == "step"]
    return [
        StepRecord(
            story_id=story.pk,
            position=position,
            story_steps=len(steps),
            kind=value.get("kind"),
            heading=value.get("heading") or "",
            who=value.get("who_was_involved") or "",
            duration=value.get("duration") or "",
            cost_band=value.get("cost_band") or "",
            pitfalls=value.get("pitfalls") or "",
        )
        for position, value in enumerate(steps)
    ]


def excerpt(rich_text, words: int = 45) -> str:
    """Plain text of a rich-text field, cut at a word, for a quote."""
    text = " ".join(strip_tags(str(rich_text or "")).split())
    return Truncator(text).words(words)


def industry_playbooks(user, intervention: InterventionType) -> list[tuple[Industry, int]]:
    """Industries with enough visible case studies of this intervention for their own playbook."""
    k = reidentification_k()
    counts = Counter(visible_case_studies(user, intervention).values_list("industry", flat=True))
    industries = Industry.objects.filter(pk__in=[pk for pk, n in counts.items() if n >= k])
    return [(industry, counts[industry.pk]) for industry in industries.order_by("name")]


def intervention_index(user) -> list[tuple[InterventionType, int]]:
    """Every intervention type a story the visitor may see uses, with how many case studies
    the visitor may see (a term no such story uses is not listed: its name could give a
    contributor away)."""
    counts = Counter(
        CaseStudyPage.objects.visible_to(user).values_list("intervention_types", flat=True)
    )
    practices = InterventionType.objects.visible_to(user).order_by("name")
    return [(i, counts.get(i.pk, 0)) for i in practices]
