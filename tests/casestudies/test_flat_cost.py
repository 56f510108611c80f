"""An uncached story page, API list and feed read no story row twice, and stay exact.

"Uncached" as the benchmark's uncached rows measure it: a visitor with a session cookie
(a member, an editor, anyone who once signed in), whom the page cache never answers.
Once a story page, an API listing page or a feed has been shown, showing it again reads
nothing of the stories from the database, however many there are: the story a page
shows (``casestudies.serving``), the ids a listing or feed lists
(``embeds.stories.kept_newest_story_ids``) and their cards and items are kept under the
content generation. So the cost cannot grow with the corpus; and every change a reader
could see (an edit, a new slug, an unpublish, a deletion, a privacy change on the story
or above it, a renamed industry, a new story) reaches the very next view.
"""

from __future__ import annotations

import json
import pickle
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anonymity.members import make_members_only
from casestudies.models import CaseStudyIndexPage
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    member_of,
    publish,
)

pytestmark = pytest.mark.django_db

# What a story, its tags and its privacy are read from.
STORY_TABLES = ("wagtailcore_page", "casestudies_", "wagtailcore_pageviewrestriction")
LISTS = ("/api/stories/", "/api/stories/?page=2&page_size=2", "/feeds/rss/", "/feeds/atom/")


@pytest.fixture
def visitor(search_index) -> Client:
    """Every request carries a session cookie: the page cache never answers it. (With a
    search index: a page without its related practices is never kept.)"""
    return Client(HTTP_COOKIE="sessionid=no-such-session")


@pytest.fixture
def apparel():
    return IndustryFactory(name="Apparel", slug="apparel")


def story(title: str, **fields):
    return publish(CaseStudyPageFactory(title=title, **fields))


