"""Search tests run against the session's real search server with a fresh index each."""

from __future__ import annotations

import contextlib

import pytest

from tests.factories import publish


@pytest.fixture(autouse=True)
def empty_index(search_index):
    """Every search test starts from its own empty index (``tests/conftest.py``)."""
    yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what waits for the commit (the index update) at the end."""

    @contextlib.contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return block


@pytest.fixture
def published(committed):
    """Publish pages the way editors do and let the index follow, as after a real commit."""

    def publish_all(*pages):
        with committed():
            done = [publish(page) for page in pages]
        return done[0] if len(done) == 1 else done

    return publish_all
