"""The open API's ``count`` is the number of stories it lists, whoever asks and however
pages are made members-only: a restriction on the story, on a listing above it, on a page
elsewhere in the tree, or on the whole site.

The count is computed apart from the listing (a count per story type of
``visible_to``'s stories, kept per content generation), so each case pages through the
whole listing and compares.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from casestudies.models import MEMBER_GROUP_PREFIX, BrightSpotPage, CaseStudyPage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories():
    apparel = factories.IndustryFactory(name="Apparel", slug="apparel")
    seafood = factories.IndustryFactory(name="Seafood", slug="seafood")
    made = {}
    for n, industry in enumerate([apparel, apparel, seafood]):
        made[f"case {n}"] = factories.publish(
            factories.CaseStudyPageFactory(title=f"case {n}", industry=industry)
        )
    for n in range(2):
        made[f"spot {n}"] = factories.publish(
            factories.BrightSpotPageFactory(title=f"spot {n}", industry=seafood)
        )
    factories.CaseStudyPageFactory(title="draft", industry=apparel, live=False)
    return made


def restrict(page: Page) -> PageViewRestriction:
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get_or_create(name=f"{MEMBER_GROUP_PREFIX}Acme")[0])
    return restriction


@pytest.fixture(params=["anonymous", "member"])
def reader(request):
    browser = Client()
    if request.param == "member":
        browser.force_login(factories.member_of("Acme"))
    return browser


def listed(reader, **params) -> tuple[int, list[str]]:
    """The count the API states, and every title it lists, page after page."""
    titles, page, counts = [], 1, set()
    while True:
        answer = reader.get("/api/stories/", {**params, "page": page, "page_size": 2}).json()
        counts.add(answer["count"])
        titles += [story["title"] for story in answer["results"]]
        if answer["next"] is None:
            break
        page += 1
    assert len(counts) == 1, counts  # every page states the same count
    return counts.pop(), sorted(titles)


ALL = ["case 0", "case 1", "case 2", "spot 0", "spot 1"]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ALL),
        ({"industry": "apparel"}, ["case 0", "case 1"]),
        ({"industry": "seafood"}, ["case 2", "spot 0", "spot 1"]),
        ({"type": "bright-spot"}, ["spot 0", "spot 1"]),
    ],
)
def test_the_count_is_what_is_listed(reader, stories, params, expected):
    assert listed(reader, **params) == (len(expected), expected)


def test_a_members_only_story_is_neither_counted_nor_listed(reader, stories):
    restrict(stories["case 1"])
    assert listed(reader) == (4, ["case 0", "case 2", "spot 0", "spot 1"])
    assert listed(reader, industry="apparel") == (1, ["case 0"])


def test_a_members_only_listing_takes_every_story_below_it(reader, stories):
    restriction = restrict(BrightSpotPage.objects.get(title="spot 0").get_parent())
    assert listed(reader) == (3, ["case 0", "case 1", "case 2"])

    restriction.delete()
    assert listed(reader) == (5, ALL)


def test_a_restriction_elsewhere_in_the_tree_takes_nothing(reader, stories):
    home = CaseStudyPage.objects.get(title="case 0").get_parent().get_parent()
    elsewhere = home.add_child(instance=Page(title="Members' area", slug="members-area"))
    elsewhere.add_child(instance=Page(title="Meeting notes", slug="notes"))
    restrict(elsewhere)
    restrict(elsewhere.get_children().get())
    assert listed(reader) == (5, ALL)


def test_a_members_only_site_lists_and_counts_nothing(reader, stories):
    restrict(CaseStudyPage.objects.get(title="case 0").get_parent().get_parent())
    assert listed(reader) == (0, [])