def story_reads(client: Client, url: str) -> list[str]:
    """The statements that read stories, of a view answered 200 without the page cache."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert response["X-Cache"] == "BYPASS"
    return [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in STORY_TABLES)]


def listed_titles(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    if url.startswith("/api/"):
        return [card["title"] for card in json.loads(response.content)["results"]]
    root = ET.fromstring(response.content)
    if root.tag == "rss":
        return [item.findtext("title") for item in root.iter("item")]
    atom = "{http://www.w3.org/2005/Atom}"
    return [entry.findtext(f"{atom}title") for entry in root.iter(f"{atom}entry")]


# --- Flat -------------------------------------------------------------------------------


def test_a_story_page_shown_again_reads_no_story_at_any_corpus_size(visitor, apparel):
    first = story("How a mill repaid recruitment fees", industry=apparel)
    assert visitor.get(first.url).status_code == 200  # the first view reads the story
    assert story_reads(visitor, first.url) == []

    for n in range(6):
        story(f"How peer {n} mapped its agencies", industry=apparel)
    visitor.get(first.url)  # content changed: read once more
    assert story_reads(visitor, first.url) == []
    html = visitor.get(first.url).content.decode()
    assert "How a mill repaid recruitment fees" in html
    assert "Apparel" in html


def test_a_bright_spot_shown_again_reads_no_story_either(visitor):
    spot = publish(BrightSpotPageFactory(title="Deposits returned to 300 workers"))
    visitor.get(spot.url)
    assert story_reads(visitor, spot.url) == []
    assert "Deposits returned to 300 workers" in visitor.get(spot.url).content.decode()


@pytest.mark.parametrize("url", LISTS)
def test_an_api_list_or_feed_shown_again_reads_no_story_at_any_corpus_size(visitor, apparel, url):
    for n in range(3):
        story(f"How peer {n} mapped its agencies", industry=apparel)
    visitor.get(url)
    assert story_reads(visitor, url) == []

    for n in range(3, 9):
        story(f"How peer {n} mapped its agencies", industry=apparel)
    visitor.get(url)
    assert story_reads(visitor, url) == []
    titles = listed_titles(visitor, url)
    if "page=2" in url:
        assert titles == ["How peer 6 mapped its agencies", "How peer 5 mapped its agencies"]
    else:
        assert titles[0] == "How peer 8 mapped its agencies"
        assert len(titles) == 9


# --- Exact ------------------------------------------------------------------------------


def test_an_edit_reaches_the_next_view_at_once(visitor):
    page = story("How a mill repaid recruitment fees")
    for _ in range(2):
        assert "How a mill repaid recruitment fees" in visitor.get(page.url).content.decode()

    page.title = "How a spinning mill repaid every fee"
    publish(page)
    html = visitor.get(page.url).content.decode()
    assert "How a spinning mill repaid every fee" in html
    assert "How a mill repaid recruitment fees" not in html


def test_a_new_slug_moves_the_story_at_once(visitor):
    page = story("How a mill repaid recruitment fees", slug="mill-fees")
    old = page.url
    for _ in range(2):
        assert visitor.get(old).status_code == 200

    page.slug = "spinning-mill-fees"
    publish(page)
    assert visitor.get(old).status_code == 404
    assert visitor.get("/case-studies/spinning-mill-fees/").status_code == 200


@pytest.mark.parametrize("how", ["unpublish", "delete"])
def test_a_story_taken_down_is_missing_at_once(visitor, how):
    page = story("How a mill repaid recruitment fees")
    for _ in range(2):
        assert visitor.get(page.url).status_code == 200

    page.unpublish() if how == "unpublish" else page.delete()
    response = visitor.get(page.url)
    assert response.status_code == 404
    assert "How a mill repaid recruitment fees" not in response.content.decode()


def test_a_listing_made_members_only_hides_its_stories_at_once(visitor):
    page = story("How a mill repaid recruitment fees")
    member = Client()
    member.force_login(member_of("Zorblatt Textiles"))
    for _ in range(2):
        assert visitor.get(page.url).status_code == 200
        assert member.get(page.url).status_code == 200

    make_members_only(CaseStudyIndexPage.objects.get())
    response = visitor.get(page.url)
    assert response.status_code == 404
    assert "How a mill repaid recruitment fees" not in response.content.decode()
    assert "How a mill repaid recruitment fees" in member.get(page.url).content.decode()


def test_a_renamed_industry_reaches_the_story_page_at_once(visitor, apparel):
    page = story("How a mill repaid recruitment fees", industry=apparel)
    for _ in range(2):
        assert ">Apparel</a>" in visitor.get(page.url).content.decode()

    apparel.name = "Garments and footwear"
    apparel.save()
    html = visitor.get(page.url).content.decode()
    assert ">Garments and footwear</a>" in html
    assert ">Apparel</a>" not in html


def test_a_members_only_story_is_never_kept(visitor):
    page = story("How a members-only mill repaid fees")
    member = Client()
    member.force_login(member_of("Zorblatt Textiles"))
    make_members_only(page)
    for _ in range(2):
        assert "How a members-only mill repaid fees" in member.get(page.url).content.decode()
        assert visitor.get(page.url).status_code == 404

    kept = " ".join(repr(pickle.loads(value)) for value in cache._cache.values())
    assert "members-only mill" not in kept


@pytest.mark.parametrize("url", LISTS)
def test_a_new_story_and_a_withdrawn_one_reach_the_next_list_at_once(visitor, url):
    older = [story(f"How peer {n} mapped its agencies") for n in range(3)]
    before = listed_titles(visitor, url)
    assert listed_titles(visitor, url) == before

    story("How a tannery ended deposits")
    after = listed_titles(visitor, url)
    if "page=2" in url:  # the second page starts one story later
        assert after == ["How peer 1 mapped its agencies", "How peer 0 mapped its agencies"]
    else:
        assert after == ["How a tannery ended deposits", *before]

    make_members_only(older[2])
    older[1].unpublish()
    titles = listed_titles(visitor, url)
    assert "How peer 2 mapped its agencies" not in titles
    assert "How peer 1 mapped its agencies" not in titles
    if "page=2" not in url:
        assert titles == ["How a tannery ended deposits", "How peer 0 mapped its agencies"]
