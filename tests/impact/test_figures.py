"""Totals and medians against figures computed by hand (see conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from casestudies.models import MEMBER_GROUP_PREFIX, CaseStudyPage
from impact.figures import (
    describe_levels,
    filter_stories,
    included_levels,
    summaries,
    visible_results,
)
from tests.factories import MetricDefinitionFactory, MetricResultFactory, publish

pytestmark = pytest.mark.django_db
ANONYMOUS = AnonymousUser()


def workers_summary(world, filters=None, verified=False, user=ANONYMOUS):
    by_slug = {s.metric.slug: s for s in summaries(user, filters or {}, verified)}
    return by_slug.get(world.workers.slug)


def test_totals_and_medians_match_hand_computed_values(world):
    s = workers_summary(world)

    assert s.figures.case_studies == 5
    assert s.figures.total_change == Decimal("1515.50")  # 300 + 1000 + 200.50 + 10 + 5
    assert s.figures.median_change == Decimal("200.50")
    assert s.figures.audited == 2

    industries = {g.slug: g.figures for g in s.by_industry}
    assert industries["apparel"].total_change == Decimal("1305")
    assert industries["apparel"].median_change == Decimal("300")
    assert industries["seafood"].suppressed and industries["seafood"].total_change is None

    interventions = {g.slug: g.figures for g in s.by_intervention}
    assert interventions["employer-pays"].total_change == Decimal("1315")
    assert interventions["employer-pays"].median_change == Decimal("155")  # (10 + 300) / 2
    assert interventions["grievance-channel"].suppressed

    years = [(g.label, g.figures.total_change) for g in s.by_year]
    assert years == [("2022", Decimal("1510.50")), ("2023", None)]


def test_members_only_and_unpublished_results_are_excluded_for_anonymous_visitors(world):
    pages = {r.page.slug for r in visible_results(ANONYMOUS)}
    assert pages == {"apparel1", "apparel2", "seafood1", "seafood2", "apparel3"}


def test_members_see_members_only_results_but_never_drafts(world):
    staff = _member()
    s = workers_summary(world, user=staff)
    assert s.figures.case_studies == 6
    assert s.figures.total_change == Decimal("1515.50") + Decimal("99999")


def test_verified_only_drops_self_reported_results(world):
    s = workers_summary(world, verified=True)
    assert s.figures.case_studies == 3
    assert s.figures.total_change == Decimal("505.50")  # 300 + 200.50 + 5
    levels = {r.verification for r in visible_results(ANONYMOUS, verified=True)}
    assert levels == {"second-party", "independently-audited"}


def test_verification_facet_limits_results_and_the_stated_scope(world):
    filters = {"verification": ["independently-audited"]}
    s = workers_summary(world, filters)
    assert [r.page.slug for r in s.results] == ["apparel1", "apparel3"]
    assert s.figures.suppressed  # two audited case studies: too few to total
    assert describe_levels(included_levels(filters)) == "independently audited results only"
    assert describe_levels(included_levels({}, verified=True)) == (
        "second-party verified and independently audited results"
    )


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"industry": ["apparel"]}, {"apparel1", "apparel2", "apparel3"}),
        (
            {"industry": ["apparel", "seafood"], "intervention": ["grievance-channel"]},
            {"apparel2", "seafood1"},
        ),
        ({"region": ["south-asia"], "year": ["2023"]}, {"apparel3"}),
        ({"year": ["2021"]}, {"apparel1", "apparel2", "seafood1", "seafood2"}),
        ({"verification": ["second-party"]}, {"seafood1"}),
        ({"type": ["bright-spot"]}, set()),
        ({"type": ["case-study"], "industry": ["seafood"]}, {"seafood1", "seafood2"}),
        ({"year": ["twenty"]}, set()),
        ({"industry": ["<script>"]}, set()),
    ],
)
def test_filter_stories_applies_the_search_facets_to_the_database(world, filters, expected):
    stories = filter_stories(CaseStudyPage.objects.visible_to(ANONYMOUS), filters)
    assert {p.slug for p in stories} == expected


def test_fewer_than_three_case_studies_show_a_list_but_no_total(world):
    fees = {s.metric.slug: s for s in summaries(ANONYMOUS)}[world.fees.slug]
    assert len(fees.results) == 2
    assert fees.figures.suppressed
    assert fees.figures.total_change is None and fees.figures.median_change is None


def test_results_in_another_unit_are_listed_but_never_summed(world):
    page = world.pages["seafood2"]
    MetricResultFactory(page=page, metric=world.workers, unit="households", baseline=0, result=7)
    publish(page)
    s = workers_summary(world)
    assert s.mismatched == 1 and s.listed == 6 and s.figures.results == 5
    assert s.figures.total_change == Decimal("1515.50")


def test_percentages_get_a_median_but_no_total(world):
    share = MetricDefinitionFactory(name="Workers paying fees", unit="%", higher_is_better=False)
    for key, (before, after) in zip(
        ["apparel1", "apparel2", "seafood1"], [(40, 10), (30, 0), (50, 45)], strict=True
    ):
        page = world.pages[key]
        MetricResultFactory(page=page, metric=share, baseline=before, result=after)
        publish(page)
    s = {s.metric.slug: s for s in summaries(ANONYMOUS)}[share.slug]
    assert s.figures.total_change is None
    assert s.figures.median_change == Decimal("-30")


def _member() -> User:
    """A person of a member company (staff who are not in one are not members)."""
    user = User.objects.create_user("member")
    user.groups.add(Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}Test member"))
    return user
