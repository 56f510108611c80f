"""Suggestions as you type at the least a keystroke can cost (issue 12 item 9: p95 under
20 ms under the benchmark's load), without ever naming what the reader may not see.

A suggestion the page cache cannot answer (a signed-in reader, or a text nobody typed since
the last change) sends one request to the search engine, which reads a hit's title, type
and address from the index's doc values rather than opening the stored document, and then
asks the shared cache once for everything else it needs: the taxonomy terms this audience
may be offered and the database's say on each hit, both kept per content generation. These
tests run on a private Redis server, as production does, and count what is actually sent.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from casestudies.models import CaseStudyPage
from search.query import suggest
from tests.factories import BrightSpotPageFactory, IndustryFactory
from tests.search.helpers import industries_and_practices, make_member, story

pytestmark = [pytest.mark.django_db, pytest.mark.pip_only, pytest.mark.usefixtures("shared_cache")]

SUGGEST = "/search/suggest/"
# As an editor may write it: an ampersand, quotes, accents, a dash, at Wagtail's full length.
_ODD = "Café & dye-house: “repaid” fees — Ñandú crews’ 100% refund "
ODD_TITLE = _ODD + "x" * (CaseStudyPage._meta.get_field("title").max_length - len(_ODD))


@pytest.fixture
def catalogue(published):
    apparel, seafood, repay, grievance = industries_and_practices()
    cocoa = IndustryFactory(name="Cocoa", slug="cocoa")
    stories = published(
        story(
            "Trawler hotline for fishing crews", industry=seafood, intervention_types=[grievance]
        ),
        story("Trawler crews repaid their fees", industry=seafood, intervention_types=[repay]),
        story(ODD_TITLE, industry=apparel, intervention_types=[repay]),
        # Only a members-only story uses Cocoa: the term is as confidential as the story.
        story("Cocoa cooperative repays recruitment fees", industry=cocoa),
    )
    return stories


def texts(answer: dict) -> list[str]:
    return [s["text"] for s in answer["suggestions"]]


def test_titles_kinds_and_addresses_come_back_exactly_as_written(catalogue, published):
    spot = published(BrightSpotPageFactory(title="Crewing agency ends fees at the dock"))
    visitor = Client()

    odd = visitor.get(SUGGEST, {"q": "café & dye"}).json()["suggestions"]
    assert odd[0] == {
        "text": ODD_TITLE,
        "kind": "case-study",
        "url": catalogue[2].url,
        "kind_label": "Case study",
    }
    answer = visitor.get(SUGGEST, {"q": "crew"}).json()
    assert sorted(texts(answer)) == sorted(
        [
            "Trawler hotline for fishing crews",
            "Trawler crews repaid their fees",
            ODD_TITLE,  # "crews’" is a title word too
            spot.title,
        ]
    )
    found = {s["text"]: s for s in answer["suggestions"]}
    assert found[spot.title]["kind"] == "bright-spot"
    assert found[spot.title]["kind_label"] == "Bright spot"
    assert found[spot.title]["url"] == spot.url


def test_a_suggestion_is_one_search_request_and_one_cache_round_trip_after_the_generation(
    catalogue, engine_calls, round_trips
):
    anonymous = AnonymousUser()
    first = suggest("traw", anonymous)
    assert sorted(texts(first)) == [
        "Trawler crews repaid their fees",
        "Trawler hotline for fishing crews",
    ]
    # Another text about the same stories: their answers and the terms are all kept.
    engine_calls.clear()
    round_trips.clear()
    with CaptureQueriesContext(connection) as queries:
        answer = suggest("trawler t", anonymous)
    assert sorted(texts(answer)) == sorted(texts(first))
    assert len(engine_calls) == 1
    assert len(queries) == 0
    # The content generation, then the terms and every hit's answer at once.
    assert len(round_trips) == 2

    # A story not asked about yet: the database says whether it is shown, once.
    round_trips.clear()
    with CaptureQueriesContext(connection) as queries:
        assert texts(suggest("café", anonymous)) == [ODD_TITLE]
    assert len(queries) == 1 and "wagtailcore_page" in queries[0]["sql"]
    assert len(round_trips) == 3  # the generation, the lookup, and the answer kept


def test_what_a_member_was_offered_first_is_never_offered_to_an_outsider(catalogue, committed):
    cocoa_story = catalogue[3]
    with committed():
        PageViewRestriction.objects.create(page=cocoa_story, restriction_type="login")
    member = Client()
    member.force_login(make_member())
    # The member asks first, so the cache holds the members' answers for these texts.
    for text in ("coc", "cocoa co", "rep", "trawler"):
        answer = member.get(SUGGEST, {"q": text}).json()
        if text.startswith("coc"):
            assert cocoa_story.title in texts(answer)
    assert "Cocoa" in texts(member.get(SUGGEST, {"q": "coc"}).json())

    outsider = Client()
    for text in ("coc", "cocoa co", "rep", "trawler"):
        body = outsider.get(SUGGEST, {"q": text}).content.decode()
        assert "Cocoa" not in body and cocoa_story.title not in body
    assert "Trawler crews repaid their fees" in texts(outsider.get(SUGGEST, {"q": "rep"}).json())
    # A signed-in reader who is no member is an outsider too.
    staff = Client()
    staff.force_login(User.objects.create_user("editor", password="pw"))
    body = staff.get(SUGGEST, {"q": "coc"}).content.decode()
    assert "Cocoa" not in body and cocoa_story.title not in body


def test_a_withdrawn_story_and_its_only_term_leave_every_readers_suggestions(catalogue):
    member = Client()
    member.force_login(make_member())
    assert "Cocoa" in texts(member.get(SUGGEST, {"q": "coc"}).json())
    catalogue[3].unpublish()  # no commit callbacks: the index still holds the story
    answer = member.get(SUGGEST, {"q": "coc"}).json()
    assert texts(answer) == []
    assert texts(Client().get(SUGGEST, {"q": "coc"}).json()) == []
