"""Story pages whose surfaces follow a commit (related practices come from the index)."""

from tests.publishing import committed, published  # noqa: F401 - fixtures, found by name
