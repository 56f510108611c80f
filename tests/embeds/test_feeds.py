"""RSS and Atom feeds list public, live stories only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return [
        {
            "title": i.findtext("title"),
            "link": i.findtext("link"),
            "text": i.findtext("description"),
        }
        for i in channel.findall("item")
    ]


def test_rss_lists_public_stories_newest_first(
    client, case_study, bright_spot, draft_story, members_only_story
):
    response = client.get("/feeds/rss/")
    items = rss_items(response)
    assert [i["title"] for i in items] == [bright_spot.title, case_study.title]
    assert items[1]["link"] == settings.SITE_URL + case_study.url
    assert "1,500 workers" in items[1]["text"]
    body = response.content.decode()
    assert draft_story.title not in body and members_only_story.title not in body
    assert_no_secrets(body)


def test_atom_feed(client, case_study, members_only_story):
    response = client.get("/feeds/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [case_study.title]
    assert entries[0].find(f"{ATOM}link").get("href") == settings.SITE_URL + case_study.url
    assert entries[0].findtext(f"{ATOM}updated")


def test_industry_feed_lists_that_industry_only(client, case_study, bright_spot):
    assert [i["title"] for i in rss_items(client.get("/feeds/industry/seafood/rss/"))] == [
        bright_spot.title
    ]
    assert [i["title"] for i in rss_items(client.get("/feeds/industry/apparel/rss/"))] == [
        case_study.title
    ]


def test_intervention_feed(client, case_study, bright_spot, employer_pays, members_only_story):
    items = rss_items(client.get("/feeds/intervention/employer-pays/rss/"))
    assert [i["title"] for i in items] == [case_study.title]


def test_unknown_taxonomy_feed_is_404(client):
    assert client.get("/feeds/industry/no-such-industry/rss/").status_code == 404
    assert client.get("/feeds/intervention/nope/rss/").status_code == 404


def test_unpublishing_removes_a_story_from_feeds(client, case_study):
    case_study.unpublish()
    assert rss_items(client.get("/feeds/rss/")) == []
