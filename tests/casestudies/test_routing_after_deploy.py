"""A story's address still leads to the right page after a deploy changed the page models.

Routing keeps a public story's page, pickled, in the shared cache under the content
version (``casestudies.serving.kept_page``). A deploy does not move that version, so the
first visitors after it meet pages the previous code pickled: one that lacks a field the
model now has, or whose class no longer exists, must be read again, not served or crash.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.base import model_unpickle
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casestudies.serving import forget_process_copy
from tests.factories import CaseStudyPageFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return publish(
        CaseStudyPageFactory(
            title="How a tannery ended recruitment fees",
            summary="Brokers' fees were repaid to every worker.",
        )
    )


@pytest.fixture
def reader(django_user_model):
    """A signed-in visitor (never answered by the page cache, so routed every time)."""
    browser = Client()
    browser.force_login(django_user_model.objects.create_user("reader", "r@example.org", "pw"))
    return browser


def kept_page_key() -> str:
    """The shared cache's key for the one routed page kept there."""
    (key,) = [k for k in cache._cache if "casestudies:page-at:" in k]
    return key.split(":", 2)[2]  # without the cache's own prefix and version


def deploy() -> None:
    """New processes start: nothing of the old code's pages is held in memory any more."""
    forget_process_copy()


class RetiredStoryPage:
    """What Django pickles for a page of a model since renamed or removed."""

    def __reduce__(self):
        return model_unpickle, (("casestudies", "RetiredStoryPage"),), {"title": "Retired"}


def test_a_kept_page_lacking_a_field_the_model_now_has_is_read_again(reader, story):
    assert reader.get(story.url).status_code == 200
    key = kept_page_key()
    old = cache.get(key)
    old.title = "Written by the previous code"
    del old.__dict__["summary"]  # the field did not exist before the deploy
    cache.set(key, old)
    deploy()

    with CaptureQueriesContext(connection) as routed_by_database:
        html = reader.get(story.url).content.decode()

    assert "How a tannery ended recruitment fees" in html
    assert "Written by the previous code" not in html
    assert any('"url_path" = ' in q["sql"] for q in routed_by_database.captured_queries)
    # The page read again is kept in its place: the next visitor is routed from the cache.
    assert "summary" in cache.get(key).__dict__
    deploy()
    with CaptureQueriesContext(connection) as routed_from_cache:
        again = reader.get(story.url).content.decode()
    assert "How a tannery ended recruitment fees" in again
    assert not any('"url_path" = ' in q["sql"] for q in routed_from_cache.captured_queries)


def test_a_kept_page_whose_class_is_gone_is_read_again(reader, story):
    assert reader.get(story.url).status_code == 200
    key = kept_page_key()
    cache.set(key, RetiredStoryPage())
    deploy()

    response = reader.get(story.url)

    assert response.status_code == 200
    assert "How a tannery ended recruitment fees" in response.content.decode()
    assert cache.get(key).title == "How a tannery ended recruitment fees"


def test_a_page_kept_by_the_same_code_is_served_from_the_cache(reader, story):
    """The check costs no query: an entry this code kept routes without the database."""
    reader.get(story.url)
    deploy()  # another process of the same code, which holds nothing yet

    with CaptureQueriesContext(connection) as queries:
        html = reader.get(story.url).content.decode()

    assert "How a tannery ended recruitment fees" in html
    assert not any('"url_path" = ' in q["sql"] for q in queries.captured_queries)
