"""What a load balancer polling /health/ every few seconds sees, and what it costs the engine.

Each poll asks the engine two small questions (which indices the alias names, and a count
over them), so an engine that goes down is reported at the very next poll. The mapping
check, which reads every index's whole mapping, is asked once per process for the same
indices: again only after a rebuild puts another index behind the alias.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from search import health
from search.server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def patient_polls(settings, monkeypatch):
    """A poll that a busy machine slows past the load balancer's timeout reports down, and
    one slowed past the mapping's recheck reads it again: these tests are about which
    requests are made, not how fast they are answered."""
    settings.SEARCH_HEALTH_TIMEOUT_SECONDS = 30
    monkeypatch.setattr(health, "MAPPING_RECHECK_SECONDS", 24 * 3600)


UP = {"status": "ok", "database": {"ok": True}, "search": {"ok": True}}
DOWN = {"status": "degraded", "database": {"ok": True}, "search": {"ok": False}}


def poll(client) -> tuple[int, dict]:
    response = client.get("/health/")
    return response.status_code, response.json()


def asked(calls: list[str], fragment: str) -> int:
    return sum(fragment in path for path in calls)


def test_polls_read_the_mapping_once_and_ask_the_engine_every_time(client, engine_calls):
    answers = [poll(client) for _ in range(5)]

    assert answers == [(200, UP)] * 5
    assert asked(engine_calls, "/_count") == 5  # every poll: the index answers queries
    assert asked(engine_calls, "/_mapping") == 1
    assert len(engine_calls) == 5 * 2 + 1


def test_a_rebuild_has_the_next_poll_read_the_new_indexs_mapping(client, engine_calls):
    poll(client)
    call_command("search_index", "rebuild", stdout=StringIO(), stderr=StringIO())
    engine_calls.clear()

    assert poll(client) == (200, UP)
    assert asked(engine_calls, "/_mapping") == 1


def test_an_engine_that_goes_down_is_reported_at_the_next_poll(client, settings):
    assert poll(client) == (200, UP)
    engine = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing answers there

    assert poll(client) == (503, DOWN)

    settings.ELASTICSEARCH_URL = engine
    assert poll(client) == (200, UP)  # back at the next poll once it answers again


def test_no_index_behind_the_alias_is_reported_down(client, engine_calls):
    assert poll(client) == (200, UP)
    from search.documents import alias_name
    from search.documents import client as search_client

    es = search_client()
    for index in list(es.indices.get_alias(name=alias_name())):
        es.indices.delete(index=index)

    assert poll(client) == (503, DOWN)
