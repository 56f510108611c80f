"""Worlds built once for a whole test module: fast, and still isolated per test."""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction


@contextlib.contextmanager
def rolled_back(django_db_blocker):
    """For a module-scoped fixture: what it builds inside is rolled back after the module.

    Each test still runs in its own savepoint on top (the ``db`` fixture), so a test that
    adds to the world leaves the next one the same world. Nothing is committed, so what
    waits for a commit (index updates, rendition tasks) never runs.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def module_world(build):
    """The fixtures ``_module_world`` and ``world`` for a conftest: ``build()``, run once per
    module inside ``rolled_back``, is the ``world`` every test of the module gets."""

    @pytest.fixture(scope="module")
    def _module_world(django_db_setup, django_db_blocker):
        with rolled_back(django_db_blocker):
            yield build()

    @pytest.fixture
    def world(_module_world, db):
        return _module_world

    return _module_world, world
