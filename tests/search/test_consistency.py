"""The index never shows what the database would not, with several workers and stale indices.

One drain writes at a time, every write is versioned so an older state loses to a
newer one, ``search_index reconcile`` repairs drift, and every search surface checks
its hits against the database before showing them.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone
from elasticsearch import helpers
from wagtail.models import PageViewRestriction

from search import indexing
from search.documents import alias_name, client
from search.indexing import INDEX_ERRORS, WITHDRAWN, status
from search.models import IndexChange, IndexLock
from search.query import FacetedStorySearch
from search.server import free_port
from search.tasks import apply_pending_changes
from tests.factories import CaseStudyPageFactory, publish
from tests.search.helpers import make_member, story

pytestmark = pytest.mark.django_db

WAIT = 30  # seconds a test waits for the other thread before failing


def titles(user=None, query=""):
    return sorted(h.title for h in FacetedStorySearch(user, query).execute().hits)


def indexed_titles(audience="public") -> list[str]:
    """What the index itself would show, without the database check the site adds."""
    es = client()
    es.indices.refresh(index=alias_name())
    response = es.search(
        index=alias_name(), query={"term": {"audience": audience}}, size=100, source=["title"]
    )
    return sorted(hit["_source"]["title"] for hit in response["hits"]["hits"])


def lock() -> IndexLock:
    return IndexLock.objects.get(name="stories")


@pytest.fixture
def queued_tasks(settings):
    """Tasks wait in the database for a worker, so the outbox fills and each test drains it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def in_thread(target, *args, **kwargs):
    """Run ``target`` in another thread with its own database connection, like a second worker."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = target(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def finish(thread, outcome):
    thread.join(WAIT)
    assert not thread.is_alive(), "the other worker never finished"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


# --- One drain at a time -----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_drains_never_write_at_once_and_nothing_is_left_behind(queued_tasks, monkeypatch):
    """A second worker's drain, started while the first one writes, leaves the index to it;
    a change committed meanwhile is still applied by the first before it lets go."""
    first_page = publish(story("Spinning mill repays fees"))
    assert IndexChange.objects.count() == 1

    writing = threading.Event()
    go_on = threading.Event()
    active, most_at_once = [], []
    real_sync = indexing.sync_pages

    def slow_sync(page_ids):
        active.append(1)
        most_at_once.append(len(active))
        writing.set()
        try:
            assert go_on.wait(WAIT)
            return real_sync(page_ids)
        finally:
            active.pop()

    monkeypatch.setattr(indexing, "sync_pages", slow_sync)
    first = in_thread(apply_pending_changes)
    assert writing.wait(WAIT)
    assert lock().holder and lock().expires_at > timezone.now()

    # The second worker: a new change arrives and its drain runs while the first writes.
    second_page = publish(story("Trawler hotline"))
    second = apply_pending_changes()
    assert second["busy"] is True and second["indexed"] == 0
    assert IndexChange.objects.count() == 2  # nothing taken away from the first worker

    go_on.set()
    result = finish(*first)
    assert result["indexed"] == 2 and not result["busy"]
    assert max(most_at_once) == 1
    assert IndexChange.objects.count() == 0
    assert lock().holder == "" and lock().expires_at is None
    assert indexed_titles() == sorted([first_page.title, second_page.title])
    assert status()["in_sync"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_lock_is_released_when_a_drain_raises(queued_tasks, settings):
    page = publish(story("Spinning mill repays fees"))
    working_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(INDEX_ERRORS):
        apply_pending_changes()
    assert lock().holder == "" and lock().expires_at is None
    assert IndexChange.objects.count() == 1  # kept for the next drain

    settings.ELASTICSEARCH_URL = working_url
    assert apply_pending_changes()["indexed"] == 1
    assert IndexChange.objects.count() == 0
    assert indexed_titles() == [page.title]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_that_died_holding_the_lock_blocks_others_only_until_its_lease_ends(
    queued_tasks,
):
    page = publish(story("Spinning mill repays fees"))
    IndexLock.objects.update_or_create(
        name="stories",
        defaults={"holder": "dead-worker", "expires_at": timezone.now() + timedelta(minutes=1)},
    )
    out = StringIO()
    call_command("search_index", "drain", stdout=out)
    assert "Another worker is writing the index" in out.getvalue()
    assert IndexChange.objects.count() == 1
    with pytest.raises(CommandError, match="Another worker is writing the search index"):
        call_command("search_index", "rebuild", "--wait", "0", stdout=StringIO())

    IndexLock.objects.filter(name="stories").update(expires_at=timezone.now() - timedelta(1))
    assert apply_pending_changes()["indexed"] == 1
    assert indexed_titles() == [page.title]
    assert lock().holder == ""


# --- Versioned writes ----------------------------------------------------------------


def _make_members_only(page):
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def _unpublish(page):
    page.unpublish()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("change", [_unpublish, _make_members_only], ids=["unpublish", "privacy"])
def test_a_stalled_drains_older_state_arriving_last_does_not_win(queued_tasks, monkeypatch, change):
    """Worker 1 reads the public page, then stalls past its lease before writing. The page is
    withdrawn and worker 2 applies that. Worker 1's write then arrives: it must lose."""
    page = publish(story("Spinning mill repays fees"))
    apply_pending_changes()
    assert indexed_titles() == [page.title]
    publish(page)  # an edit: worker 1 will pick this up and read the page while public

    read = threading.Event()
    go_on = threading.Event()
    main = threading.current_thread()
    real_bulk = helpers.bulk

    def bulk(*args, **kwargs):
        if threading.current_thread() is not main:
            read.set()  # worker 1 has read the page; its write waits here
            assert go_on.wait(WAIT)
        return real_bulk(*args, **kwargs)

    monkeypatch.setattr(helpers, "bulk", bulk)
    worker_1 = in_thread(apply_pending_changes, lease=0.2)
    assert read.wait(WAIT)

    change(page)  # committed: a row for the withdrawal is in the outbox
    IndexLock.objects.filter(name="stories").update(expires_at=timezone.now() - timedelta(1))
    worker_2 = apply_pending_changes()  # the lease ran out, so this worker takes over
    assert worker_2["busy"] is False and worker_2["deleted"] + worker_2["indexed"] == 1
    assert indexed_titles() == []

    go_on.set()  # the older state arrives last
    result_1 = finish(*worker_1)
    assert result_1["busy"] is True  # it lost its lease, so it kept no claim on the rows
    assert indexed_titles() == []
    assert status()["in_sync"]
    assert titles() == []
    if change is _make_members_only:
        assert indexed_titles("members") == [page.title]
        assert titles(make_member()) == [page.title]


