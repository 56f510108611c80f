"""Every page type renders for a visitor, with its story, tags and page metadata."""

import re

import pytest

from casestudies.models import BrightSpotIndexPage, CaseStudyIndexPage, HomePage
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    MetricResultFactory,
    StoryImageFactory,
    publish,
)

pytestmark = pytest.mark.django_db


def test_case_study_page_tells_the_whole_story(client):
    page = publish(
        CaseStudyPageFactory(
            title="How a spinning mill ended placement fees",
            intervention_types=[InterventionTypeFactory(name="Ending recruitment fees")],
        )
    )
    MetricResultFactory(page=page, baseline=0, result=1250, metric__name="Workers reached")
    MetricResultFactory(
        page=page, baseline=0, result=480, precision="exact", metric__name="Fees repaid"
    )
    publish(page)

    html = client.get(page.url).content.decode()

    assert "How a spinning mill ended placement fees" in html
    for heading in ["The challenge", "The steps taken", "What did not work", "Lessons", "Results"]:
        assert heading in html
    assert "Map the recruitment corridor" in html  # a step block
    assert "USD 10,000 – 100,000" in html  # its cost band, in words
    assert "Ending recruitment fees" in html
    assert "1,300 workers" in html  # published rounded, the default
    assert "1,250" not in html
    assert "480 workers" in html  # the editor chose to publish this one exactly


def test_bright_spot_shows_its_headline_metric_and_links_to_the_full_story(client):
    case_study = publish(CaseStudyPageFactory(title="The full fee repayment story"))
    spot = publish(
        BrightSpotPageFactory(
            title="Every fee repaid",
            case_study=case_study,
            metric_value=1200,
            metric__name="Recruitment fees repaid",
            metric__unit="USD",
        )
    )

    html = client.get(spot.url).content.decode()

    assert "Every fee repaid" in html
    assert "1,200 USD" in html or "1200 USD" in html
    assert f'href="{case_study.url}"' in html


def test_home_leads_with_bright_spots_and_featured_case_studies(client):
    seafood = IndustryFactory(name="Seafood", slug="seafood")  # listed: a story uses it
    publish(BrightSpotPageFactory(title="Grievances resolved in weeks", industry=seafood))
    publish(CaseStudyPageFactory(title="A featured practice", featured=True))
    publish(CaseStudyPageFactory(title="An ordinary practice", featured=False))

    html = client.get("/").content.decode()

    assert "Grievances resolved in weeks" in html
    assert "A featured practice" in html
    assert "An ordinary practice" not in html
    assert 'action="/search/"' in html
    assert 'href="/search/?industry=seafood"' in html


def test_listings_page_through_published_stories_only(client):
    live = publish(CaseStudyPageFactory(title="Published practice"))
    CaseStudyPageFactory(title="Draft practice", live=False)
    publish(BrightSpotPageFactory(title="Published bright spot"))

    listing = client.get("/case-studies/").content.decode()
    assert live.title in listing
    assert "Draft practice" not in listing
    assert "Published bright spot" in client.get("/bright-spots/").content.decode()
    assert client.get("/case-studies/?page=abc").status_code == 200
    assert client.get("/case-studies/?page=99999").status_code == 200


def test_contract_addresses_of_the_listings():
    assert CaseStudyIndexPage.objects.get().url == "/case-studies/"
    assert BrightSpotIndexPage.objects.get().url == "/bright-spots/"
    assert HomePage.objects.get().url == "/"


@pytest.mark.parametrize("factory", [CaseStudyPageFactory, BrightSpotPageFactory])
def test_every_story_has_title_description_and_canonical_url(client, factory, settings):
    settings.SITE_URL = "https://heres-how.example.org"
    page = publish(factory(search_description=""))
    html = client.get(page.url).content.decode()

    assert re.search(r"<title>[^<]*" + re.escape(page.title), html)
    description = re.search(r'<meta name="description" content="([^"]+)"', html)
    assert description and len(description.group(1)) > 20
    assert f'<link rel="canonical" href="https://heres-how.example.org{page.url}">' in html


def test_hero_images_are_responsive_webp_renditions(client):
    page = publish(
        CaseStudyPageFactory(hero_image=StoryImageFactory(), hero_alt="Workers at a meeting")
    )
    html = client.get(page.url).content.decode()

    img = re.search(r"<img[^>]+srcset=\"([^\"]+)\"[^>]*>", html)
    assert img, "the hero image has a srcset"
    candidates = img.group(1).split(",")
    assert len(candidates) >= 2
    assert all(".webp" in c for c in candidates)
    assert 'alt="Workers at a meeting"' in img.group(0)


def test_pages_use_no_external_css_or_scripts(client):
    page = publish(CaseStudyPageFactory())
    for url in ["/", "/case-studies/", page.url]:
        html = client.get(url).content.decode()
        assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="(https?:)?//', html), url
        assert not re.search(r'<script[^>]+src="(https?:)?//', html), url
