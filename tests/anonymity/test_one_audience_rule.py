"""One audience rule, wherever stories are listed: a story is public when it is live and no
view restriction covers it, on the page or on an ancestor (``StoryQuerySet.visible_to``).

Wagtail's own page serving is the referee: for every reader and every way of making pages
members-only, the stories each surface lists are exactly those whose page Wagtail serves
that reader, whatever the surface (a listing page, the open API and its count, the
vocabularies, the search index's audience). A restriction added or removed in Wagtail's
privacy dialog counts from the next request on: the restricted paths are never kept.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from casestudies.models import (
    AUDIENCE_DEPTH,
    MEMBER_GROUP_PREFIX,
    BrightSpotIndexPage,
    BrightSpotPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    HomePage,
    Industry,
)
from search.indexing import members_only, restricted_paths
from tests import factories

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "member", "editor"]


@pytest.fixture
def stories():
    apparel = factories.IndustryFactory(name="Apparel", slug="apparel")
    seafood = factories.IndustryFactory(name="Seafood", slug="seafood")
    cocoa = factories.IndustryFactory(name="Cocoa", slug="cocoa")
    made = {
        "open case": factories.CaseStudyPageFactory(title="Open case", industry=apparel),
        "secret case": factories.CaseStudyPageFactory(title="Secret case", industry=seafood),
        "spot": factories.BrightSpotPageFactory(title="Bright spot", industry=cocoa),
    }
    for page in made.values():
        factories.publish(page)
    factories.CaseStudyPageFactory(title="Draft case", industry=apparel, live=False)
    Group.objects.get_or_create(name=f"{MEMBER_GROUP_PREFIX}Acme")
    return made


def restrict(page) -> None:
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name=f"{MEMBER_GROUP_PREFIX}Acme"))


def browser(reader: str) -> tuple[Client, object]:
    client = Client()
    if reader == "anonymous":
        return client, AnonymousUser()
    if reader == "member":
        user = factories.member_of("Acme")
    else:  # signed in to the admin, but in no member company's group
        user = factories.user_in("Editors", "eddie")
        user.is_staff = True
        user.save()
    client.force_login(user)
    return client, user


# Where the restrictions go, and which stories an outsider may then open.
ARRANGEMENTS = {
    "nothing restricted": ([], ["Bright spot", "Open case", "Secret case"]),
    "on the story": (["secret case"], ["Bright spot", "Open case"]),
    "on its listing": (["case listing"], ["Bright spot"]),
    "on both": (["case listing", "secret case"], ["Bright spot"]),
    "on the home page": (["home"], []),
    "on the other listing": (["spot listing"], ["Open case", "Secret case"]),
}


def _page(name: str, stories: dict):
    return {
        "case listing": lambda: CaseStudyIndexPage.objects.get(),
        "spot listing": lambda: BrightSpotIndexPage.objects.get(),
        "home": lambda: HomePage.objects.get(),
    }.get(name, lambda: stories[name])()


def _listed(user) -> list[str]:
    return sorted(
        title
        for model in (CaseStudyPage, BrightSpotPage)
        for title in model.objects.visible_to(user).values_list("title", flat=True)
    )


def _api_titles(client: Client) -> tuple[int, list[str]]:
    answer = client.get("/api/stories/", {"page_size": 100}).json()
    return answer["count"], sorted(story["title"] for story in answer["results"])


@pytest.mark.parametrize("arrangement", list(ARRANGEMENTS))
@pytest.mark.parametrize("reader", READERS)
def test_every_surface_lists_what_wagtail_serves_the_reader(stories, arrangement, reader):
    restricted, public = ARRANGEMENTS[arrangement]
    for name in restricted:
        restrict(_page(name, stories))
    client, user = browser(reader)

    served = sorted(p.title for p in stories.values() if client.get(p.url).status_code == 200)
    expected = sorted(p.title for p in stories.values()) if reader == "member" else public
    assert served == expected  # Wagtail's page privacy, the referee
    assert _listed(user) == served

    case_listing = CaseStudyIndexPage.objects.get()
    page = client.get(case_listing.url)
    if page.status_code == 200:  # the listing is itself served to this reader
        html = page.content.decode()
        for story in stories.values():
            if isinstance(story, CaseStudyPage):
                assert (story.title in html) == (story.title in served), story.title

    # The open API is anonymous whoever asks: what an outsider may open, and its count.
    assert _api_titles(client) == (len(public), public)

    industries = sorted(Industry.objects.visible_to(user).values_list("name", flat=True))
    assert industries == sorted(p.industry.name for p in stories.values() if p.title in served)

    # The search index files each story under the audience the same rule gives it.
    paths = restricted_paths()
    for story in stories.values():
        assert members_only(story, paths) == (story.title not in public), story.title


def test_a_restriction_counts_from_the_next_request_and_its_removal_too(
    stories, admin_user, django_capture_on_commit_callbacks
):
    outsider, other_outsider = Client(), Client()
    member, _ = browser("member")
    editor = Client()
    editor.force_login(admin_user)
    secret = stories["secret case"]
    listing = CaseStudyIndexPage.objects.get()
    groups = [Group.objects.get(name=f"{MEMBER_GROUP_PREFIX}Acme").pk]

    def everything_an_outsider_sees(client: Client) -> str:
        parts = [client.get(listing.url).content.decode(), client.get("/").content.decode()]
        parts.append(client.get("/api/stories/", {"page_size": 100}).content.decode())
        return "".join(parts)

    assert secret.title in everything_an_outsider_sees(outsider)  # read, and kept if cacheable
    assert _api_titles(outsider)[0] == 3

    with django_capture_on_commit_callbacks(execute=True):
        dialog = editor.post(
            f"/admin/pages/{secret.pk}/privacy/", {"restriction_type": "groups", "groups": groups}
        )
    assert dialog.status_code == 200
    for client in (outsider, other_outsider):
        assert secret.title not in everything_an_outsider_sees(client)
        assert _api_titles(client) == (2, ["Bright spot", "Open case"])
    assert "Seafood" not in [i.name for i in Industry.objects.visible_to(None)]
    assert secret.title in member.get(listing.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(f"/admin/pages/{secret.pk}/privacy/", {"restriction_type": "none"})
    assert secret.title in everything_an_outsider_sees(other_outsider)
    assert _api_titles(outsider) == (3, ["Bright spot", "Open case", "Secret case"])


def test_each_listing_is_one_query_with_the_rule_inside(stories):
    """Nothing is read beforehand (and so nothing kept): the restrictions are looked up
    by the listing's own query."""
    restrict(stories["secret case"])
    restrict(BrightSpotIndexPage.objects.get())
    with CaptureQueriesContext(connection) as queries:
        titles = list(CaseStudyPage.objects.visible_to(None).values_list("title", flat=True))
        industries = [i.name for i in Industry.objects.visible_to(None)]
    assert titles == ["Open case"]
    assert industries == ["Apparel"]
    assert len(queries) == 2
    assert all("pageviewrestriction" in q["sql"] for q in queries.captured_queries)


def test_members_are_shown_every_live_story_without_looking_at_restrictions(stories):
    restrict(stories["secret case"])
    _, member = browser("member")
    with CaptureQueriesContext(connection) as queries:
        industries = [i.name for i in Industry.objects.visible_to(member)]
    assert industries == ["Apparel", "Cocoa", "Seafood"]
    assert not any("pageviewrestriction" in q["sql"] for q in queries.captured_queries)


def test_a_story_below_an_unexpected_depth_is_shown_to_members_only(stories):
    """Stories sit at depth 4; one a tree built by hand put deeper fails closed, the same
    way in the database and in the search index."""
    folder = HomePage.objects.get().add_child(instance=Page(title="Folder", slug="folder"))
    listing = folder.add_child(instance=CaseStudyIndexPage(title="Old cases", slug="old"))
    deep = factories.publish(factories.CaseStudyPageFactory(title="Deep case", parent=listing))
    assert deep.depth > AUDIENCE_DEPTH
    assert "Deep case" not in _listed(None)
    assert "Deep case" in _listed(factories.member_of("Acme"))
    assert members_only(deep, restricted_paths())
    assert not members_only(stories["open case"], restricted_paths())