def test_an_unpublished_page_leaves_a_versioned_tombstone_not_a_gap(published, committed):
    page = published(story("Spinning mill repays fees"))
    with committed():
        page.unpublish()
    document = client().get(index=alias_name(), id=str(page.pk))
    assert document["_source"] == {"page_id": page.pk, "audience": WITHDRAWN}
    assert document["_version"] == lock().last_version
    # Any write numbered before the withdrawal is refused by the index itself.
    stale = {"_id": str(page.pk), "_source": {"title": page.title, "audience": "public"}}
    _, errors = helpers.bulk(
        client(),
        [{**stale, "version": document["_version"] - 1, "version_type": "external"}],
        index=alias_name(),
        raise_on_error=False,
    )
    assert errors[0]["index"]["status"] == 409
    assert indexed_titles() == []


def test_a_rebuild_into_a_new_index_still_applies_later_changes(published, committed):
    stays, goes = published(story("Spinning mill repays fees"), story("Trawler hotline"))
    call_command("search_index", "rebuild", stdout=StringIO(), stderr=StringIO())
    assert indexed_titles() == sorted([stays.title, goes.title])
    with committed():
        goes.unpublish()
    stays.title = "Spinning mill repays all fees"
    published(stays)
    assert indexed_titles() == ["Spinning mill repays all fees"]
    assert status()["in_sync"]


# --- Hits are checked against the database ---------------------------------------------


