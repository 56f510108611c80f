"""Stories side by side: which ones a ``?story=<id>&story=<id>`` address asks for, and what
each column shows.

An id the visitor may not see (unknown, unpublished, members-only for an outsider) gets
the same message as one that never existed, so the page cannot be used to probe for
members-only stories; the others are still compared when at least two remain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from casestudies.blocks import COST_BANDS
from casestudies.models import (
    SIZE_BANDS,
    VERIFICATION_LEVELS,
    BrightSpotPage,
    CaseStudyPage,
    InterventionType,
    MetricResult,
    StoryPage,
    SupplyChainStage,
)

from .durations import Duration, describe_duration, parse_duration

FEWEST, MOST = 2, 4
MAX_DIGITS = 9  # a page id; longer numbers cannot name one (and overflow the database)
COST_LABELS = dict(COST_BANDS)
SIZE_LABELS = dict(SIZE_BANDS)


@dataclass
class Selection:
    """The stories to compare, in the order asked, and what was wrong with the request."""

    stories: list[StoryPage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    asked: bool = False  # any ``story`` parameter at all
    first_ones: list[int] = field(default_factory=list)  # when too many: the first MOST

    @property
    def comparable(self) -> bool:
        return FEWEST <= len(self.stories) <= MOST


def select_stories(values: list[str], user) -> Selection:
    """The stories ``values`` (the ``story`` parameters) name that ``user`` may see."""
    selection = Selection(asked=bool(values))
    ids: list[int] = []
    for raw in values:
        value = raw.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS):
            selection.problems.append(f"“{value[:40]}” is not a story number.")
        elif int(value) not in ids:
            ids.append(int(value))
    if len(ids) > MOST:
        selection.problems.append(
            f"You picked {len(ids)} stories; at most {MOST} fit side by side. "
            "Compare the first four, or pick again."
        )
        selection.first_ones = ids[:MOST]
        return selection
    found = {story.pk: story for story in _visible_stories(ids, user)}
    for pk in ids:
        if pk in found:
            selection.stories.append(found[pk])
        else:
            selection.problems.append(f"No published story has the number {pk}.")
    if values and len(selection.stories) < FEWEST:
        selection.problems.append(f"Pick at least {FEWEST} stories to compare.")
    return selection


def _visible_stories(ids: list[int], user) -> list[StoryPage]:
    if not ids:
        return []
    ordered = [
        Prefetch("intervention_types", queryset=InterventionType.objects.order_by("name")),
        Prefetch("stages", queryset=SupplyChainStage.objects.order_by("position", "name")),
    ]
    case_studies = (
        CaseStudyPage.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("industry", "region")
        .prefetch_related(
            *ordered, Prefetch("results", queryset=MetricResult.objects.select_related("metric"))
        )
    )
    bright_spots = (
        BrightSpotPage.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("industry", "region", "metric")
        .prefetch_related(*ordered)
    )
    return [*case_studies, *bright_spots]


@dataclass
class StepColumn:
    heading: str
    kind: str
    who: str
    duration: str
    cost: str


@dataclass
class Column:
    """What one story's column shows, top to bottom."""

    story: StoryPage
    size: str
    years: str
    steps: list[StepColumn]
    total_duration: Duration | None
    costs: list[tuple[str, int]]  # (cost band label, steps)
    results: list  # MetricResult rows, or a bright spot's headline as one row

    @property
    def is_case_study(self) -> bool:
        return isinstance(self.story, CaseStudyPage)


@dataclass
class Headline:
    """A bright spot's headline metric, shaped like a result row for the results cell."""

    metric: object
    shown_result: Decimal
    unit: str
    verification: str
    shown_period: str = ""
    shown_baseline: None = None
    shown_change: None = None

    def get_verification_display(self) -> str:
        return dict(VERIFICATION_LEVELS).get(self.verification, self.verification)


def column(story: StoryPage) -> Column:
    steps: list[StepColumn] = []
    results: list = []
    days = []
    if isinstance(story, CaseStudyPage):
        for block in story.steps:
            value = block.value
            kind = value.get("kind")
            steps.append(
                StepColumn(
                    heading=value.get("heading") or "",
                    kind=getattr(kind, "name", ""),
                    who=value.get("who_was_involved") or "",
                    duration=value.get("duration") or "",
                    cost=COST_LABELS.get(value.get("cost_band") or "", ""),
                )
            )
            if (d := parse_duration(value.get("duration"))) is not None:
                days.append(d)
        results = list(story.results.all())
    else:
        results = [
            Headline(
                metric=story.metric,
                shown_result=story.shown_metric_value,
                unit=story.metric_unit,
                verification=story.verification,
            )
        ]
    costs: dict[str, int] = {}
    for step in steps:
        if step.cost:
            costs[step.cost] = costs.get(step.cost, 0) + 1
    ordered_costs = [(label, costs[label]) for _, label in COST_BANDS if label in costs]
    first, last = story.year_started, story.year_ended
    years = f"{first}–{last or 'ongoing'}" if last != first else f"{first}"
    return Column(
        story=story,
        size=SIZE_LABELS.get(story.size_band, ""),
        years=years,
        steps=steps,
        total_duration=describe_duration(sum(days)) if days else None,
        costs=ordered_costs,
        results=results,
    )
