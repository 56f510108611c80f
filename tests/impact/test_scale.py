"""The dashboard and metric pages at any corpus size (issue 17): figures read from the
published values without loading stories, a metric's results listed a page at a time, and
as many queries for a large corpus as for a small one."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casestudies.figures import published_change
from casestudies.models import MEMBER_GROUP_PREFIX, CaseStudyPage, MetricResult
from impact.views import RESULTS_PER_PAGE
from tests.factories import (
    CaseStudyPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    publish,
)

pytestmark = pytest.mark.django_db


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    return unescape(match.group(1)).strip() if match else ""


def listed_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-result="(\d+)">', html)


def page_links(html: str) -> dict[str, str]:
    """The listing's previous and next links, by rel."""
    nav = re.search(r'<nav class="pagination"[^>]*>(.*?)</nav>', html, re.S)
    links = re.findall(r'<a rel="(\w+)" href="([^"]*)">', nav[1]) if nav else []
    return {rel: unescape(href) for rel, href in links}


@pytest.mark.parametrize("precision", ["rounded", "banded", "exact"])
@pytest.mark.parametrize(
    "baseline, result",
    [("412345", "6166000"), ("0", "3.456"), (None, "1250"), ("-70", "1200.55"), ("99.5", "0")],
)
def test_the_dashboard_arithmetic_uses_the_change_each_story_page_shows(
    precision, baseline, result
):
    shown = MetricResult(
        baseline=None if baseline is None else Decimal(baseline),
        result=Decimal(result),
        precision=precision,
    )
    # The change a reader can work out from the two figures the story's page shows.
    if shown.shown_baseline is None or precision == "banded":
        expected = None
    else:
        expected = shown.shown_result - shown.shown_baseline
    assert published_change(shown.baseline, shown.result, precision) == expected
    assert shown.shown_change == expected


def _more_results(page, metric, count: int) -> None:
    """``count`` more results of ``page`` (the world's pages are shared by the module's
    tests: read afresh, as an earlier test's revisions were rolled back)."""
    page = CaseStudyPage.objects.get(pk=page.pk)
    for n in range(1, count + 1):
        MetricResultFactory(
            page=page,
            metric=metric,
            baseline=Decimal(0),
            result=Decimal(n),
            precision="exact",
            period_start=datetime.date(2021, 1, 1),
            period_end=datetime.date(2021, 12, 31),
        )
    publish(page)


def test_metric_page_lists_results_a_page_at_a_time_keeping_the_filters(client, world):
    _more_results(world.pages["apparel2"], world.workers, 55)
    _more_results(world.pages["members"], world.workers, 5)  # members-only: never listed
    address = f"/metrics/{world.workers.slug}/"

    first = client.get(address, {"industry": "apparel"}).content.decode()
    # apparel1, apparel3 and apparel2's 56 results: the members-only story's are not counted.
    assert "58 results, 1 to 50 listed here" in first
    assert len(listed_rows(first)) == RESULTS_PER_PAGE
    assert figure(first, "case-studies") == "3"
    assert "Every public result is in the open data" in first
    assert 'href="/data/metric-results.csv"' in first
    assert "Page 1 of 2" in first
    links = page_links(first)
    assert "prev" not in links and links["next"] == "?industry=apparel&page=2"

    second = client.get(address + links["next"]).content.decode()
    assert "58 results, 51 to 58 listed here" in second
    assert "Page 2 of 2" in second
    assert page_links(second) == {"prev": "?industry=apparel&page=1"}
    for name in ["case-studies", "results", "total-change", "median-change"]:
        assert figure(second, name) == figure(first, name), "figures cover every page"
    rows = listed_rows(first) + listed_rows(second)
    assert len(set(rows)) == 58
    public = MetricResult.objects.filter(
        metric=world.workers, page__slug__in=["apparel1", "apparel2", "apparel3"]
    )
    assert set(rows) == {str(pk) for pk in public.values_list("pk", flat=True)}
    assert "Case study members" not in first + second

    past_the_end = client.get(address, {"industry": "apparel", "page": "9"}).content.decode()
    assert listed_rows(past_the_end) == listed_rows(second)


def test_members_count_and_list_members_only_results_on_the_metric_page(client, world):
    _more_results(world.pages["members"], world.workers, 5)
    client.force_login(_member())
    html = client.get(f"/metrics/{world.workers.slug}/").content.decode()
    assert "11 results." in html and "listed here" not in html  # one page: no numbering
    assert 'class="pagination"' not in html
    assert "Case study members" in html


def test_a_short_list_has_no_page_links(client, world):
    html = client.get(f"/metrics/{world.workers.slug}/?verified=1").content.decode()
    assert "3 results." in html
    assert len(listed_rows(html)) == 3
    assert 'class="pagination"' not in html


ADDRESSES = ["/impact/", "/impact/?industry=apparel&verified=1", "/metrics/{workers}/"]


def _queries(client, world) -> dict[str, int]:
    counts = {}
    for address in ADDRESSES:
        url = address.format(workers=world.workers.slug)
        cache.clear()  # each request computed, not served from the page cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


def test_queries_do_not_grow_with_the_corpus(client, world):
    small = _queries(client, world)

    # Four times the stories, in industries, intervention types and metrics of their own.
    knitwear = IndustryFactory(name="Knitwear")
    audits = InterventionTypeFactory(name="Joint audits")
    wages = MetricDefinitionFactory(name="Wages repaid", unit="USD")
    for n in range(20):
        page = CaseStudyPageFactory(
            title=f"Case study more{n}",
            slug=f"more{n}",
            industry=knitwear if n % 2 else world.pages["apparel1"].industry,
            intervention_types=[audits],
            year_started=2020,
            year_ended=2021 + n % 3,
        )
        for metric in [world.workers, wages]:
            MetricResultFactory(
                page=page, metric=metric, result=Decimal(n * 10), verification="second-party"
            )
        publish(page)
    large = _queries(client, world)

    assert large == small
    html = client.get("/impact/").content.decode()
    assert "Wages repaid" in html and "Joint audits" in html  # the new stories are counted


def _member() -> User:
    user = User.objects.create_user("member")
    user.groups.add(Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}Test member"))
    return user
