import pytest
from django.db import transaction

from tests.playbooks.world import PlaybookWorld, build_world


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """Built once per module and rolled back afterwards; each test runs in its own savepoint."""
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(get_user_model())
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db) -> PlaybookWorld:
    """The hand-computed world described in world.py."""
    return _module_world
