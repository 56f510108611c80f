"""What an uncached feed costs, and that its kept items never outlive what they say.

A feed request the page cache does not answer (a visitor with a session cookie) reads
its stories from rows and keeps each item written under the content generation
(``embeds.feeds.feed_entries``). Here: the items are the very bytes Django's syndication
framework writes from the pages, the SQL count stays the same however many stories there
are, and every change a reader could see (an edit, a rename, a privacy change, an
unpublish) reaches the next feed at once.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.conf import settings
from django.test import Client
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.xmlutils import SimplerXMLGenerator
from wagtail.models import Page, PageViewRestriction

from casestudies.addresses import canonical_url
from casestudies.figures import BANDED, EXACT
from embeds import feeds
from embeds.stories import headline_metric
from perf.cache import invalidate_pages
from tests import factories

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def reader() -> Client:
    """A visitor the page cache never answers: every request renders the feed."""
    client = Client()
    client.cookies["sessionid"] = "not-a-real-session"
    return client


def feed_titles(response) -> list[str]:
    assert response.status_code == 200
    assert response["X-Cache"] != "HIT", "measured uncached"
    root = ET.fromstring(response.content)
    if root.tag == "rss":
        return [item.findtext("title") for item in root.find("channel").findall("item")]
    return [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]


def rss_item(response, title: str) -> ET.Element:
    channel = ET.fromstring(response.content).find("channel")
    return next(item for item in channel.findall("item") if item.findtext("title") == title)


def django_items(feed_type, pages: list) -> str:
    """The items as Django's syndication framework writes them from the page objects,
    with the page's own methods: what the feeds wrote before they read rows."""
    feed = feed_type(title="", link="", description="")
    for page in pages:
        metric = headline_metric(page)
        lead = f"{metric['display']} {metric['unit']} ({metric['metric']}). " if metric else ""
        link = canonical_url(page)
        feed.add_item(
            title=page.title,
            link=link,
            description=lead + strip_tags(page.summary_text()),
            unique_id=link,
            pubdate=page.first_published_at,
            updateddate=page.last_published_at,
            categories=[
                page.story_type_label,
                page.industry.name,
                *(t.name for t in page.intervention_types.all()),
            ],
            item_copyright=settings.REPUBLISH_LICENCE,
        )
    written = StringIO()
    feed.write_items(SimplerXMLGenerator(written, "utf-8", short_empty_elements=True))
    return written.getvalue()


def written_items(response, first: str, end: str) -> str:
    body = response.content.decode()
    return body[body.index(first) : body.index(end)]


def test_items_are_the_bytes_django_writes_from_the_pages(
    reader, case_study, bright_spot, draft_story, members_only_story
):
    worker_voice = factories.InterventionTypeFactory(name="Worker voice", slug="worker-voice")
    audits = factories.InterventionTypeFactory(name="Audits & checks", slug="audits")
    banded_first = factories.CaseStudyPageFactory(
        title="Ending fees — a café chain’s “quiet” supplier work",
        summary="Fees <b>fell</b> & workers were repaid: <i>all</i> of them.",
        intervention_types=[worker_voice, audits],
    )
    reached = factories.MetricDefinitionFactory(name="Workers reached", slug="workers-reached")
    for result, precision in ((412345, BANDED), (1234.5, EXACT)):
        factories.MetricResultFactory(
            page=banded_first, metric=reached, result=result, precision=precision
        )
    banded_first = factories.publish(banded_first)
    no_figure = factories.publish(factories.CaseStudyPageFactory(title="No figure published"))
    rounded = factories.publish(
        factories.BrightSpotPageFactory(title="Rounded headline", metric_value=412345)
    )
    pages = [rounded, no_figure, banded_first, bright_spot, case_study]
    pages = [Page.objects.get(pk=p.pk).specific for p in pages]

    for _ in ("read from the rows", "kept"):
        rss = reader.get("/feeds/rss/")
        assert feed_titles(rss) == [p.title for p in pages]
        assert written_items(rss, "<item>", "</channel>") == django_items(Rss201rev2Feed, pages)
        atom = reader.get("/feeds/atom/")
        assert written_items(atom, "<entry>", "</feed>") == django_items(Atom1Feed, pages)
    described = rss_item(rss, banded_first.title).findtext("description")
    # The banded first result has no single figure: the exact second one leads.
    assert described == (
        "1,234.50 workers (Workers reached). Fees fell & workers were repaid: all of them."
    )
    assert_no_secrets(rss.content.decode() + atom.content.decode())


