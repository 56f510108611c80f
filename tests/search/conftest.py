"""Search tests run against the session's real search server with a fresh index each."""

from __future__ import annotations

import pytest

from tests.publishing import committed, published  # noqa: F401 - fixtures, found by name


@pytest.fixture(autouse=True)
def empty_index(search_index):
    """Every search test starts from its own empty index (``tests/conftest.py``)."""
    yield
