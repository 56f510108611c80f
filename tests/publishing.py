"""``committed`` and ``published``: what waits for the commit, run at the end of a block.

Fixtures for the test packages whose surfaces follow a commit (the search index, the
alerts); each package's conftest imports them, so their scope and database mode stay
the package's own. Nothing here commits: callbacks are captured and run in the test's
transaction.
"""

from __future__ import annotations

import contextlib

import pytest

from tests.factories import publish


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what waits for the commit (index, alerts) at the end."""

    @contextlib.contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return block


@pytest.fixture
def published(committed):
    """Publish pages the way editors do, then let what waits for the commit follow."""

    def publish_all(*pages):
        with committed():
            done = [publish(page) for page in pages]
        return done[0] if len(done) == 1 else done

    return publish_all
