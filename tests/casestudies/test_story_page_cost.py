"""A story page costs the same few SQL queries however many steps, results and files it has.

Measured as the benchmark's "case study (uncached)" row does it: a visitor whose session
cookie keeps the page cache from answering, so the page is rendered for them. Warm: the
story's body is already cached for every reader (perf's ``public_part``); cold: the first
view after a publish, when the body, the share panel and related practices are rendered
again. Neither may grow with the blocks of the story: snippets, documents, linked pages,
results and the hero image's renditions are each loaded in bulk, once.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.documents.models import Document
from wagtail.models import PageViewRestriction

from anonymity.members import make_members_only
from perf.renditions import generate_renditions
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    StepKindFactory,
    StoryImageFactory,
    make_image_file,
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
    # Site, home page, story (with its industry, region and image), view restrictions,
    # the session, and at most the cache generation.
    assert counts[12] <= 6


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
