"""A story reads the same on every surface: its kind, its card, its results table, the
addresses of the listings. Each is written once, so these would drift apart otherwise."""

import json
import re
from html import unescape

import pytest

from casestudies.models import CaseStudyIndexPage
from search.indexing import rebuild
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    MetricResultFactory,
    StoryImageFactory,
    publish,
)

pytestmark = pytest.mark.django_db


def card(html: str, title: str) -> dict[str, str]:
    """The parts of the card for ``title`` that every kind of card shows."""
    for article in re.findall(r'<article class="card [^"]*">.*?</article>', html, re.S):
        if f">{title}</a>" in article:
            img = re.search(r"<img [^>]*>", article)
            return {
                "class": re.match(r'<article class="([^"]*)"', article)[1],
                "kind": re.search(r'<p class="card__kind">([^<]*)</p>', article)[1],
                "title": re.search(r'<h3 class="card__title"><a href="([^"]*)">', article)[1],
                "image": img[0] if img else "",
            }
    raise AssertionError(f"no card for {title!r}")


def test_a_story_card_is_the_same_in_listings_search_results_and_on_the_dashboard(
    client, search_index
):
    apparel = IndustryFactory(name="Apparel")
    image = StoryImageFactory()
    study = publish(
        CaseStudyPageFactory(
            title="Mill repays recruitment fees",
            industry=apparel,
            hero_image=image,
            hero_alt="Workers at a meeting",
        )
    )
    spot = publish(
        BrightSpotPageFactory(title="Fees repaid at a cannery", industry=apparel, hero_image=image)
    )
    rebuild()

    listing = card(client.get("/case-studies/").content.decode(), study.title)
    found = card(client.get("/search/?q=recruitment+fees").content.decode(), study.title)
    assert listing == found
    assert listing["class"] == "card card--case-study"
    assert listing["kind"] == "Case study · Apparel"
    assert listing["title"] == study.url
    assert 'class="card__image"' in listing["image"] and ".webp" in listing["image"]
    assert 'alt="Workers at a meeting"' in listing["image"]

    on_home = card(client.get("/").content.decode(), spot.title)
    in_results = card(client.get("/search/?type=bright-spot").content.decode(), spot.title)
    on_dashboard = card(client.get("/impact/").content.decode(), spot.title)
    assert on_home == in_results == on_dashboard
    assert on_home["kind"] == "Bright spot · Apparel"


def test_every_surface_calls_a_story_by_the_same_kind(client):
    spot = publish(BrightSpotPageFactory(title="Fees repaid at a cannery"))
    page = client.get(spot.url).content.decode()

    assert '<p class="story__kind">Bright spot · ' in page
    json_ld = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
    assert json.loads(json_ld[1])["articleSection"] == "Bright spot"
    embed_card = client.get(f"/embed/{spot.pk}/").content.decode()
    assert '<p class="card__kind">Bright spot · ' in embed_card
    assert "<category>Bright spot</category>" in client.get("/feeds/rss/").content.decode()
    assert client.get(f"/api/stories/{spot.pk}/").json()["type"] == "bright-spot"


def rows(table: str) -> list[list[str]]:
    """Each row's cells as text, the row header first."""
    found = []
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S)[1]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return found


def test_the_results_table_reads_the_same_on_the_page_and_in_the_republished_html(client):
    study = publish(CaseStudyPageFactory(title="Mill repays recruitment fees"))
    MetricResultFactory(
        page=study, baseline=1200, result=412345, metric__name="Fees repaid", metric__unit="USD"
    )
    study = publish(study)

    html = client.get(study.url).content.decode()
    on_page = rows(re.search(r'<table class="results">.*?</table>', html, re.S)[0])
    raw = re.search(r'<textarea id="republish-html"[^>]*>(.*?)</textarea>', html, re.S)[1]
    republished = rows(re.search(r"<table>.*?</table>", unescape(raw), re.S)[0])

    assert on_page == republished
    assert on_page[0][:3] == ["Fees repaid", "1,200 USD", "410,000 USD"]


def test_the_navigation_follows_a_listing_the_editor_moves_to_a_new_address(client):
    study = publish(CaseStudyPageFactory(title="Mill repays recruitment fees"))
    nav = re.compile(r'<a href="([^"]*)">Case studies</a>')
    assert nav.search(client.get("/").content.decode())[1] == "/case-studies/"

    listing = CaseStudyIndexPage.objects.get()
    listing.slug = "practices"
    publish(listing)

    home = client.get("/").content.decode()
    assert nav.search(home)[1] == "/practices/"
    assert re.search(r'<a href="/practices/">All case studies</a>', home)
    assert client.get(f"/practices/{study.slug}/").status_code == 200
