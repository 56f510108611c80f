"""The arithmetic of a playbook, on plain data: which steps peers took, in what order, who
was involved, how long it took, what it cost, what went wrong and what it achieved.

The re-identification rule holds for every figure: an aggregate drawn from fewer than
``k`` case studies (settings.REIDENTIFICATION_K) could be read back to one company, so it
is not computed; the case studies are listed instead, each with its own public page. Every
number comes from what the story pages themselves show (published figures, cost bands,
durations as written), so a playbook never says more about a story than its page does.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from casestudies.blocks import COST_BANDS
from casestudies.figures import Band
from casestudies.models import VERIFICATION_LEVELS

from .durations import Duration, describe_duration, parse_duration

COST_LABELS = dict(COST_BANDS)
VERIFICATION_LABELS = dict(VERIFICATION_LEVELS)
# "Sourcing team and supplier HR managers, an NGO" names three roles.
_ROLE_SEPARATORS = re.compile(r",|;|/|&|\+|\band\b|\bwith\b|\bplus\b", re.IGNORECASE)
ROLES_SHOWN = 5


@dataclass(frozen=True)
class StepRecord:
    """One step of one case study, as its page shows it."""

    story_id: int
    position: int  # 0 for the first step of the story
    story_steps: int  # how many steps the story has
    kind: Any  # the step's StepKind (name, slug), or None when not classified
    heading: str = ""
    who: str = ""
    duration: str = ""
    cost_band: str = ""
    pitfalls: str = ""

    @property
    def relative_position(self) -> float:
        """0 for a story's first step, 1 for its last: stories of any length line up."""
        return self.position / (self.story_steps - 1) if self.story_steps > 1 else 0.0


@dataclass
class DurationRange:
    shortest: Duration
    median: Duration
    longest: Duration
    given: int  # steps whose duration could be read


@dataclass
class Quote:
    text: str
    story_id: int
    story: Any = None  # the page, for a link (filled by the caller)


@dataclass
class StepSummary:
    """One kind of step across the case studies that took it."""

    slug: str
    name: str
    usual_position: float
    story_ids: list[int]
    shown: bool  # enough case studies for the figures below
    roles: list[tuple[str, int]] = field(default_factory=list)
    durations: DurationRange | None = None
    costs: list[tuple[str, int]] = field(default_factory=list)  # (band label, steps)
    cost_not_given: int = 0
    pitfalls: list[Quote] = field(default_factory=list)
    stories: list[Any] = field(default_factory=list)  # the pages, for links (caller fills)

    @property
    def case_studies(self) -> int:
        return len(self.story_ids)


def step_sequence(steps: Iterable[StepRecord], k: int) -> list[StepSummary]:
    """The usual sequence of step kinds, ordered by where they usually come in a story."""
    by_kind: dict[str, list[StepRecord]] = defaultdict(list)
    kinds: dict[str, Any] = {}
    for record in steps:
        if record.kind is None:
            continue
        by_kind[record.kind.slug].append(record)
        kinds[record.kind.slug] = record.kind
    summaries = [_summarize_kind(kinds[slug], records, k) for slug, records in by_kind.items()]
    return sorted(summaries, key=lambda s: (s.usual_position, -s.case_studies, s.name))


def _summarize_kind(kind, records: list[StepRecord], k: int) -> StepSummary:
    story_ids = list(dict.fromkeys(r.story_id for r in records))
    summary = StepSummary(
        slug=kind.slug,
        name=kind.name,
        usual_position=statistics.median(r.relative_position for r in records),
        story_ids=story_ids,
        shown=len(story_ids) >= k,
    )
    if not summary.shown:
        return summary
    summary.roles = usual_roles(records)
    summary.durations = duration_range(r.duration for r in records)
    summary.costs, summary.cost_not_given = cost_spread(r.cost_band for r in records)
    summary.pitfalls = [Quote(text, r.story_id) for r in records if (text := r.pitfalls.strip())]
    return summary


