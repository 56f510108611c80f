"""Step kinds, the ILO's forced-labour indicators and KnowTheChain themes, as editors use them."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import rich_text, streamfield

from casestudies.models import CaseStudyPage, ForcedLabourIndicator, InterventionType, StepKind
from tests.casestudies.test_editing import add_url, case_study_form, result_row
from tests.factories import (
    CaseStudyPageFactory,
    InterventionTypeFactory,
    MetricDefinitionFactory,
    StepKindFactory,
    publish,
    step,
)

pytestmark = pytest.mark.django_db

ILO_INDICATORS = {
    "abuse-of-vulnerability",
    "deception",
    "restriction-of-movement",
    "isolation",
    "physical-and-sexual-violence",
    "intimidation-and-threats",
    "retention-of-identity-documents",
    "withholding-of-wages",
    "debt-bondage",
    "abusive-working-and-living-conditions",
    "excessive-overtime",
}


def test_the_ilo_indicators_are_there_from_the_start():
    indicators = ForcedLabourIndicator.objects.all()
    assert set(indicators.values_list("slug", flat=True)) == ILO_INDICATORS
    assert all(i.name and i.description for i in indicators)


def test_an_editor_adds_a_step_kind_in_the_snippets_admin(admin_client):
    url = reverse("wagtailsnippets_casestudies_stepkind:add")
    response = admin_client.post(
        url,
        {"name": "Repay fees", "slug": "repay-fees", "description": "Pay workers back."},
    )
    assert response.status_code == 302
    assert StepKind.objects.get(slug="repay-fees").name == "Repay fees"

    again = admin_client.post(url, {"name": "Repay fees", "slug": "repay-fees"})
    assert again.status_code == 200
    assert "already exists" in again.content.decode()
    assert StepKind.objects.count() == 1


def test_an_editor_tags_a_step_and_the_risks_addressed(admin_client):
    kind = StepKindFactory(name="Set up a grievance channel")
    data = case_study_form(
        result_row(MetricDefinitionFactory(unit="workers")),
        steps=streamfield(
            [
                (
                    "step",
                    {
                        "heading": "Opened a hotline",
                        "kind": kind.pk,
                        "what_was_done": rich_text("<p>A hotline run by a union.</p>"),
                        "who_was_involved": "",
                        "duration": "",
                        "cost_band": "",
                        "pitfalls": "",
                    },
                )
            ]
        ),
    )
    chosen = ForcedLabourIndicator.objects.filter(slug__in=["isolation", "deception"])
    data["risks_addressed"] = [i.pk for i in chosen]

    response = admin_client.post(add_url(), data)

    assert response.status_code == 302
    page = CaseStudyPage.objects.get(slug="tea-estate-hotline")
    assert page.steps[0].value["kind"] == kind
    assert {i.slug for i in page.risks_addressed.all()} == {"isolation", "deception"}


def test_the_edit_form_offers_step_kinds_and_indicators(admin_client):
    page = CaseStudyPageFactory()
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    html = response.content.decode()
    assert "Risks addressed" in html
    assert "Retention of identity documents" in html
    assert "/admin/snippets/choose/casestudies/stepkind/" in html  # each step's kind chooser


def test_a_published_case_study_shows_each_steps_kind(client):
    kind = StepKindFactory(name="Vet recruitment agencies")
    page = publish(
        CaseStudyPageFactory(
            steps=[step("Checked agency licences", kind=kind), step("Asked workers")],
            risks_addressed=["debt-bondage"],
        )
    )
    html = client.get(page.url).content.decode()
    assert "Vet recruitment agencies" in html
    assert "Checked agency licences" in html and "Asked workers" in html
    assert html.count('class="step__kind"') == 1  # a step without a kind shows none
    assert [i.slug for i in page.risks_addressed.all()] == ["debt-bondage"]


def test_factories_refuse_an_unknown_indicator():
    with pytest.raises(ValueError, match="forced-marriage"):
        CaseStudyPageFactory(risks_addressed=["forced-marriage"])


def test_an_intervention_type_carries_its_knowthechain_theme(admin_client):
    practice = InterventionTypeFactory(name="Employer pays")
    url = reverse("wagtailsnippets_casestudies_interventiontype:edit", args=(practice.pk,))
    response = admin_client.post(
        url,
        {
            "name": "Employer pays",
            "slug": practice.slug,
            "description": "Workers pay nothing.",
            "knowthechain_theme": "recruitment",
        },
    )
    assert response.status_code == 302
    practice = InterventionType.objects.get(pk=practice.pk)
    assert practice.get_knowthechain_theme_display() == "Recruitment"

    wrong = admin_client.post(
        url, {"name": "Employer pays", "slug": practice.slug, "knowthechain_theme": "charity"}
    )
    assert wrong.status_code == 200
    assert "Select a valid choice" in wrong.content.decode()
