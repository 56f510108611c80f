"""Portal-wide impact figures: the arithmetic behind metric pages, the dashboard and open data.

Three rules keep the figures honest:

- only results of stories the visitor may see count (``visible_to``, the one audience rule);
- results are grouped by metric, so incompatible units are never added, and a result whose
  unit differs from its metric's unit is listed but never summed;
- a group with fewer than ``MIN_CASE_STUDIES`` case studies shows its count but no total or
  median;
- every figure is computed from the results as published (``MetricResult.shown_*``: rounded,
  a range, or exact, as the editor chose; see ``casestudies.figures``), never from the exact
  numbers, so no difference between two totals (one region selected against all but that
  region, say) says more about a story than its own page does. Ranges are counted, not added.

All arithmetic is Decimal.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import ExtractYear

from casestudies.addresses import canonical_url
from casestudies.figures import figure_data, published_change
from casestudies.models import (
    VERIFICATION_LEVELS,
    CaseStudyPage,
    ForcedLabourIndicator,
    InterventionType,
    MetricDefinition,
    MetricResult,
)
from search.facets import filter_stories

MIN_CASE_STUDIES = 3
# Checked by someone other than the company: what ``?verified=1`` keeps.
VERIFIED_LEVELS = ["second-party", "independently-audited"]
AUDITED = "independently-audited"
VERIFICATION_LABELS = dict(VERIFICATION_LEVELS)
# Percentages of different companies' workforces do not add up to anything.
NON_ADDITIVE_UNITS = {"%", "percent", "per cent"}


# --- Filtering ----------------------------------------------------------------


def included_levels(filters: dict[str, list[str]], verified: bool = False) -> list[str]:
    """The verification levels a figure includes, so the page can say so."""
    levels = [level for level, _ in VERIFICATION_LEVELS]
    if "verification" in filters:
        levels = [level for level in levels if level in filters["verification"]]
    if verified:
        levels = [level for level in levels if level in VERIFIED_LEVELS]
    return levels


def describe_levels(levels: list[str]) -> str:
    labels = [VERIFICATION_LABELS[level].lower() for level in levels]
    if not labels:
        return "no verification level (the filters exclude them all)"
    if len(labels) == 1:
        return f"{labels[0]} results only"
    return f"{', '.join(labels[:-1])} and {labels[-1]} results"


def _results_in_scope(
    user, filters: dict[str, list[str]] | None = None, verified: bool = False
) -> QuerySet[MetricResult]:
    filters = filters or {}
    return MetricResult.objects.filter(
        page__in=_stories_in_scope(user, filters).values("pk"),
        verification__in=included_levels(filters, verified),
    )


def _stories_in_scope(user, filters: dict[str, list[str]]) -> QuerySet[CaseStudyPage]:
    return filter_stories(CaseStudyPage.objects.visible_to(user), filters)


def visible_results(
    user, filters: dict[str, list[str]] | None = None, verified: bool = False
) -> QuerySet[MetricResult]:
    """Results of the case studies ``user`` may see, narrowed by facets and verification,
    with what a table or a download shows of their story."""
    return (
        _results_in_scope(user, filters, verified)
        .select_related("metric", "page__industry", "page__region")
        .prefetch_related(
            Prefetch("page__intervention_types", queryset=InterventionType.objects.order_by("name"))
        )
        .order_by("metric__name", "page__title", "period_end", "pk")
    )


# --- Arithmetic ----------------------------------------------------------------


class Reading(NamedTuple):
    """What the arithmetic needs of one result, read as plain values: a result loaded as a
    model brings its whole story along, and at 30,000 stories building those took longer
    than a worker may answer."""

    metric_id: int
    page_id: int
    unit: str
    change: Decimal | None  # from the published figures (casestudies.figures)
    verification: str
    year: int | None  # a result belongs to the year its period ends in
    industry: tuple[str, str]  # (name, slug)
    interventions: tuple[tuple[str, str], ...]


def readings(
    user,
    filters: dict[str, list[str]] | None = None,
    verified: bool = False,
    metric: MetricDefinition | None = None,
) -> list[Reading]:
    """The results in scope as the arithmetic reads them: two queries whatever their
    number."""
    results = _results_in_scope(user, filters, verified)
    if metric is not None:
        results = results.filter(metric=metric)
    # Tags of every story in scope, read by story: asked "of the stories with results in
    # scope", PostgreSQL ran the audience rule once per tag (0.7 s at 30,000 stories).
    through = CaseStudyPage.intervention_types.through
    tagged: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for page_id, name, slug in through.objects.filter(
        casestudypage_id__in=_stories_in_scope(user, filters or {}).values("pk")
    ).values_list("casestudypage_id", "interventiontype__name", "interventiontype__slug"):
        tagged[page_id].append((name, slug))
    interventions = {page_id: tuple(pairs) for page_id, pairs in tagged.items()}
    rows = (
        results.annotate(period_end_year=ExtractYear("period_end"))
        .values_list(
            "metric_id",
            "page_id",
            "unit",
            "baseline",
            "result",
            "precision",
            "verification",
            "period_end_year",
            "page__industry__name",
            "page__industry__slug",
        )
        .order_by()
    )
    return [
        Reading(
            metric_id,
            page_id,
            unit,
            published_change(baseline, result, precision),
            verification,
            year,
            (industry_name, industry_slug),
            interventions.get(page_id, ()),
        )
        for (
            metric_id,
            page_id,
            unit,
            baseline,
            result,
            precision,
            verification,
            year,
            industry_name,
            industry_slug,
        ) in rows
    ]


@dataclass
class Figures:
    """Aggregate figures of one metric's results in one group."""

    case_studies: int
    results: int
    with_change: int
    total_change: Decimal | None
    median_change: Decimal | None
    audited: int
    suppressed: bool  # fewer than MIN_CASE_STUDIES: count only

    @property
    def shown(self) -> bool:
        return not self.suppressed


