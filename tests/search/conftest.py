"""Search tests run against the session's real search server with a fresh index each."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def empty_index(search_index):
    """Every search test starts from its own empty index (``tests/conftest.py``)."""
    yield
