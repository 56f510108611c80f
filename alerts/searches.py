"""What a followed search is: the search page's own parameters, checked against its facets.

The search page keeps unknown facet values (a shared URL still shows what was asked
for); a followed search refuses them instead, because an alert that can never match
would silently send nothing for ever.
"""

from __future__ import annotations

from django.conf import settings
from django.http import QueryDict

from search.facets import FACETS, FACETS_BY_PARAM, parse_filters
from search.query import MAX_QUERY_LENGTH, facet_labels
from search.views import state_url


class FollowedSearchParams:
    """A query and facet values taken from a search URL, with what is wrong with them."""

    def __init__(self, query: str, filters: dict[str, list[str]]):
        self.query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
        self.filters = {p: list(v) for p, v in filters.items() if p in FACETS_BY_PARAM and v}
        self.errors = unknown_values(self.filters)

    @classmethod
    def from_params(cls, params: QueryDict) -> FollowedSearchParams:
        return cls(params.get("q", ""), parse_filters(params))

    @property
    def valid(self) -> bool:
        return not self.errors

    def label(self) -> str:
        return describe(self.query, self.filters)

    def url(self) -> str:
        return search_page_url(self.query, self.filters)


def unknown_values(filters: dict[str, list[str]]) -> list[str]:
    """One message per facet value the search page does not know, in facet order."""
    labels = facet_labels()
    errors = []
    for facet in FACETS:
        for value in filters.get(facet.param, []):
            if facet.param == "year":
                known = value.isdigit() and len(value) == 4
            else:
                known = value in labels.get(facet.param, {})
            if not known:
                errors.append(f"{facet.label}: “{value}” is not a value this portal knows.")
    return errors


def describe(query: str, filters: dict[str, list[str]]) -> str:
    """The search in words, e.g. "“fees” · Industry: Seafood · Region: Southeast Asia"."""
    labels = facet_labels()
    parts = [f"“{query}”"] if query else []
    for facet in FACETS:
        values = filters.get(facet.param, [])
        if values:
            names = [labels.get(facet.param, {}).get(v, v) for v in values]
            parts.append(f"{facet.label}: {' or '.join(names)}")
    return " · ".join(parts) or "Every new story"


def search_page_url(query: str, filters: dict[str, list[str]]) -> str:
    return settings.SITE_URL + state_url(query, filters, "relevance")
