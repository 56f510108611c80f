"""Fixtures of the perf tests: publishing that lets what waits for the commit follow."""

from tests.publishing import committed, published  # noqa: F401 - fixtures, found by name
