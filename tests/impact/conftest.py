import pytest
from django.db import transaction

from tests.impact.world import World, build_world


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back afterwards.

    Each test still runs in its own savepoint (the ``db`` fixture), so a test that
    adds results leaves the next one the same world.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db) -> World:
    """The hand-computed fixture described in world.py."""
    return _module_world
