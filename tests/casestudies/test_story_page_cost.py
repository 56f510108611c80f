"""A story page costs the same few SQL queries however many steps, results and files it has.

Measured as the benchmark's "case study (uncached)" row does it: a visitor whose session
cookie keeps the page cache from answering, so the page is rendered for them. Warm: the
story's body is already cached for every reader (``public_part`` in story_tags); cold: the first
view after a publish, when the body, the share panel and related practices are rendered
again. Neither may grow with the blocks of the story: snippets, documents, linked pages,
results and the hero image's renditions are each loaded in bulk, once.
"""

import pickle
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.documents.models import Document
from wagtail.models import PageViewRestriction, Site

from anonymity.members import make_members_only
from casestudies.models import HomePage
from perf.renditions import generate_renditions
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    StepKindFactory,
    StoryImageFactory,
    make_image_file,
    member_of,
    publish,
    step,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    """An anonymous visitor whose every request carries a session cookie (as the benchmark's
    uncached rows send it): never served from the page cache."""
    return Client(HTTP_COOKIE="sessionid=no-such-session")


@pytest.fixture
def vocabulary(search_index):
    image = StoryImageFactory()
    generate_renditions([image])  # what the upload task does
    peer = publish(CaseStudyPageFactory(title="How a peer mapped its agencies"))
    Client().get(peer.url)  # a warm process: content types and site paths are known
    return {
        "image": image,
        "peer": peer,
        "kinds": [StepKindFactory(name=f"Step kind {n}") for n in range(4)],
        "metrics": [MetricDefinitionFactory(name=f"Workers reached {n}") for n in range(4)],
        "documents": [
            Document.objects.create(title=f"Supplier code {n}", file=make_image_file(f"c{n}.jpg"))
            for n in range(3)
        ],
    }


def case_study(vocabulary: dict, blocks: int):
    """A public case study with ``blocks`` steps (each with a kind and a link to a peer
    story), results and resources."""
    peer, kinds = vocabulary["peer"], vocabulary["kinds"]
    documents = vocabulary["documents"]
    page = CaseStudyPageFactory(
        title=f"How a mill repaid fees in {blocks} steps",
        hero_image=vocabulary["image"],
        hero_alt="Workers at a training session",
        steps=[
            step(
                heading=f"Step number {n}",
                kind=kinds[n % len(kinds)],
                text=f'<p>As <a linktype="page" id="{peer.pk}">a peer did</a>, step {n}.</p>',
            )
            for n in range(blocks)
        ],
        resources=[
            *(
                ("document", {"document": documents[n % len(documents)], "description": ""})
                for n in range(blocks)
            ),
            ("link", {"title": "ILO indicators", "url": "https://www.ilo.org/", "description": ""}),
        ],
    )
    for n in range(blocks):
        MetricResultFactory(page=page, metric=vocabulary["metrics"][n % 4], result=100 + n)
    return publish(page)


