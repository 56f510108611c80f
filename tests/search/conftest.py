"""Search tests run against the session's real search server with a fresh index each."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from tests.publishing import committed, published  # noqa: F401 - fixtures, found by name


@pytest.fixture(autouse=True)
def empty_index(search_index):
    """Every search test starts from its own empty index (``tests/conftest.py``)."""
    yield


@pytest.fixture
def engine_calls(monkeypatch):
    """The paths of every request sent to the search engine while a test runs."""
    calls: list[str] = []
    original = Elasticsearch.perform_request

    def counting(self, method, path, **kwargs):
        calls.append(path)
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(Elasticsearch, "perform_request", counting)
    return calls
