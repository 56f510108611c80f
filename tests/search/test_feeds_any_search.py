"""Every search has an RSS and an Atom feed: the same words, facets and audience."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings as django_settings
from wagtail.models import PageViewRestriction

from search.server import free_port
from tests.factories import (
    BrightSpotPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    RegionFactory,
)
from tests.search.helpers import story

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return [item.findtext("title") for item in channel.findall("item")]


def atom_titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]


@pytest.fixture
def shelf(published, committed):
    """Six public stories published one after another (newest last) and a members-only one."""
    apparel = IndustryFactory(name="Apparel", slug="apparel")
    seafood = IndustryFactory(name="Seafood", slug="seafood")
    asia = RegionFactory(name="South-East Asia", slug="south-east-asia")
    repay = InterventionTypeFactory(name="Fee repayment", slug="fee-repayment")
    hotline = InterventionTypeFactory(name="Hotline", slug="hotline")
    stories = [
        ("Mill repays recruitment fees", apparel, asia, repay, 2019),
        ("Trawler hotline for fishers", seafood, asia, hotline, 2021),
        ("Cannery repays recruitment fees", seafood, asia, repay, 2022),
        ("Tannery hotline", apparel, None, hotline, 2022),
        ("Hatchery repays fees to divers", seafood, None, repay, 2023),
    ]
    pages = [
        published(
            story(
                title,
                summary=f"{title}.",
                industry=industry,
                intervention_types=[intervention],
                year_started=year,
                year_ended=year,
                **({"region": region} if region else {}),
            )
        )
        for title, industry, region, intervention, year in stories
    ]
    pages.append(
        published(
            BrightSpotPageFactory(
                title="Fees repaid to 300 fishers",
                body="Fees repaid to 300 fishers in a year.",
                industry=seafood,
                region=asia,
                intervention_types=[repay],
                year_started=2022,
                year_ended=2022,
            )
        )
    )
    secret = published(
        story(
            "Members-only cannery fees",
            summary="Recruitment fees.",
            industry=seafood,
            intervention_types=[repay],
        )
    )
    with committed():
        PageViewRestriction.objects.create(page=secret, restriction_type="login")
    return pages


def test_a_feed_follows_the_facets_of_the_search(client, shelf):
    rss = rss_titles(client.get("/feeds/search/rss/?industry=seafood&intervention=fee-repayment"))
    assert rss == [
        "Fees repaid to 300 fishers",
        "Hatchery repays fees to divers",
        "Cannery repays recruitment fees",
    ]

    atom = atom_titles(
        client.get("/feeds/search/atom/?region=south-east-asia&year=2021&year=2022&type=case-study")
    )
    assert atom == ["Cannery repays recruitment fees", "Trawler hotline for fishers"]

    # No filter at all: every public story, newest first, never the members-only one.
    everything = rss_titles(client.get("/feeds/search/rss/"))
    assert everything == [p.title for p in reversed(shelf)]


def test_with_words_the_feed_uses_the_search_engine_newest_first(client, shelf):
    titles = rss_titles(client.get("/feeds/search/rss/?q=fees"))
    assert titles == [
        "Fees repaid to 300 fishers",
        "Hatchery repays fees to divers",
        "Cannery repays recruitment fees",
        "Mill repays recruitment fees",
    ]
    assert "Members-only cannery fees" not in client.get("/feeds/search/atom/?q=fees").text

    # Words and facets together; a copied search address's sort and page are ignored.
    narrowed = client.get("/feeds/search/atom/?q=fees&industry=apparel&sort=relevance&page=2")
    assert atom_titles(narrowed) == ["Mill repays recruitment fees"]
    feed = ET.fromstring(narrowed.content)
    assert (
        feed.findtext(f"{ATOM}title")
        == f"{django_settings.WAGTAIL_SITE_NAME}: “fees” · Industry: Apparel"
    )
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["alternate"] == (
        f"{django_settings.SITE_URL}/search/?q=fees&industry=apparel&sort=newest"
    )
    assert links["self"].endswith(
        "/feeds/search/atom/?q=fees&industry=apparel&sort=relevance&page=2"
    )


def test_the_search_page_links_to_its_feeds_and_they_list_what_it_lists(client, shelf):
    page = client.get("/search/?q=fees&industry=seafood&sort=newest&page=1")
    text = page.content.decode()
    head = text.split("</head>")[0]
    alternates = dict(
        re.findall(
            r'<link rel="alternate" type="application/(rss|atom)\+xml"[^>]*href="([^"]+)"', head
        )
    )
    assert alternates == {
        "rss": "/feeds/search/rss/?q=fees&amp;industry=seafood",
        "atom": "/feeds/search/atom/?q=fees&amp;industry=seafood",
    }
    visible = re.search(r'Follow this search: <a href="([^"]+)"[^>]*>RSS</a>', text)
    assert visible is not None
    feed = rss_titles(client.get(html.unescape(visible.group(1))))
    assert feed == [
        "Fees repaid to 300 fishers",
        "Hatchery repays fees to divers",
        "Cannery repays recruitment fees",
    ]
    assert all(title in text for title in feed)
    assert text.count('class="card ') == len(feed)


@pytest.mark.parametrize(
    ("address", "named"),
    [
        ("/feeds/search/rss/?industry=no-such-industry", "unknown industry: 'no-such-industry'"),
        (
            "/feeds/search/atom/?intervention=hotline&intervention=nope",
            "unknown intervention: 'nope'",
        ),
        ("/feeds/search/rss/?type=podcast", "type"),
        ("/feeds/search/rss/?year=twenty", "not a year: 'twenty'"),
        ("/feeds/search/rss/?colour=red", "colour: unknown parameter"),
        ("/feeds/search/rss/?q=" + "fees " * 50, "q"),
    ],
)
def test_a_feed_of_an_unknown_value_says_which_and_is_not_a_server_error(
    client, shelf, address, named
):
    response = client.get(address)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert named in response.content.decode()


def test_search_down_a_feed_with_words_answers_503_with_retry_after(client, shelf, settings):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    response = client.get("/feeds/search/rss/?q=fees")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "temporarily unavailable" in response.content.decode()
    # Facets alone come from the database and keep working.
    assert rss_titles(client.get("/feeds/search/rss/?industry=apparel")) == [
        "Tannery hotline",
        "Mill repays recruitment fees",
    ]


def test_a_feed_is_bounded(client, shelf, monkeypatch):
    from embeds import feeds

    monkeypatch.setattr(feeds, "FEED_LENGTH", 2)
    assert len(rss_titles(client.get("/feeds/search/rss/"))) == 2
    assert len(atom_titles(client.get("/feeds/search/atom/?q=fees"))) == 2


def test_the_facet_feeds_keep_their_addresses(client, shelf):
    assert rss_titles(client.get("/feeds/industry/apparel/rss/")) == [
        "Tannery hotline",
        "Mill repays recruitment fees",
    ]
    assert client.get("/feeds/rss/").status_code == 200


def follow_link(response) -> str:
    """The feed's link to the e-mail sign-up for its search, as a reader app finds it."""
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)
    parent = root.find("channel") if root.tag == "rss" else root
    [link] = [
        element
        for element in parent.findall(f"{ATOM}link") + parent.findall("link")
        if element.get("rel") == "related"
    ]
    assert link.get("title") == "Follow this search by e-mail"
    return link.get("href").removeprefix(django_settings.SITE_URL)


@pytest.mark.parametrize(
    ("feed", "follow", "label"),
    [
        ("/feeds/industry/seafood/rss/", "/alerts/follow/?industry=seafood", "Industry: Seafood"),
        (
            "/feeds/intervention/fee-repayment/rss/",
            "/alerts/follow/?intervention=fee-repayment",
            "Intervention type: Fee repayment",
        ),
        (
            "/feeds/search/rss/?q=fees&industry=seafood&sort=newest",
            "/alerts/follow/?q=fees&industry=seafood",
            "“fees” · Industry: Seafood",
        ),
        (
            "/feeds/search/atom/?q=fees&industry=seafood",
            "/alerts/follow/?q=fees&industry=seafood",
            "“fees” · Industry: Seafood",
        ),
        ("/feeds/rss/", "/alerts/follow/", "Every new story"),
        ("/feeds/atom/", "/alerts/follow/", "Every new story"),
    ],
)
def test_every_feed_links_to_following_its_search_by_e_mail(client, shelf, feed, follow, label):
    address = follow_link(client.get(feed))
    assert address == follow
    page = client.get(address)
    assert page.status_code == 200
    assert f"matches <strong>{html.escape(label)}</strong>" in page.content.decode()
