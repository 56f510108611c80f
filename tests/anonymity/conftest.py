"""An editor signed in to the admin, for the guard's admin tests, and a member of a company."""

import pytest

from tests.factories import member_of


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def member(db):
    """A person of the member company Zorblatt Textiles (its members-only stories open)."""
    return member_of("Zorblatt Textiles")
