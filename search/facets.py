"""The facet definitions: one list the search page, the API and the dashboard all use.

A facet maps a public URL parameter (see CONTRACT.md) to a story attribute.
Several values of one facet combine with OR; facets combine with AND.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

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
]
FACETS_BY_PARAM = {f.param: f for f in FACETS}

STORY_TYPES = {"case-study": "Case study", "bright-spot": "Bright spot"}


def parse_filters(params: QueryDict) -> dict[str, list[str]]:
    """Selected facet values from a query string, de-duplicated and bounded.

    Unknown or malformed values are kept (they simply match nothing) so that
    a shared URL still shows what was asked for; oversize input is trimmed.
    """
    selected: dict[str, list[str]] = {}
    for facet in FACETS:
        values = []
        for raw in params.getlist(facet.param)[:MAX_VALUES_PER_FACET]:
            value = raw.strip()[:MAX_VALUE_LENGTH]
            if value and value not in values:
                values.append(value)
        if values:
            selected[facet.param] = values
    return selected