def compute_figures(results: list[Reading], additive: bool = True) -> Figures:
    changes = [r.change for r in results if r.change is not None]
    case_studies = len({r.page_id for r in results})
    suppressed = case_studies < MIN_CASE_STUDIES
    total = median = None
    if not suppressed and changes:
        total = sum(changes, Decimal(0)) if additive else None
        median = statistics.median(changes)
    return Figures(
        case_studies=case_studies,
        results=len(results),
        with_change=len(changes),
        total_change=total,
        median_change=median,
        audited=sum(1 for r in results if r.verification == AUDITED),
        suppressed=suppressed,
    )


@dataclass
class Group:
    label: str
    slug: str
    figures: Figures


@dataclass
class MetricSummary:
    """Everything a page shows about one metric for one audience and filter."""

    metric: MetricDefinition
    figures: Figures
    listed: int = 0  # results reported, those in another unit included
    mismatched: int = 0  # results in another unit: listed, never summed
    by_industry: list[Group] = field(default_factory=list)
    by_intervention: list[Group] = field(default_factory=list)
    by_year: list[Group] = field(default_factory=list)
    # The results themselves, where the figures are suppressed (the dashboard lists them
    # instead); the metric page lists its own a page at a time.
    results: list[MetricResult] = field(default_factory=list)

    @property
    def additive(self) -> bool:
        return is_additive(self.metric)


def is_additive(metric: MetricDefinition) -> bool:
    return metric.unit.strip().lower() not in NON_ADDITIVE_UNITS


def _groups(
    buckets: dict[tuple[str, str], list[Reading]], additive: bool, order_by_slug: bool = False
) -> list[Group]:
    keys = sorted(buckets, key=lambda key: key[1] if order_by_slug else key[0])
    return [
        Group(label=label, slug=slug, figures=compute_figures(buckets[label, slug], additive))
        for label, slug in keys
    ]


def summarize(metric: MetricDefinition, results: list[Reading]) -> MetricSummary:
    """Figures for one metric; results in another unit are set aside, never summed."""
    counted = [r for r in results if r.unit.strip() == metric.unit]
    # Each group's results, for all three dimensions in one pass.
    by_industry: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    by_intervention: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    by_year: dict[int, list[Reading]] = defaultdict(list)
    for reading in counted:
        by_industry[reading.industry].append(reading)
        for intervention in reading.interventions:
            by_intervention[intervention].append(reading)
        if reading.year:
            by_year[reading.year].append(reading)
    additive = is_additive(metric)
    return MetricSummary(
        metric=metric,
        figures=compute_figures(counted, additive),
        listed=len(results),
        mismatched=len(results) - len(counted),
        by_industry=_groups(by_industry, additive),
        by_intervention=_groups(by_intervention, additive),
        by_year=_groups(
            {(str(year), str(year)): rs for year, rs in by_year.items()},
            additive,
            order_by_slug=True,
        ),
    )