def roles_in(who: str) -> list[str]:
    """The roles named in a "who was involved" text, in the order written."""
    roles = [part.strip(" .\n\t") for part in _ROLE_SEPARATORS.split(who or "")]
    return [role for role in roles if role]


def usual_roles(records: Sequence[StepRecord]) -> list[tuple[str, int]]:
    """Roles by how many case studies involved them in this step, most often first."""
    stories_by_role: dict[str, set[int]] = defaultdict(set)
    spelling: dict[str, str] = {}
    for record in records:
        for role in roles_in(record.who):
            key = role.lower()
            stories_by_role[key].add(record.story_id)
            spelling.setdefault(key, role[0].upper() + role[1:])
    ranked = sorted(stories_by_role.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(spelling[key], len(ids)) for key, ids in ranked[:ROLES_SHOWN]]


def duration_range(texts: Iterable[str]) -> DurationRange | None:
    """Shortest, median and longest of the durations that can be read; None if none can."""
    days = sorted(d for text in texts if (d := parse_duration(text)) is not None)
    if not days:
        return None
    return DurationRange(
        shortest=describe_duration(days[0]),
        median=describe_duration(Decimal(statistics.median(days))),
        longest=describe_duration(days[-1]),
        given=len(days),
    )


def cost_spread(bands: Iterable[str]) -> tuple[list[tuple[str, int]], int]:
    """Steps per cost band, cheapest first (every band listed), and how many gave none."""
    counts = Counter(bands)
    not_given = sum(n for band, n in counts.items() if band not in COST_LABELS)
    return [(label, counts.get(band, 0)) for band, label in COST_BANDS], not_given


# --- Results ---------------------------------------------------------------------


@dataclass
class MetricRange:
    """One metric's results across a playbook's case studies, in the metric's own unit."""

    metric: Any  # MetricDefinition
    story_ids: list[int]
    shown: bool
    result_low: Decimal | None = None
    result_high: Decimal | None = None
    change_low: Decimal | None = None
    change_high: Decimal | None = None
    with_change: int = 0
    verification: list[tuple[str, int]] = field(default_factory=list)
    other_unit: int = 0  # results in another unit: listed on their pages, never counted
    stories: list[Any] = field(default_factory=list)  # the pages, for links (caller fills)

    @property
    def case_studies(self) -> int:
        return len(self.story_ids)


def metric_ranges(results: Iterable[Any], k: int) -> list[MetricRange]:
    """Per metric, the range of published results and changes, with their verification.

    ``results`` are MetricResult rows (or anything with ``page_id``, ``metric``, ``unit``,
    ``shown_result``, ``shown_change`` and ``verification``). A result published as a range
    widens the range by its edges, so the range always holds the true value.
    """
    by_metric: dict[int, list[Any]] = defaultdict(list)
    for result in results:
        by_metric[result.metric.pk].append(result)
    ranges = []
    for rows in by_metric.values():
        metric = rows[0].metric
        counted = [r for r in rows if r.unit.strip() == metric.unit]
        story_ids = list(dict.fromkeys(r.page_id for r in counted))
        summary = MetricRange(
            metric=metric,
            story_ids=story_ids,
            shown=len(story_ids) >= k,
            other_unit=len(rows) - len(counted),
        )
        if summary.shown:
            _fill_range(summary, counted)
        ranges.append(summary)
    return sorted(ranges, key=lambda m: (-m.case_studies, m.metric.name))


def _fill_range(summary: MetricRange, results: list[Any]) -> None:
    lows, highs = [], []
    for value in (r.shown_result for r in results):
        if isinstance(value, Band):
            lows.append(value.low)
            highs.append(value.high)
        elif value is not None:
            lows.append(value)
            highs.append(value)
    changes = [c for r in results if (c := r.shown_change) is not None]
    if lows:
        summary.result_low, summary.result_high = min(lows), max(highs)
    if changes:
        summary.change_low, summary.change_high = min(changes), max(changes)
    summary.with_change = len(changes)
    levels = Counter(r.verification for r in results)
    summary.verification = [
        (label, levels[level]) for level, label in VERIFICATION_LEVELS if levels[level]
    ]
