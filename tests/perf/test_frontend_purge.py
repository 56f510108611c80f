"""A CDN or proxy in front of the portal is purged when a story changes (if one is configured)."""

import pytest

from tests.factories import CaseStudyPageFactory, publish

pytestmark = pytest.mark.django_db


def test_publishing_purges_the_story_and_the_pages_that_list_it(
    purged, django_capture_on_commit_callbacks
):

    # Purged once the change is committed, never before (the CDN would refetch the old page).
    with django_capture_on_commit_callbacks(execute=True):
        page = publish(CaseStudyPageFactory(title="A practice the CDN must forget"))
        assert purged == []

    for path in [page.url, "/", "/case-studies/", "/search/", "/feeds/rss/"]:
        assert path in purged, path


def test_nothing_is_purged_without_a_configured_cdn(
    settings, purged, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {}
    with django_capture_on_commit_callbacks(execute=True):
        publish(CaseStudyPageFactory())
    assert purged == []
