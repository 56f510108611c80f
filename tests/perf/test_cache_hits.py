"""A cached answer costs no SQL, and is never stale: on the shared cache production runs.

Production keeps the page cache in Redis, shared by every app server process, and
mirrors the content generation there so that a hit reads its entry and the
generation in one cache round trip and no query (perf/cache.py). The database stays
the source of truth: a publish committed in one process is seen by the next
request of any other, and a mirror that is missing or stale loses to the database.
These tests run on a private Redis server; "another worker" is another thread, with
its own cache client and database connection, as a second process would have.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from wagtail.models import PageViewRestriction

from perf.cache import GENERATION_MIRROR, current_generation, invalidate_pages
from perf.models import CacheGeneration
from tests.factories import BrightSpotPageFactory, CaseStudyPageFactory, publish

pytestmark = pytest.mark.usefixtures("search_index", "shared_cache")

TITLE = "Recruitment fees repaid at a spinning mill"
NEW_TITLE = "Every recruitment fee repaid within a season"


@contextmanager
def counted_sql():
    """Every query this connection runs inside the block (whatever the request resets)."""
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield queries


@pytest.fixture
def story():
    return publish(CaseStudyPageFactory(title=TITLE, slug="fees-at-a-spinning-mill"))


def cached_types(story, bright_spot) -> dict[str, str]:
    """Every type the anonymous cache answers that the issue budgets: pages and the rest."""
    oembed = urlencode({"url": f"http://testserver{story.url}", "format": "json"})
    return {
        "home": "/",
        "case study": story.url,
        "bright spot": bright_spot.url,
        "embed card": f"/embed/{story.pk}/",
        "oEmbed": f"/oembed/?{oembed}",
        "API list": "/api/stories/",
        "feed": "/feeds/rss/",
    }


@pytest.fixture
def bright_spot():
    return publish(BrightSpotPageFactory(title="Grievances resolved within a week"))


@pytest.mark.django_db
def test_a_cached_hit_and_a_304_run_no_sql_on_every_cached_type(client, story, bright_spot):
    for name, url in cached_types(story, bright_spot).items():
        stored = client.get(url)
        assert stored.status_code == 200, name
        with counted_sql() as queries:
            hit = client.get(url)
        assert (hit.status_code, hit["X-Cache"]) == (200, "HIT"), name
        assert queries == [], name
        assert hit.content, name

        with counted_sql() as queries:
            revalidated = client.get(url, HTTP_IF_NONE_MATCH=stored["ETag"])
        assert (revalidated.status_code, revalidated["X-Cache"]) == (304, "HIT"), name
        assert queries == [], name
        assert revalidated.content == b"", name
        assert revalidated["ETag"] == stored["ETag"], name
        assert "Content-Security-Policy" not in revalidated, name
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=stored["Last-Modified"])
        assert since.status_code == 304, name
        changed = client.get(url, HTTP_IF_NONE_MATCH='"an-older-version"')
        assert (changed.status_code, changed["X-Cache"]) == (200, "HIT"), name
        assert changed.content, name


@pytest.mark.django_db
def test_a_committed_publish_is_seen_by_the_very_next_request(client, story, published):
    assert TITLE in client.get(story.url).content.decode()
    assert client.get(story.url)["X-Cache"] == "HIT"
    etag = client.get("/feeds/rss/")["ETag"]

    story.title = NEW_TITLE
    published(story)

    page = client.get(story.url)
    assert page["X-Cache"] == "MISS"
    assert NEW_TITLE in page.content.decode()
    feed = client.get("/feeds/rss/", HTTP_IF_NONE_MATCH=etag)
    assert feed.status_code == 200  # the reader's copy is out of date: not a 304
    assert NEW_TITLE in feed.content.decode()


@pytest.mark.django_db
def test_the_database_wins_over_a_stale_or_flushed_mirror(client, story, published):
    client.get(story.url)
    # A mirror left behind with a value the database no longer has (a lost update).
    cache.set(GENERATION_MIRROR, current_generation() - 1)

    story.title = NEW_TITLE
    published(story)

    assert NEW_TITLE in client.get(story.url).content.decode()
    assert cache.get(GENERATION_MIRROR) == CacheGeneration.objects.get().value

    # A flushed cache forgets the mirror, not the generation: it is read back, not reset.
    cache.clear()
    with counted_sql() as queries:
        client.get(story.url)
    assert any("perf_cachegeneration" in q for q in queries)
    assert cache.get(GENERATION_MIRROR) == CacheGeneration.objects.get().value > 0
    with counted_sql() as queries:
        assert client.get(story.url)["X-Cache"] == "HIT"
    assert queries == []


@pytest.mark.django_db
def test_a_bump_that_rolls_back_leaves_the_cache_as_it_was(client, story):
    client.get(story.url)
    generation = current_generation()

    with pytest.raises(RuntimeError), transaction.atomic():
        invalidate_pages("an edit that fails")
        raise RuntimeError("the edit fails")

    assert current_generation() == generation == CacheGeneration.objects.get().value
    assert client.get(story.url)["X-Cache"] == "HIT"


def get_in_another_worker(url: str):
    """A request served by another thread: its own cache client and database connection."""
    answers = []

    def serve():
        from django.db import connections

        try:
            answers.append(Client().get(url))
        finally:
            connections.close_all()

    worker = threading.Thread(target=serve)
    worker.start()
    worker.join()
    return answers[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_in_one_worker_is_seen_by_the_next_request_in_another(story):
    assert get_in_another_worker(story.url)["X-Cache"] == "MISS"
    assert get_in_another_worker(story.url)["X-Cache"] == "HIT"

    story.title = NEW_TITLE
    publish(story)  # committed for real: this test runs outside a transaction

    answer = get_in_another_worker(story.url)
    assert answer["X-Cache"] == "MISS"
    assert NEW_TITLE in answer.content.decode()
    assert get_in_another_worker(story.url)["X-Cache"] == "HIT"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_that_reads_during_a_change_does_not_keep_the_old_generation(story):
    assert get_in_another_worker(story.url)["X-Cache"] == "MISS"
    committed_generation = CacheGeneration.objects.get().value
    with transaction.atomic():
        # Any change a visitor could see (publishing also has the search index bump
        # the generation again once it commits; this change has nothing after it).
        invalidate_pages("an edit")
        # What a worker that reads while the change is not committed leaves behind:
        # the generation it can see, the old one.
        cache.set(GENERATION_MIRROR, committed_generation)

    assert get_in_another_worker(story.url)["X-Cache"] == "MISS"
    assert CacheGeneration.objects.get().value == committed_generation + 1


@pytest.mark.django_db
def test_signed_in_people_are_never_served_from_the_cache(client, story, bright_spot):
    member = User.objects.create_user("member", password="pw")
    member.groups.add(Group.objects.create(name="Member: Acme"))
    restriction = PageViewRestriction.objects.create(
        page=story, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name="Member: Acme"))
    urls = cached_types(story, bright_spot)
    for url in urls.values():
        client.get(url)  # anonymous answers stored
        client.get(url)
    client.force_login(member)

    for name, url in urls.items():
        answer = client.get(url)
        assert answer["X-Cache"] == "BYPASS", name
        assert "private" in answer["Cache-Control"] and "no-store" in answer["Cache-Control"]
        assert "ETag" not in answer, name
    assert TITLE in client.get(story.url).content.decode()  # the member reads the story
    # Nothing the member was shown was stored: anonymous visitors get the public answers.
    anonymous = Client()
    for name in ("API list", "feed", "home"):
        answer = anonymous.get(urls[name])
        assert answer["X-Cache"] in ("HIT", "MISS"), name
        assert TITLE not in answer.content.decode(), name
