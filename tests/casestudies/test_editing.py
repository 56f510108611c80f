"""Editors: metric results are validated in the admin, and publishing goes through moderation."""

import datetime

import pytest
from django.urls import reverse
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from anonymity.models import ContributingCompany
from casestudies.models import CaseStudyIndexPage, CaseStudyPage, MetricResult
from tests.factories import (
    IndustryFactory,
    InterventionTypeFactory,
    MetricDefinitionFactory,
    RegionFactory,
    SupplyChainStageFactory,
    user_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return user_in("Editors", "editor")


@pytest.fixture
def moderator(db):
    return user_in("Moderators", "moderator", "mod@example.org")


def case_study_form(result: dict, **overrides) -> dict:
    fields = {
        "title": "How a tea estate gave workers a hotline",
        "slug": "tea-estate-hotline",
        "summary": "A tea producer set up a worker-run hotline.",
        "challenge": rich_text("<p>Workers feared retaliation.</p>"),
        "steps": streamfield(
            [
                (
                    "step",
                    {
                        "heading": "Ask workers what they need",
                        "what_was_done": rich_text("<p>Focus groups on every estate.</p>"),
                        "who_was_involved": "Worker representatives",
                        "duration": "3 months",
                        "cost_band": "under-10k",
                        "pitfalls": "",
                    },
                )
            ]
        ),
        "what_did_not_work": rich_text(""),
        "lessons": rich_text(""),
        "resources": streamfield([]),
        "results": inline_formset([result]),
        "industry": IndustryFactory().pk,
        "region": RegionFactory().pk,
        "size_band": "medium",
        "year_started": "2022",
        "year_ended": "2023",
        "hero_alt": "",
        "contributing_company": "",
        "confidential_terms": "",
        "attribution_consent_record": "",
        "reidentification_override": "",
        "search_description": "",
        "seo_title": "",
    }
    fields.update(overrides)
    data = nested_form_data(fields)
    # Multiple-choice fields post one value per key; nested_form_data would flatten them.
    data["intervention_types"] = [InterventionTypeFactory().pk]
    data["stages"] = [SupplyChainStageFactory().pk]
    return data


def result_row(metric, **overrides) -> dict:
    row = {
        "metric": metric.pk,
        "baseline": "12",
        "result": "240",
        "unit": metric.unit,
        "period_start": "2022-01-01",
        "period_end": "2022-12-31",
        "verification": "self-reported",
        "note": "",
        "precision": "rounded",
        "period_detail": "years",
    }
    row.update(overrides)
    return row


def add_url():
    parent = CaseStudyIndexPage.objects.get()
    return reverse("wagtailadmin_pages:add", args=("casestudies", "casestudypage", parent.pk))


def test_admin_rejects_a_result_in_the_wrong_unit_with_a_clear_message(admin_client):
    metric = MetricDefinitionFactory(name="Grievances resolved", unit="grievances")

    response = admin_client.post(add_url(), case_study_form(result_row(metric, unit="USD")))

    assert response.status_code == 200
    assert "Grievances resolved&#x27; is measured in grievances" in response.content.decode()
    assert not CaseStudyPage.objects.exists()


def test_admin_rejects_a_result_without_a_period(admin_client):
    metric = MetricDefinitionFactory()

    response = admin_client.post(add_url(), case_study_form(result_row(metric, period_end="")))

    assert "Enter the period the result covers" in response.content.decode()
    assert not CaseStudyPage.objects.exists()


def test_admin_saves_a_valid_result(admin_client):
    metric = MetricDefinitionFactory(unit="grievances")

    response = admin_client.post(add_url(), case_study_form(result_row(metric)))

    assert response.status_code == 302
    saved = MetricResult.objects.get()
    assert (saved.baseline, saved.result, saved.unit) == (12, 240, "grievances")
    assert saved.period_end == datetime.date(2022, 12, 31)


def test_moderation_from_draft_to_live(client, editor, moderator):
    metric = MetricDefinitionFactory()
    client.force_login(editor)

    ContributingCompany.objects.create(  # a story must name a registered company
        name="Quorvane Estates",
        industry=IndustryFactory(),
        size_band="medium",
        hq_region=RegionFactory(),
    )
    private = {
        "contributing_company": "Quorvane Estates",
        "reidentification_override": "Hundreds of tea estates in the region run hotlines.",
    }
    response = client.post(
        add_url(), case_study_form(result_row(metric), **private, **{"action-submit": "Submit"})
    )
    assert response.status_code == 302
    page = CaseStudyPage.objects.get()
    assert not page.live
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    client.logout()
    assert client.get("/case-studies/tea-estate-hotline/").status_code == 404

    client.force_login(moderator)
    task_state = page.current_workflow_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)),
        {"comment": "Looks anonymous"},
    )
    assert response.status_code in (200, 302)
    client.logout()

    page.refresh_from_db()
    assert page.live
    live = client.get("/case-studies/tea-estate-hotline/")
    assert live.status_code == 200
    assert "How a tea estate gave workers a hotline" in live.content.decode()


def test_editors_cannot_publish_without_review(client, editor):
    """Editors lack publish permission, so a direct publish leaves the page a draft."""
    metric = MetricDefinitionFactory()
    client.force_login(editor)
    client.post(add_url(), case_study_form(result_row(metric), **{"action-publish": "Publish"}))
    page = Page.objects.get(slug="tea-estate-hotline")
    assert not page.live
