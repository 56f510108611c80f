"""One definition of the facets: the search index and the database select the same stories.

The search page filters in Elasticsearch; the fallback page (search down), the API, feeds
and the dashboard filter in the database (``search.facets.filter_stories``). For every facet
and for combinations of them, both must give the same stories, or a visitor would see a
different set depending on which surface (or which outage) answered.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from casestudies.models import BrightSpotPage, CaseStudyPage
from search.facets import filter_stories, parse_filters
from search.query import FacetedStorySearch
from search.views import browse_from_database
from tests.factories import (
    BrightSpotPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    MetricResultFactory,
    RegionFactory,
    StepKindFactory,
    SupplyChainStageFactory,
    step,
)

pytestmark = [pytest.mark.django_db, pytest.mark.pip_only]


@pytest.fixture
def corpus(published):
    apparel, seafood = IndustryFactory(name="Apparel"), IndustryFactory(name="Seafood")
    fees, voice = (
        InterventionTypeFactory(name="Employer pays"),
        InterventionTypeFactory(name="Worker voice"),
    )
    farm, factory = SupplyChainStageFactory(name="Farm"), SupplyChainStageFactory(name="Factory")
    asia, gulf = RegionFactory(name="South Asia"), RegionFactory(name="Middle East")
    from tests.search.helpers import story

    rows = [
        ("a", apparel, [fees], [factory], asia, 2019, 2021, "independently-audited"),
        ("b", apparel, [fees, voice], [farm, factory], gulf, 2022, None, "self-reported"),
        ("c", seafood, [voice], [farm], asia, 2020, 2020, "second-party"),
        ("d", seafood, [fees], [factory], gulf, 2018, 2019, "self-reported"),
    ]
    # Risks addressed (the ILO indicators) per story; "d" addressed none.
    risks = {
        "a": ["debt-bondage"],
        "b": ["debt-bondage", "withholding-of-wages"],
        "c": ["isolation"],
        "e": ["withholding-of-wages"],
    }
    # Step kinds per case study's steps (a kind may repeat); "c" classified none, and a
    # bright spot ("e") tells no steps.
    vet, repay, train, audit = (
        StepKindFactory(name=name)
        for name in ("Vet agencies", "Repay fees", "Train suppliers", "Independent audit")
    )
    kinds = {"a": [vet, repay, vet], "b": [repay], "c": [None], "d": [train]}
    pages = []
    for key, industry, interventions, stages, region, start, end, level in rows:
        page = story(
            f"Story {key}",
            slug=key,
            industry=industry,
            intervention_types=interventions,
            stages=stages,
            region=region,
            year_started=start,
            year_ended=end,
            risks_addressed=risks.get(key, []),
        )
        page.steps = [step(f"Step {n}", kind=kind) for n, kind in enumerate(kinds[key])]
        page.save()
        MetricResultFactory(page=page, verification=level)
        pages.append(page)
    pages.append(
        BrightSpotPageFactory(
            title="Bright e",
            slug="e",
            industry=seafood,
            intervention_types=[voice],
            stages=[farm],
            region=asia,
            year_started=2021,
            year_ended=2022,
            verification="second-party",
            risks_addressed=risks["e"],
        )
    )
    published(*pages)
    # A draft of "b" takes a new kind: neither the index nor the database may see it.
    draft = CaseStudyPage.objects.get(slug="b")
    draft.steps = [step(kind=repay), step("Audit", kind=audit)]
    draft.save_revision()


SELECTIONS = [
    "industry=apparel",
    "industry=seafood",
    "intervention=employer-pays",
    "intervention=worker-voice",
    "stage=farm",
    "stage=factory",
    "region=middle-east",
    "type=case-study",
    "type=bright-spot",
    "year=2020",
    "year=2023",  # ongoing work counts its start year only
    "verification=second-party",
    "verification=self-reported&verification=independently-audited",
    "industry=apparel&industry=seafood&region=south-asia",
    "industry=seafood&stage=farm&year=2021",
    "intervention=employer-pays&stage=factory&verification=self-reported",
    "type=case-study&region=south-asia&year=2019&year=2020",
    "risk=debt-bondage",
    "risk=withholding-of-wages",
    "risk=isolation&risk=withholding-of-wages",
    "risk=debt-bondage&industry=apparel&type=case-study",
    "risk=deception",  # an indicator no story addressed
    "risk=not-an-indicator",
    "step=repay-fees",
    "step=vet-agencies&step=train-suppliers",
    "step=repay-fees&industry=apparel&type=case-study",
    "step=repay-fees&type=bright-spot",  # bright spots take no steps
    "step=train-suppliers&risk=debt-bondage",
    "step=vet-agencies&year=2022",
    "step=independent-audit",  # only a draft takes it
    "step=not-a-step",
    "industry=nonexistent",
    "year=not-a-year",
]


def titles_in_database(filters) -> set[str]:
    anonymous = AnonymousUser()
    return {
        page.title
        for model in (CaseStudyPage, BrightSpotPage)
        for page in filter_stories(model.objects.visible_to(anonymous), filters)
    }


def test_step_kinds_select_the_case_studies_whose_published_steps_take_them(corpus):
    from django.http import QueryDict

    expected = {
        "step=repay-fees": {"Story a", "Story b"},
        "step=vet-agencies&step=train-suppliers": {"Story a", "Story d"},
        "step=independent-audit": set(),
    }
    for query, titles in expected.items():
        assert titles_in_database(parse_filters(QueryDict(query))) == titles, query


@pytest.mark.parametrize("query", SELECTIONS)
def test_index_and_database_select_the_same_stories(corpus, query):
    from django.http import QueryDict

    filters = parse_filters(QueryDict(query))
    results = FacetedStorySearch(AnonymousUser(), filters=filters, page_size=100).execute()

    assert {hit.title for hit in results.hits} == titles_in_database(filters)


@pytest.mark.parametrize("query", SELECTIONS)
def test_fallback_page_honours_every_facet(corpus, query):
    """When search is down, browsing from the database keeps every filter the visitor chose."""
    from django.http import QueryDict

    filters = parse_filters(QueryDict(query))
    assert {hit.title for hit in browse_from_database(AnonymousUser(), filters)} == (
        titles_in_database(filters)
    )
