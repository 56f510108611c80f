"""The index follows publishing, unpublishing, deletion, moves, privacy and taxonomy edits,
and loses nothing while the search server is down."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageViewRestriction

from casestudies.models import MEMBER_GROUP_PREFIX, CaseStudyIndexPage
from search.indexing import status
from search.models import IndexChange
from search.query import FacetedStorySearch
from search.server import LocalSearchServer
from tests.factories import CaseStudyPageFactory, IndustryFactory, publish

pytestmark = pytest.mark.django_db


def titles(user=None, query=""):
    return sorted(h.title for h in FacetedStorySearch(user, query).execute().hits)


@pytest.fixture
def member():
    user = User.objects.create_user("member", password="pw")
    user.groups.add(Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}Acme"))
    return user


def test_publish_unpublish_and_delete_update_the_index(published, committed):
    page = published(CaseStudyPageFactory(title="Repaying fees in Penang"))
    assert titles() == ["Repaying fees in Penang"]

    with committed():
        page.unpublish()
    assert titles() == []

    published(page)
    assert titles() == ["Repaying fees in Penang"]
    with committed():
        page.delete()
    assert titles() == []
    assert status()["in_sync"]


def test_an_edit_is_only_indexed_once_published(published, committed):
    page = published(CaseStudyPageFactory(title="First title"))
    page.title = "Draft title"
    with committed():
        page.save_revision()
    assert titles() == ["First title"]
    with committed():
        page.get_latest_revision().publish()
    assert titles() == ["Draft title"]


def test_a_parent_slug_change_moves_every_story_url(published, committed):
    page = published(CaseStudyPageFactory(slug="repaid-fees"))
    index = CaseStudyIndexPage.objects.get()
    index.slug = "practices"
    with committed():
        publish(index)
    (hit,) = FacetedStorySearch(None).execute().hits
    assert hit.url == "/practices/repaid-fees/"
    assert page.pk == hit.id


def test_privacy_changes_move_a_story_between_audiences(published, committed, member):
    page = published(CaseStudyPageFactory(title="Members story"))
    with committed():
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.LOGIN
        )
    assert titles() == []
    assert titles(member) == ["Members story"]

    with committed():
        restriction.delete()
    assert titles() == ["Members story"]


def test_renaming_a_taxonomy_term_updates_cards_and_facet_labels(published, committed):
    fishing = IndustryFactory(name="Fishing", slug="fishing")
    published(CaseStudyPageFactory(industry=fishing))
    fishing.name = "Seafood and fishing"
    with committed():
        fishing.save()
    results = FacetedStorySearch(None).execute()
    assert results.hits[0].industry == "Seafood and fishing"
    industry_facet = next(f for f in results.facets if f.param == "industry")
    assert [v.label for v in industry_facet.values] == ["Seafood and fishing"]
    assert titles(query="seafood") != []


# The worker closes database connections between tasks, as it does in production, so
# these tests commit for real instead of running inside a rolled-back transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_lost_while_the_search_server_is_down(settings, tmp_path, committed):
    """Stop the server, publish and unpublish, start it again, run the worker: in sync."""
    server = LocalSearchServer(tmp_path / "outage").start()
    settings.ELASTICSEARCH_URL = server.url
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SEARCH_SYNC_RETRY_SECONDS = 0.5
    try:
        call_command("search_index", "rebuild")
        stays = CaseStudyPageFactory(title="Published before the outage")
        goes = CaseStudyPageFactory(title="Unpublished during the outage")
        with committed():
            publish(stays)
            publish(goes)
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        assert titles() == ["Published before the outage", "Unpublished during the outage"]

        server.stop()
        arrives = CaseStudyPageFactory(title="Published during the outage")
        with committed():
            publish(arrives)
            goes.unpublish()
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        assert IndexChange.objects.count() == 2  # kept, not dropped

        server.start()
        time.sleep(0.6)  # the retry the failed drain scheduled is now due
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        assert IndexChange.objects.count() == 0
        drift = status()
        assert drift["in_sync"], drift
        assert titles() == ["Published before the outage", "Published during the outage"]
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retries_are_scheduled_with_backoff_while_unreachable(settings, committed):
    from django_tasks_db.models import DBTaskResult

    from search.server import free_port

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    with committed():
        publish(CaseStudyPageFactory())
    settings.SEARCH_SYNC_RETRY_SECONDS = 30
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    retry = DBTaskResult.objects.filter(
        status="READY", task_path="search.tasks.drain_index_changes"
    ).get()
    assert retry.run_after > timezone.now() + timedelta(seconds=20)
    assert retry.args_kwargs["kwargs"] == {"attempt": 1}
    assert IndexChange.objects.count() == 1