def add_stories(count: int, industry) -> None:
    for n in range(count):
        factories.publish(factories.CaseStudyPageFactory(title=f"Study {n}", industry=industry))
        factories.publish(factories.BrightSpotPageFactory(title=f"Spot {n}", industry=industry))


def feed_queries(client, url: str, django_assert_max_num_queries) -> tuple[int, int]:
    """Queries of the first feed request after a publish (nothing kept), then of the next,
    in a warm process (the site and its root paths, kept whatever is published, known)."""
    client.get(url)
    invalidate_pages("a publish")
    counts = []
    for _ in range(2):
        with django_assert_max_num_queries(9) as queries:
            response = client.get(url)
        feed_titles(response)
        counts.append(len(queries))
    return counts[0], counts[1]


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/industry/apparel/rss/",
        "/feeds/search/rss/?type=case-study",
    ],
)
def test_an_uncached_feed_costs_the_same_queries_at_any_size(
    reader, url, monkeypatch, apparel, django_assert_max_num_queries
):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 3)
    factories.publish(factories.CaseStudyPageFactory(industry=apparel))
    small = feed_queries(reader, url, django_assert_max_num_queries)
    add_stories(3, apparel)
    factories.publish(factories.CaseStudyPageFactory(industry=apparel, title="Newest of all"))
    large = feed_queries(reader, url, django_assert_max_num_queries)
    assert small == large
    first, kept = large
    assert kept < first  # the items come from the cache, only the story ids from the database
    titles = feed_titles(reader.get(url))
    assert len(titles) == 3 and titles[0] == "Newest of all"


def test_kept_items_follow_every_change_a_reader_sees(
    reader, case_study, bright_spot, employer_pays, members_only_story
):
    for url in ("/feeds/rss/", "/feeds/atom/"):  # both kept
        assert feed_titles(reader.get(url)) == [bright_spot.title, case_study.title]

    case_study.title = "How a garment maker repaid every recruitment fee"
    case_study = factories.publish(case_study)
    assert feed_titles(reader.get("/feeds/atom/")) == [bright_spot.title, case_study.title]

    employer_pays.name = "Employer pays principle"
    employer_pays.save()
    metric = bright_spot.metric
    metric.name = "Recruitment fees repaid"
    metric.save()
    rss = reader.get("/feeds/rss/")
    assert "Employer pays principle" in [c.text for c in rss_item(rss, case_study.title)]
    spot = rss_item(rss, bright_spot.title).findtext("description")
    assert spot.startswith("250,000 USD (Recruitment fees repaid). ")

    PageViewRestriction.objects.create(page=case_study, restriction_type=PageViewRestriction.LOGIN)
    for url in ("/feeds/rss/", "/feeds/atom/", "/feeds/industry/seafood/rss/"):
        assert feed_titles(reader.get(url)) == [bright_spot.title]
    # The only story of its industry went members-only: the industry is unknown to outsiders.
    assert reader.get("/feeds/industry/apparel/rss/").status_code == 404

    bright_spot.unpublish()
    for url in ("/feeds/rss/", "/feeds/atom/"):
        assert feed_titles(reader.get(url)) == []


def test_a_members_request_keeps_nothing_members_only(case_study, members_only_story):
    member = Client()
    member.force_login(factories.member_of("Acme"))
    assert members_only_story.title in member.get(members_only_story.url).content.decode()
    assert feed_titles(member.get("/feeds/rss/")) == [case_study.title]  # feeds are public
    outsider = Client()
    outsider.cookies["sessionid"] = "not-a-real-session"
    for url in ("/feeds/rss/", "/feeds/atom/"):
        assert members_only_story.title not in outsider.get(url).content.decode()
