"""The open API's listing: what it costs does not grow with the collection, and cheap
writing changes nothing a partner reads.

The listing writes its stories itself (``embeds.api.story_cards``) instead of through
ninja's schema; each card must still be exactly the detail's ``StoryOut`` fields. Its
total and its cards are kept for the content generation, so they must follow every
publish, unpublish and privacy change at once.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from base.models import StoryImage
from embeds.api import StoryOut
from perf.cache import invalidate_pages
from perf.renditions import generate_renditions
from tests import factories

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db

SUMMARY_FIELDS = list(StoryOut.model_fields)


def listing(client, **params) -> dict:
    response = client.get("/api/stories/", params)
    assert response.status_code == 200, response.content
    return response.json()


def detail(client, story: dict) -> dict:
    response = client.get(story["detail_url"].removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def banded_stories():
    """A case study whose first result is published as a range (so its headline is the
    second, exact one), and a bright spot whose figure is a range: both without image."""
    theme_less = factories.InterventionTypeFactory(name="Worker voice", slug="worker-voice")
    themed = factories.InterventionTypeFactory(
        name="Remediation", slug="remediation", knowthechain_theme="remedy"
    )
    case_study = factories.CaseStudyPageFactory(
        title="Grievances resolved at a cannery",
        intervention_types=[themed, theme_less],
        risks_addressed=["debt-bondage", "deception"],
        hero_image=None,
    )
    factories.MetricResultFactory(page=case_study, result=412345, precision="banded")
    factories.MetricResultFactory(page=case_study, result=1234, precision="exact")
    bright_spot = factories.BrightSpotPageFactory(
        title="Wages repaid at a spinning mill",
        metric_value=412345,
        metric_precision="banded",
        hero_image=factories.StoryImageFactory(),
        hero_alt="A spinning mill",
    )
    return [factories.publish(case_study), factories.publish(bright_spot)]


def test_each_listed_story_is_its_detail_in_brief(
    client, case_study, bright_spot, banded_stories, members_only_story
):
    found = listing(client, page_size=100)["results"]
    assert {s["id"] for s in found} == {p.pk for p in [case_study, bright_spot, *banded_stories]}
    for story in found:
        assert list(story) == SUMMARY_FIELDS
        whole = detail(client, story)
        assert story == {name: whole[name] for name in SUMMARY_FIELDS}
    by_title = {s["title"]: s for s in found}
    banded = by_title["Wages repaid at a spinning mill"]["headline_metric"]
    assert banded["value"] is None and banded["value_range"] == [200000.0, 500000.0]
    headline = by_title["Grievances resolved at a cannery"]["headline_metric"]
    assert headline["value"] == 1234.0 and headline["value_range"] is None
    interventions = by_title["Grievances resolved at a cannery"]["interventions"]
    themes = [i["knowthechain_theme"] for i in interventions]
    assert themes == ["remedy", None]  # in the vocabulary's order: by name


def add_stories(industry, n: int) -> None:
    """``n`` stories of each type, with tags, images and (case studies) results."""
    for _ in range(n):
        case_study = factories.CaseStudyPageFactory(
            industry=industry,
            hero_image=factories.StoryImageFactory(),
            risks_addressed=["deception"],
        )
        factories.MetricResultFactory(page=case_study, result=1234)
        factories.publish(case_study)
        factories.publish(
            factories.BrightSpotPageFactory(
                industry=industry, hero_image=factories.StoryImageFactory()
            )
        )
    generate_renditions(StoryImage.objects.all())  # as each upload's task does


def test_the_listing_runs_the_same_queries_however_many_stories_there_are(client, apparel):
    # A session (as the benchmark's uncached row sends): the page cache never answers it.
    client.cookies["sessionid"] = "no-such-session"

    def queries(**params) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as first:
            listing(client, **params)
        with CaptureQueriesContext(connection) as again:
            listing(client, **params)
        return len(first), len(again)

    add_stories(apparel, 1)
    listing(client)  # what a process reads once (the sites' root paths, ...)
    invalidate_pages("a new generation: nothing counted nor kept for it yet")
    few = queries(page_size=100), queries(industry="apparel"), queries(type="bright-spot")
    add_stories(apparel, 12)
    many = queries(page_size=100), queries(industry="apparel"), queries(type="bright-spot")
    assert listing(client, page_size=100)["count"] == 26
    assert many == few
    # The total and the cards are read on the first request of a content generation only
    # (a card once for every listing that shows it); after it, little more than the newest
    # ids of each story type.
    assert all(first > again for first, again in many)
    assert max(again for _first, again in many) <= 4


def test_the_total_follows_publishing_and_privacy_at_once(client, case_study, bright_spot):
    assert listing(client)["count"] == 2
    newer = factories.publish(factories.CaseStudyPageFactory(title="A third practice"))
    assert listing(client)["count"] == 3

    PageViewRestriction.objects.create(page=newer, restriction_type=PageViewRestriction.LOGIN)
    shown = listing(client)
    assert shown["count"] == 2
    assert newer.title not in [s["title"] for s in shown["results"]]

    bright_spot.unpublish()
    shown = listing(client, type="bright-spot")
    assert (shown["count"], shown["results"]) == (0, [])
    assert listing(client)["count"] == 1


def test_a_members_only_story_is_neither_listed_nor_counted_for_anyone(
    client, admin_user, case_study, members_only_story
):
    for _ in range(2):  # counted, then from the count kept for the generation
        shown = listing(client, page_size=100)
        assert (shown["count"], [s["id"] for s in shown["results"]]) == (1, [case_study.pk])
        assert_no_secrets(str(shown))
    client.force_login(admin_user)  # a member sees the public listing, as documented
    assert listing(client)["count"] == 1


def test_a_republished_story_is_listed_as_it_now_reads(client, case_study):
    client.cookies["sessionid"] = "no-such-session"  # past the page cache: the cards' own
    assert [s["title"] for s in listing(client)["results"]] == [case_study.title]
    case_study.title = "How a garment maker repaid every recruitment fee"
    factories.publish(case_study)
    assert [s["title"] for s in listing(client)["results"]] == [case_study.title]