def queries_for(browser: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200
    assert response.get("X-Cache") != "HIT", "measured uncached"
    return len(queries), response.content.decode()


def test_the_first_view_after_a_publish_costs_the_same_for_two_or_twelve_steps(visitor, vocabulary):
    counts = {}
    for blocks in (2, 12):
        page = case_study(vocabulary, blocks)
        counts[blocks], html = queries_for(visitor, page.url)  # the first view since publish
        assert html.count('class="step"') == blocks
        assert f"Step number {blocks - 1}" in html
        assert f'href="{vocabulary["peer"].url}"' in html
        assert "Supplier code 2" in html if blocks > 2 else "Supplier code 1" in html
    assert counts[2] == counts[12]


def test_a_story_body_already_cached_costs_the_same_for_two_or_twelve_steps(visitor, vocabulary):
    counts = {}
    for blocks in (2, 12):
        page = case_study(vocabulary, blocks)
        visitor.get(page.url)  # renders and keeps the body
        counts[blocks], html = queries_for(visitor, page.url)
        assert html.count('class="step"') == blocks
    assert counts[2] == counts[12]
    # The story (with its industry, region and image), view restrictions, the session,
    # and at most the cache generation: the site and home page are kept (casestudies.sites).
    assert counts[12] <= 4


def test_a_bright_spot_is_found_as_cheaply_as_a_case_study(visitor, vocabulary):
    story = publish(CaseStudyPageFactory(title="How a tannery ended deposits"))
    spot = publish(BrightSpotPageFactory(title="Deposits returned to workers"))
    for page in (story, spot):
        visitor.get(page.url)
    story_queries, _ = queries_for(visitor, story.url)
    spot_queries, html = queries_for(visitor, spot.url)
    assert "Deposits returned to workers" in html
    assert spot_queries == story_queries


def test_an_alias_of_a_members_only_story_is_missing_for_outsiders(client, vocabulary):
    story = publish(CaseStudyPageFactory(title="How a members-only mill repaid fees"))
    make_members_only(story)
    alias = story.create_alias(update_slug="the-same-story-elsewhere")
    # Wagtail reads an alias's privacy from its source page, whatever the alias holds itself.
    PageViewRestriction.objects.filter(page=alias).delete()

    response = client.get(alias.url)
    assert response.status_code == 404
    assert "members-only mill" not in response.content.decode()


# --- What an uncached story view still asks for ------------------------------------------


def test_an_uncached_story_view_asks_nothing_about_the_site_or_the_home_page(visitor, vocabulary):
    page = case_study(vocabulary, 2)
    visitor.get(page.url)  # renders and keeps the body
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(page.url)
    assert response.status_code == 200
    assert "How a mill repaid fees in 2 steps" in response.content.decode()
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "wagtailcore_site" not in tables
    assert "casestudies_homepage" not in tables
    # The story (with its industry, region and image), its view restrictions, the
    # session and the cache generation.
    assert len(queries) <= 4


def test_a_home_page_edit_reaches_uncached_visitors_at_once(visitor, vocabulary):
    home = HomePage.objects.get()
    assert visitor.get("/").status_code == 200
    home.intro = "Peers show how they repaid Vantorel fees."
    home.save_revision().publish()

    assert "Peers show how they repaid Vantorel fees." in visitor.get("/").content.decode()


def test_a_site_that_stops_answering_for_a_host_does_so_at_once(visitor, vocabulary):
    page = case_study(vocabulary, 2)
    assert visitor.get(page.url).status_code == 200
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.is_default_site = "localhost", False
    site.save()

    assert visitor.get(page.url).status_code == 404
    assert Client(HTTP_HOST="localhost").get(page.url).status_code == 200


def test_a_story_made_members_only_is_missing_at_once_for_those_who_just_read_it(
    visitor, vocabulary
):
    page = case_study(vocabulary, 2)
    member = Client()
    member.force_login(member_of("Zorblatt Textiles"))
    assert visitor.get(page.url).status_code == 200
    make_members_only(page)

    response = visitor.get(page.url)
    assert response.status_code == 404
    assert "How a mill repaid fees" not in response.content.decode()
    assert "How a mill repaid fees in 2 steps" in member.get(page.url).content.decode()


def nonces(response) -> tuple[str, str]:
    """The nonce of the story's JSON-LD script, and the one its CSP header allows."""
    html = response.content.decode()
    script = re.search(r'<script type="application/ld\+json" nonce="([^"]+)">', html).group(1)
    header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    return script, header


def test_the_kept_head_tags_carry_each_views_own_nonce(visitor, vocabulary):
    page = case_study(vocabulary, 2)
    first = nonces(visitor.get(page.url))
    second = nonces(visitor.get(page.url))

    assert first[0] == first[1]
    assert second[0] == second[1]
    assert first[0] != second[0]


def test_a_members_only_storys_head_tags_are_never_kept(vocabulary):
    page = case_study(vocabulary, 2)
    member = Client()
    member.force_login(member_of("Zorblatt Textiles"))
    make_members_only(page)
    for _ in range(2):
        html = member.get(page.url).content.decode()
        assert '<meta property="og:title" content="How a mill repaid fees in 2 steps">' in html

    kept = " ".join(repr(pickle.loads(value)) for value in cache._cache.values())
    assert "How a mill repaid fees in 2 steps" not in kept


def test_a_case_study_and_a_bright_spot_sharing_a_slug_each_answer_at_their_address(
    visitor, vocabulary
):
    story = publish(CaseStudyPageFactory(title="How a tannery ended deposits", slug="deposits"))
    spot = publish(BrightSpotPageFactory(title="Deposits returned to 300 workers", slug="deposits"))
    for _ in range(2):  # the second time, each address is looked up the prepared way
        assert "How a tannery ended deposits" in visitor.get(story.url).content.decode()
        assert "Deposits returned to 300 workers" in visitor.get(spot.url).content.decode()
    assert visitor.get("/case-studies/no-such-story/").status_code == 404
