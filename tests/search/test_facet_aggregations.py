"""Facets that apply the same choices are counted under one filter (issue 12 item 9).

Each facet counts the stories every *other* selected facet lets through; the facets not
selected all share one such filter, so a page with two facets selected asks the engine for
three filtered counts, not nine. A reader sees the same counts as before: a selected
facet's own values still count as if it were not selected.
"""

import pytest
from django.http import QueryDict

from search.query import FacetedStorySearch
from tests.search.helpers import card_titles, facet_counts, industries_and_practices, story

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(published):
    apparel, seafood, repay, grievance = industries_and_practices()
    published(
        story("Story apparelrepay", "Recruitment fees repaid.", industry=apparel,
              intervention_types=[repay]),
        story("Story apparelboth", "Recruitment fees repaid.", industry=apparel,
              intervention_types=[repay, grievance]),
        story("Story apparelgrievance", "Recruitment fees heard.", industry=apparel,
              intervention_types=[grievance]),
        story("Story seafoodrepay", "Recruitment fees repaid.", industry=seafood,
              intervention_types=[repay]),
        story("Story seafoodgrievance", "Recruitment fees heard.", industry=seafood,
              intervention_types=[grievance]),
    )  # fmt: skip


def filtered_counts(query: str) -> int:
    """How many filtered counts the page's request asks the engine for."""
    search = FacetedStorySearch.from_params(QueryDict(query), None)
    return len(search.build().to_dict()["aggs"])


def test_two_selected_facets_count_like_before_with_three_filters(client, tagged):
    html = client.get("/search/?q=fees&industry=apparel&intervention=fee-repayment").content
    html = html.decode()
    assert card_titles(html) == {"Story apparelrepay", "Story apparelboth"}
    # Industry counts ignore the industry chosen (fee repayment: two apparel, one seafood) ...
    assert facet_counts(html, "industry", "Industry") == {"Apparel": 2, "Seafood": 1}
    # ... intervention counts ignore the intervention chosen (every apparel story) ...
    assert facet_counts(html, "intervention", "Intervention type") == {
        "Fee repayment": 2,
        "Grievance channel": 2,
    }
    # ... and every other facet counts the stories both choices let through.
    assert facet_counts(html, "type", "Content type") == {"Case study": 2}
    assert filtered_counts("q=fees&industry=apparel&intervention=fee-repayment") == 3


def test_without_a_selection_every_facet_shares_one_filter(client, tagged):
    html = client.get("/search/?q=fees").content.decode()
    assert facet_counts(html, "industry", "Industry") == {"Apparel": 3, "Seafood": 2}
    assert facet_counts(html, "intervention", "Intervention type") == {
        "Fee repayment": 3,
        "Grievance channel": 3,
    }
    assert filtered_counts("q=fees") == 1
    assert filtered_counts("q=fees&industry=apparel&industry=seafood") == 2
