"""Flat at 30,000 stories (issue 17): listings and the sitemap cost the same SQL at any size.

The story listings page by keyset (``?before=<id>`` / ``?after=<id>``, casestudies/listing.py)
instead of counting every story and skipping the earlier pages, and ``/sitemap.xml`` is a
sitemap index whose files hold at most ``SITEMAP_SECTION_SIZE`` URLs.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from base import views as base_views
from perf.cache import invalidate_pages
from tests.factories import BrightSpotPageFactory, CaseStudyPageFactory, publish

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2020, 1, 1))


def add_stories(factory, count: int, stories: list) -> list:
    """Publish stories until there are ``count``, story n published n days after START."""
    while len(stories) < count:
        n = len(stories)
        page = publish(factory(title=f"Practice number {n:02d} on recruitment fees"))
        Page.objects.filter(pk=page.pk).update(first_published_at=START + datetime.timedelta(n))
        stories.append(page)
    return stories


def uncached_queries(client, url: str) -> list[str]:
    invalidate_pages("test: measure uncached")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert response.get("X-Cache") != "HIT", url
    return [q["sql"] for q in queries.captured_queries]


def older_link(html: str) -> str:
    return re.search(r'<a rel="next" href="(\?before=\d+)">Older</a>', html).group(1)


def test_listings_and_sitemap_cost_the_same_sql_with_5_and_with_40_stories(client):
    for model in ContentType.objects.all():  # a warm process: content types cached
        ContentType.objects.get_for_id(model.pk)
    case_studies, bright_spots = [], []
    counts = {}
    for size in (5, 40):
        add_stories(CaseStudyPageFactory, size, case_studies)
        add_stories(BrightSpotPageFactory, size, bright_spots)
        first = client.get("/case-studies/").content.decode()
        urls = ["/case-studies/", "/bright-spots/", "/sitemap.xml", "/sitemap-pages.xml"]
        # A page further down, reached the way a reader does: by the Older link.
        urls.append("/case-studies/" + older_link(first) if size == 40 else "/case-studies/")
        counts[size] = {}
        for url in urls:
            queries = uncached_queries(client, url)
            counts[size][url.split("?")[0] + ("?older" if "before=" in url else "")] = len(queries)
            if url.startswith("/case-studies/"):
                listing_sql = " ".join(queries).upper()
                assert "OFFSET" not in listing_sql, url
                assert "COUNT(" not in listing_sql, url
    older_page = counts[40].pop("/case-studies/?older")
    assert counts[5] == counts[40]
    assert older_page <= counts[40]["/case-studies/"] + 1  # the cursor story's date


def test_older_and_newer_links_show_the_right_stories(client):
    stories = add_stories(CaseStudyPageFactory, 15, [])  # 12 a page: 3 on the second
    newest_first = [s.title for s in reversed(stories)]

    first = client.get("/case-studies/").content.decode()
    assert [t for t in newest_first if t in first] == newest_first[:12]
    assert 'rel="prev"' not in first

    second = client.get("/case-studies/" + older_link(first)).content.decode()
    assert [t for t in newest_first if t in second] == newest_first[12:]
    assert 'rel="next"' not in second

    newer = re.search(r'<a rel="prev" href="(\?after=\d+)">Newer</a>', second).group(1)
    back = client.get("/case-studies/" + newer).content.decode()
    assert [t for t in newest_first if t in back] == newest_first[:12]

    # The numbered addresses of before still answer with the same stories.
    legacy = client.get("/case-studies/?page=2").content.decode()
    assert [t for t in newest_first if t in legacy] == newest_first[12:]
    past = client.get("/case-studies/?page=9")
    assert past.status_code == 200
    assert "There are no stories this far back" in past.content.decode()
    assert client.get("/case-studies/?before=abc").status_code == 404
    assert client.get("/case-studies/?before=999999").status_code == 404


def test_a_cursor_on_a_story_the_reader_may_not_see_is_not_found(client):
    """An outsider cannot learn when a members-only or unpublished story was published
    by paging from it: its id answers like an unknown one."""
    stories = add_stories(CaseStudyPageFactory, 3, [])
    members_only, unpublished = stories[1], stories[2]
    restriction = PageViewRestriction.objects.create(
        page=members_only, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Member: Acme"))
    unpublished.unpublish()
    for story in (members_only, unpublished):
        for cursor in ("before", "after"):
            response = client.get(f"/case-studies/?{cursor}={story.pk}")
            assert response.status_code == 404, (cursor, story.title)
    assert client.get(f"/case-studies/?before={stories[0].pk}").status_code == 200


def test_the_sitemap_index_splits_sections_at_the_limit(client, monkeypatch):
    stories = add_stories(CaseStudyPageFactory, 8, [])
    hidden = stories[0]
    restriction = PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Member: Acme"))
    monkeypatch.setattr(base_views, "SITEMAP_SECTION_SIZE", 4)

    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    files = re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", index.content.decode())
    # Root, home, two listings and 7 public stories: 11 URLs, 3 files of at most 4.
    assert files == ["/sitemap-pages.xml", "/sitemap-pages.xml?p=2", "/sitemap-pages.xml?p=3"]

    listed = []
    for url in files:
        response = client.get(url)
        assert response.status_code == 200, url
        urls = re.findall(r"<loc>([^<]*)</loc>", response.content.decode())
        assert 0 < len(urls) <= 4, url
        listed += urls
    assert len(listed) == len(set(listed))
    for story in stories[1:]:
        assert any(u.endswith(story.url) for u in listed), story.url
    assert not any(u.endswith(hidden.url) for u in listed)

    assert client.get("/sitemap-pages.xml?p=4").status_code == 404
    assert client.get("/sitemap-unknown.xml").status_code == 404


def test_with_the_protocol_limit_the_index_lists_one_file(client):
    add_stories(CaseStudyPageFactory, 3, [])
    assert base_views.SITEMAP_SECTION_SIZE == 50_000
    body = client.get("/sitemap.xml").content.decode()
    assert "<sitemapindex" in body
    assert re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", body) == ["/sitemap-pages.xml"]
