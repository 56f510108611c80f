"""The facet definitions: one list the search page, the API and the dashboard all use.

A facet maps a public URL parameter (see CONTRACT.md) to a story attribute.
Several values of one facet combine with OR; facets combine with AND.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import QueryDict

from casestudies.models import STORY_TYPES as _STORY_TYPES
from casestudies.models import CaseStudyPage, MetricResult

MAX_VALUES_PER_FACET = 20
MAX_VALUE_LENGTH = 100


@dataclass(frozen=True)
class Facet:
    param: str  # URL parameter
    label: str  # shown to people
    field: str  # keyword field in the search index (holds slugs)


FACETS: list[Facet] = [
    Facet("industry", "Industry", "industry"),
    Facet("intervention", "Intervention type", "interventions"),
    Facet("stage", "Supply-chain stage", "stages"),
    Facet("region", "Region", "region"),
    Facet("type", "Content type", "type"),
    Facet("year", "Year of the work", "years"),
    Facet("verification", "Verification level", "verification"),
    # The ILO's 11 indicators of forced labour (casestudies.ForcedLabourIndicator).
    Facet("risk", "Risks addressed", "risks"),
    # What a case study's steps did (casestudies.StepKind); bright spots tell no steps.
    Facet("step", "Steps taken", "step_kinds"),
]
FACETS_BY_PARAM = {f.param: f for f in FACETS}

# The ``type`` facet's values and labels are the content app's story types.
STORY_TYPES = _STORY_TYPES


def parse_filters(params: QueryDict) -> dict[str, list[str]]:
    """Selected facet values from a query string, de-duplicated and bounded.

    Unknown or malformed values are kept (they simply match nothing) so that
    a shared URL still shows what was asked for; oversize input is trimmed.
    """
    selected: dict[str, list[str]] = {}
    for facet in FACETS:
        values = []
        for raw in params.getlist(facet.param)[:MAX_VALUES_PER_FACET]:
            # NUL never occurs in a slug, and PostgreSQL refuses it in a query.
            value = raw.replace("\x00", "").strip()[:MAX_VALUE_LENGTH]
            if value and value not in values:
                values.append(value)
        if values:
            selected[facet.param] = values
    return selected


# The facets a story's own vocabulary fields answer, by the field that holds them.
ONE_PER_STORY = {"industry": "industry", "region": "region"}
MANY_PER_STORY = {
    "intervention": "intervention_types",
    "stage": "stages",
    "risk": "risks_addressed",
    # The kinds of the live steps only (``CaseStudyPage.step_kinds``, which a draft does not
    # touch), as in the index.
    "step": "step_kinds",
}


def filter_stories(stories: QuerySet, filters: dict[str, list[str]]) -> QuerySet:
    """Apply facet filters (from ``search.facets.parse_filters``) to a story queryset.

    The database twin of the search index filters, for surfaces that list or count
    stories without a query (the dashboard, the API). Several values of one facet
    combine with OR, facets with AND; values that match nothing give nothing.
    Works for case studies and bright spots alike; start from ``visible_to(user)``.
    """
    model = stories.model
    story_type = model.story_type
    for param, values in filters.items():
        if param in ONE_PER_STORY:
            stories = stories.filter(**{f"{ONE_PER_STORY[param]}__slug__in": values})
        elif param == "step" and model is not CaseStudyPage:
            stories = stories.none()  # bright spots tell no steps
        elif param in MANY_PER_STORY:
            # Through a subquery, so that a story tagged with two of the values comes once.
            tagged = model.objects.filter(**{f"{MANY_PER_STORY[param]}__slug__in": values})
            stories = stories.filter(pk__in=tagged.values("pk"))
        elif param == "type":
            if story_type not in values:
                stories = stories.none()
        elif param == "year":
            stories = _filter_years(stories, values)
        elif param == "verification":
            if story_type == "case-study":
                stories = stories.filter(
                    pk__in=MetricResult.objects.filter(verification__in=values).values("page_id")
                )
            else:
                stories = stories.filter(verification__in=values)
    return stories


def _filter_years(stories: QuerySet, values: list[str]) -> QuerySet:
    """Stories whose work ran in any of the years (ongoing work counts its start year,
    as ``StoryPage.years`` does)."""
    years = [int(v) for v in values if v.isdigit() and len(v) == 4]
    if not years:
        return stories.none()
    stories = stories.annotate(_last_year=Coalesce("year_ended", "year_started"))
    match = Q()
    for year in years:
        match |= Q(year_started__lte=year, _last_year__gte=year)
    return stories.filter(match)
