"""The demo content fills every playbook: a newcomer sees the pattern, not an empty page."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from casestudies.models import CaseStudyPage, InterventionType
from tests.worlds import rolled_back

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module and rolled back afterwards."""
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        rolled_back(django_db_blocker),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), TASKS=immediate),
    ):
        call_command("load_demo_content", "--quiet", stdout=StringIO())
        yield


def test_every_demo_playbook_shows_a_sequence_with_figures(demo, client):
    assert client.get("/playbooks/").status_code == 200
    for intervention in InterventionType.objects.all():
        response = client.get(f"/playbooks/{intervention.slug}/")
        assert response.status_code == 200, intervention.slug
        body = response.content.decode()
        assert "data-suppressed" not in body.split('id="sequence-heading"')[0], intervention.slug
        kinds = re.findall(r'data-step-kind="[\w-]+"', body)
        assert len(kinds) >= 2, intervention.slug
        assert "How long it took" in body and "Who was usually involved" in body


def test_demo_case_studies_compare_side_by_side(demo, client):
    first, second, *_ = CaseStudyPage.objects.visible_to(None).order_by("pk")
    response = client.get(f"/compare/?story={first.pk}&story={second.pk}")
    assert response.status_code == 200
    assert 'data-columns="2"' in response.content.decode()