def test_a_page_withdrawn_behind_a_stale_index_never_shows(client, published):
    """The worker is down: the index still says public. Search, suggestions and related
    practices ask the database before they show anything."""
    mill, cannery, trawler = published(
        story("Spinning mill repays fees", summary="Recruitment fees repaid to spinners."),
        story("Cannery repays fees", summary="Recruitment fees repaid at a cannery."),
        story("Trawler repays fees", summary="Recruitment fees repaid to fishers."),
    )
    # No commit callbacks run here: the outbox rows stay and the index is stale.
    cannery.unpublish()
    _make_members_only(trawler)
    assert indexed_titles() == sorted([mill.title, cannery.title, trawler.title])

    html = client.get("/search/?q=fees").content.decode()
    assert mill.title in html
    assert cannery.title not in html and trawler.title not in html
    assert "1 result for" in html

    texts = [s["text"] for s in client.get("/search/suggest/?q=cann").json()["suggestions"]]
    assert texts == []
    texts = [s["text"] for s in client.get("/search/suggest/?q=traw").json()["suggestions"]]
    assert texts == []

    related = client.get(mill.url).content.decode()
    assert cannery.title not in related and trawler.title not in related

    member = make_member()
    assert titles(member, "fees") == sorted([mill.title, trawler.title])
    client.force_login(member)
    texts = [s["text"] for s in client.get("/search/suggest/?q=traw").json()["suggestions"]]
    assert texts == [trawler.title]


def test_checking_hits_costs_one_query_per_page_of_results(
    published, django_assert_max_num_queries, rf
):
    published(*[story(f"Cobalt story {n}", summary="Cobalt refining.") for n in range(6)])
    # The page's request: the cache generation (which the label cache is keyed on) is read
    # once per request, as the page cache middleware does before the view runs.
    request = rf.get("/search/?q=cobalt")
    FacetedStorySearch(None, "cobalt", request=request).execute()  # warm the label cache
    # At most one: the database's answers are kept for the content generation.
    with django_assert_max_num_queries(1):
        search = FacetedStorySearch(None, "cobalt", page_size=6, request=request)
        assert len(search.execute().hits) == 6
    with django_assert_max_num_queries(1):
        search = FacetedStorySearch(None, "cobalt", page_size=2, request=request)
        assert len(search.execute().hits) == 2


# --- Reconcile --------------------------------------------------------------------------


def test_reconcile_repairs_a_hand_corrupted_index_and_drains_rows_a_dead_worker_left(
    published, committed
):
    member = make_member()
    public, members_only, live = [
        story(title) for title in ("Public story", "Members story", "Live story")
    ]
    draft = story("Draft with a name", live=False)
    published(public, members_only, live)
    with committed():
        _make_members_only(members_only)
    es, alias = client(), alias_name()

    # By hand: the members-only story made public, a live story dropped, a draft
    # indexed as public with a version far ahead of the database (a restored backup).
    es.update(index=alias, id=str(members_only.pk), doc={"audience": "public"})
    es.delete(index=alias, id=str(live.pk))
    es.index(
        index=alias,
        id=str(draft.pk),
        document={"page_id": draft.pk, "title": draft.title, "audience": "public"},
        version=10**9,
        version_type="external",
        refresh=True,
    )
    # A worker died after the outbox row was written, with the lock in its hands.
    public.title = "Public story, edited"
    publish(public)  # outside ``committed()``: no drain ran
    IndexLock.objects.filter(name="stories").update(
        holder="dead-worker", expires_at=timezone.now() - timedelta(seconds=1)
    )
    drift = status()
    assert drift["stale"] == sorted([public.pk, members_only.pk])
    assert drift["missing"] == [live.pk]
    assert drift["extra"] == [draft.pk] and not drift["in_sync"]

    out = StringIO()
    call_command("search_index", "reconcile", stdout=out)
    assert "1 page(s) from pending changes, 3 drifted page(s) corrected" in out.getvalue()
    assert IndexChange.objects.count() == 0
    assert status()["in_sync"]
    assert indexed_titles() == ["Live story", "Public story, edited"]
    assert indexed_titles("members") == ["Members story"]
    assert titles(member) == ["Live story", "Members story", "Public story, edited"]
    assert lock().holder == ""

    # And the repaired state holds: a change afterwards is applied as usual.
    with committed():
        live.unpublish()
    assert indexed_titles() == ["Public story, edited"]


def test_reconcile_rebuilds_when_the_index_is_gone(published):
    page = published(CaseStudyPageFactory(title="Spinning mill repays fees"))
    es = client()
    for name in es.indices.get(index=f"{alias_name()}*"):
        es.indices.delete(index=name)
    out = StringIO()
    call_command("search_index", "reconcile", stdout=out, stderr=StringIO())
    assert "rebuilt it from the database" in out.getvalue()
    assert indexed_titles() == [page.title]