def summaries(
    user, filters: dict[str, list[str]] | None = None, verified: bool = False
) -> list[MetricSummary]:
    """One summary per metric with visible results, in metric name order; suppressed
    ones with their results."""
    by_metric: dict[int, list[Reading]] = defaultdict(list)
    for reading in readings(user, filters, verified):
        by_metric[reading.metric_id].append(reading)
    metrics = MetricDefinition.objects.filter(pk__in=by_metric).order_by("name", "pk")
    found = [summarize(metric, by_metric[metric.pk]) for metric in metrics]
    suppressed = {s.metric.pk: s for s in found if s.figures.suppressed}
    if suppressed:
        for result in visible_results(user, filters, verified).filter(metric__in=list(suppressed)):
            suppressed[result.metric_id].results.append(result)
    return found


def metric_summary(
    user,
    metric: MetricDefinition,
    filters: dict[str, list[str]] | None = None,
    verified: bool = False,
) -> MetricSummary:
    """The figures of one metric page (its results are listed a page at a time)."""
    return summarize(metric, readings(user, filters, verified, metric))


# --- Open data -------------------------------------------------------------------

OPEN_DATA_FIELDS: list[tuple[str, str]] = [
    (
        "result_id",
        "Stable numeric id of the result: the same result keeps it in every release "
        "(/data/releases/), whatever else changes.",
    ),
    ("metric_id", "Stable numeric id of the metric definition."),
    ("metric_slug", "The metric's slug; its page is /metrics/<metric_slug>/."),
    ("metric_name", "Name of the metric."),
    ("unit", "Unit of baseline and result, as the metric defines it."),
    ("higher_is_better", "true when a larger result is an improvement."),
    (
        "precision",
        "How precisely baseline and result are published: rounded (two significant "
        "figures), banded (a range) or exact.",
    ),
    (
        "baseline",
        "Value before the work at the published precision, as a decimal string, or "
        "LOW..HIGH for a range; empty when not measured.",
    ),
    ("result", "Value measured after the work, written like baseline."),
    (
        "change",
        "result minus baseline as published; empty without a baseline or for a range.",
    ),
    ("period_start", "When the period the result covers starts: YYYY, or YYYY-MM."),
    ("period_end", "When the period ends: YYYY, or YYYY-MM."),
    (
        "verification",
        "self-reported, second-party (verified by a partner) or independently-audited.",
    ),
    ("industry", "Industry slug of the case study."),
    ("intervention_types", "Intervention type slugs of the case study, separated by '|'."),
    ("region", "Region slug of the case study."),
    (
        "risks_addressed",
        "The ILO indicators of forced labour the case study addressed, as slugs separated "
        "by '|' (the search page's risk facet, e.g. debt-bondage).",
    ),
    ("case_study_title", "Title of the (anonymized) case study."),
    ("page_url", "Public address of the case study."),
]


# Results read from the database at a time for open data: memory stays the same whatever
# the corpus (each result carries its whole story row, long texts included).
OPEN_DATA_CHUNK = 1000


# What a row reads, and nothing else. A chunk holds a copy of its case study per result,
# and a story's texts are most of its weight (at 30,000 stories, of a worker's memory).
_READ_FOR_OPEN_DATA = (
    "baseline",
    "result",
    "unit",
    "precision",
    "period_detail",
    "period_start",
    "period_end",
    "verification",
    "metric__slug",
    "metric__name",
    "metric__higher_is_better",
    "page__title",
    "page__url_path",
    "page__industry__slug",
    "page__region__slug",
)


def iter_open_data_rows(user=None) -> Iterator[dict[str, str]]:
    """One row per case study and metric result, exactly as the pages show them, one at a
    time: the downloads are written as they are read (impact.downloads)."""
    risks = Prefetch("page__risks_addressed", ForcedLabourIndicator.objects.order_by("slug"))
    results = visible_results(user).only(*_READ_FOR_OPEN_DATA).prefetch_related(risks)
    for r in results.iterator(chunk_size=OPEN_DATA_CHUNK):
        yield (
            {
                "result_id": str(r.pk),
                "metric_id": str(r.metric_id),
                "metric_slug": r.metric.slug,
                "metric_name": r.metric.name,
                "unit": r.unit,
                "higher_is_better": "true" if r.metric.higher_is_better else "false",
                "precision": r.precision,
                "baseline": figure_data(r.shown_baseline),
                "result": figure_data(r.shown_result),
                "change": figure_data(r.shown_change),
                "period_start": r.shown_period_bounds[0],
                "period_end": r.shown_period_bounds[1],
                "verification": r.verification,
                "industry": r.page.industry.slug,
                "intervention_types": "|".join(t.slug for t in r.page.intervention_types.all()),
                "region": r.page.region.slug,
                "risks_addressed": "|".join(i.slug for i in r.page.risks_addressed.all()),
                "case_study_title": r.page.title,
                "page_url": canonical_url(r.page),
            }
        )
