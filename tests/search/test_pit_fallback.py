"""A download of search results lists every match once, with or without a point in time.

The export (``search.export``) walks the matches in batches over a point in time, so a
story published meanwhile neither repeats nor skips a row. When the engine refuses to
open one, or the point in time is gone before the walk ends (it expired while the
download paused, or the engine restarted), the walk goes on over the index itself from
the same cursor: the download is still complete, only without the snapshot.

Runs on the test run's engine (noida-db, or Elasticsearch under ``manage.py
elasticsearch exec``); the point in time is closed through the engine's own API.
"""

from __future__ import annotations

import csv
import io

import pytest
from elasticsearch import Elasticsearch

from search import export as search_export
from search.documents import client as search_client
from tests.search.helpers import story

pytestmark = pytest.mark.django_db

MATCHES = [f"Mill {n} repays recruitment fees" for n in range(8)]


@pytest.fixture
def collection(published, monkeypatch):
    """Eight matching stories, read three at a time: three batches per download."""
    from embeds import export

    monkeypatch.setattr(export, "EXPORT_BATCH", 3)
    for title in MATCHES:
        published(story(title, summary="Workers were repaid their recruitment fees."))
    published(story("Cannery opens a hotline", summary="A hotline for workers."))


@pytest.fixture
def points_in_time(monkeypatch) -> list[str]:
    """The id of each point in time the engine opens while the test runs."""
    opened: list[str] = []
    original = Elasticsearch.open_point_in_time

    def noting(self, *args, **kwargs):
        answer = original(self, *args, **kwargs)
        opened.append(answer["id"])
        return answer

    monkeypatch.setattr(Elasticsearch, "open_point_in_time", noting)
    return opened


def download(response) -> list[str]:
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode()
    return [row["title"] for row in csv.DictReader(io.StringIO(text))]


def searches(calls: list[str]) -> list[str]:
    """``pit`` for a search over the point in time, ``index`` for one over the index."""
    return ["pit" if path == "/_search" else "index" for path in calls if path.endswith("/_search")]


def test_a_download_walks_one_point_in_time(client, collection, engine_calls, points_in_time):
    titles = download(client.get("/api/stories/export.csv", {"q": "recruitment fees"}))

    assert sorted(titles) == sorted(MATCHES)
    assert len(points_in_time) == 1
    assert searches(engine_calls) == ["pit"] * 3
    assert any(path == "/_pit" for path in engine_calls)  # closed at the end


def test_a_download_goes_on_when_the_engine_refuses_a_point_in_time(
    client, collection, engine_calls, points_in_time, monkeypatch
):
    monkeypatch.setattr(search_export, "PIT_KEEP_ALIVE", "until-further-notice")

    titles = download(client.get("/api/stories/export.csv", {"q": "recruitment fees"}))

    assert sorted(titles) == sorted(MATCHES)
    assert points_in_time == []  # refused
    assert searches(engine_calls) == ["index"] * 3


def test_a_download_goes_on_when_its_point_in_time_is_gone(
    client, collection, engine_calls, points_in_time
):
    response = client.get("/api/stories/export.csv", {"q": "recruitment fees"})
    assert searches(engine_calls) == ["pit"]  # the first batch, read before answering
    # Gone before the next batch is read, as when it expires during a paused download.
    search_client().close_point_in_time(id=points_in_time[0])

    titles = download(response)

    assert sorted(titles) == sorted(MATCHES)
    assert len(titles) == len(set(titles))
    # The next search found it gone and was sent again over the index, as was the last.
    assert searches(engine_calls) == ["pit", "pit", "index", "index"]
