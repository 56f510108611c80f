"""Publishing is refused on every path while a page would identify anyone."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision

from anonymity.guard import PublicationRefused
from anonymity.models import ContributingCompany, DenylistTerm
from casestudies.models import CaseStudyPage
from tests.anonymity.admin_forms import draft, edit_form_data
from tests.factories import SupplyChainStageFactory, publish

pytestmark = pytest.mark.django_db


def _is_live(page) -> bool:
    return CaseStudyPage.objects.get(pk=page.pk).live


def test_revision_publish_is_refused_naming_field_and_term():
    page = draft(title="How Zorblatt repaid fees", confidential_terms="Zorblatt")
    with pytest.raises(PublicationRefused) as refused:
        page.save_revision().publish()
    assert "“Zorblatt” appears in Title" in str(refused.value)
    assert not _is_live(page)


def test_a_clean_page_publishes():
    page = draft(title="How a mill repaid fees", confidential_terms="Zorblatt")
    publish(page)
    assert _is_live(page)


def test_admin_publish_is_refused_with_a_message_and_the_draft_is_kept(admin_client):
    page = draft(confidential_terms="Quenvik Harbour")
    data = edit_form_data(
        admin_client, page, title="Fees repaid at quenvik-harbour", **{"action-publish": "1"}
    )

    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{page.pk}/edit/"
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Not published" in text
    assert "“Quenvik Harbour” appears in Title" in text
    assert "“Quenvik Harbour” appears in Slug" not in text  # slug is unchanged
    page = CaseStudyPage.objects.get(pk=page.pk)
    assert not page.live
    assert page.get_latest_revision_as_object().title == "Fees repaid at quenvik-harbour"


def test_admin_publish_of_a_clean_page_goes_live(admin_client):
    page = draft(confidential_terms="Quenvik Harbour")
    data = edit_form_data(admin_client, page, title="Fees repaid", **{"action-publish": "1"})
    admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert _is_live(page)


def test_admin_save_draft_warns_early(admin_client):
    page = draft(confidential_terms="Quenvik Harbour")
    data = edit_form_data(admin_client, page, summary="Quenvik Harbour workers were repaid.")
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "cannot be published yet" in text
    assert "“Quenvik Harbour” appears in Summary" in text


def _submit_to_workflow(page, user):
    revision = page.save_revision(user=user)
    workflow = page.get_workflow()
    assert workflow is not None, "Wagtail's default moderation workflow covers the site"
    workflow.start(page, user)
    return revision


def test_workflow_approval_is_refused(editor):
    page = draft(summary="Repaid at the Zorblatt mill.", confidential_terms="Zorblatt")
    _submit_to_workflow(page, editor)
    page = CaseStudyPage.objects.get(pk=page.pk)
    with pytest.raises(PublicationRefused):
        page.current_workflow_task.on_action(page.current_workflow_task_state, editor, "approve")
    page = CaseStudyPage.objects.get(pk=page.pk)
    assert not page.live
    assert page.current_workflow_state is not None  # still waiting for an editor


def test_workflow_approval_in_the_admin_is_refused_with_a_message(admin_client, editor):
    page = draft(summary="Repaid at the Zorblatt mill.", confidential_terms="Zorblatt")
    _submit_to_workflow(page, editor)
    data = edit_form_data(
        admin_client,
        page,
        summary="Repaid at the Zorblatt mill, within a year.",
        **{"action-workflow-action": "1", "workflow-action-name": "approve"},
    )
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "“Zorblatt” appears in Summary" in text
    page = CaseStudyPage.objects.get(pk=page.pk)
    assert not page.live
    assert page.get_latest_revision_as_object().summary.endswith("within a year.")
    assert page.current_workflow_state is not None


def test_workflow_approval_of_a_clean_page_publishes(editor):
    page = draft(confidential_terms="Zorblatt")
    _submit_to_workflow(page, editor)
    page = CaseStudyPage.objects.get(pk=page.pk)
    page.current_workflow_task.on_action(page.current_workflow_task_state, editor, "approve")
    assert _is_live(page)


def _schedule(page):
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    revision.refresh_from_db()
    assert revision.approved_go_live_at is not None
    # Time passes: the go-live moment is now behind us.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    return revision


def test_scheduled_go_live_is_refused_when_a_term_became_denylisted():
    page = draft(summary="Fees charged by the Rapid Placement Agency were repaid.")
    revision = _schedule(page)
    DenylistTerm.objects.create(term="Rapid Placement Agency")
    clean = draft(title="Another practice")
    clean_revision = _schedule(clean)

    call_command("publish_scheduled")

    assert not _is_live(page)
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is None
    refusal = PageLogEntry.objects.get(page=page, action="anonymity.publish_refused")
    assert "“Rapid Placement Agency” appears in Summary" in refusal.data["problems"]
    assert _is_live(clean), "one refusal does not hold up other scheduled pages"
    assert Revision.objects.get(pk=clean_revision.pk).approved_go_live_at is None


def test_attribution_with_recorded_consent_allows_the_company_name_only():
    page = draft(
        title="How Acme Ltd repaid fees",
        contributing_company="Acme Ltd",
        attribution_consent=True,
        attribution_consent_record="Consent letter from Acme, 2024-03-01",
        reidentification_override="Attributed with consent: nothing to re-identify.",
    )
    publish(page)
    assert _is_live(page)

    other = draft(
        title="How ACME repaid fees at Quenvik",
        contributing_company="Acme Ltd",
        confidential_terms="Quenvik",
        attribution_consent=True,
        attribution_consent_record="Consent letter from Acme, 2024-03-01",
        reidentification_override="Attributed with consent.",
    )
    with pytest.raises(PublicationRefused, match="“Quenvik” appears in Title"):
        publish(other)


# --- Re-identification ----------------------------------------------------


def _register(n, page, stages):
    """The page's own company and n - 1 others like it, working in the page's region."""
    for i in range(n):
        company = ContributingCompany.objects.create(
            name=page.contributing_company if i == 0 else f"Registered {i}",
            industry=page.industry,
            hq_region=page.region,
            size_band=page.size_band,
        )
        company.operating_regions.set([page.region])
        company.stages.set(stages)


def test_fewer_than_k_lookalike_companies_refuses_publishing(settings):
    settings.REIDENTIFICATION_K = 3
    stage = SupplyChainStageFactory(name="Processing")
    page = draft(contributing_company="Zorblatt", stages=[stage], registered=False)
    _register(2, page, [stage])

    with pytest.raises(PublicationRefused, match="Only 2 registered contributing companies"):
        publish(page)
    assert not _is_live(page)


def test_a_third_lookalike_company_makes_publishing_safe(settings):
    settings.REIDENTIFICATION_K = 3
    stage = SupplyChainStageFactory(name="Processing")
    page = draft(contributing_company="Zorblatt", stages=[stage], registered=False)
    _register(3, page, [stage])
    publish(page)
    assert _is_live(page)


def test_companies_at_other_stages_do_not_count(settings):
    settings.REIDENTIFICATION_K = 3
    processing, farming = SupplyChainStageFactory(name="Processing"), SupplyChainStageFactory()
    page = draft(contributing_company="Zorblatt", stages=[processing], registered=False)
    _register(3, page, [farming])
    with pytest.raises(PublicationRefused, match="Only 0 registered"):
        publish(page)


def test_an_override_reason_allows_publishing(settings):
    settings.REIDENTIFICATION_K = 3
    page = draft(
        contributing_company="Zorblatt",
        reidentification_override="The region is home to dozens of unregistered mills.",
        registered=False,
    )
    _register(1, page, [])
    publish(page)
    assert _is_live(page)


def test_the_editor_is_warned_before_publishing(admin_client, settings):
    settings.REIDENTIFICATION_K = 3
    page = draft(contributing_company="Zorblatt", registered=False)
    _register(1, page, [])
    response = admin_client.post(
        f"/admin/pages/{page.pk}/edit/", edit_form_data(admin_client, page)
    )
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "cannot be published yet" in text
    assert "Only 0 registered contributing companies share" in text
    assert "record a re-identification override reason" in text


# --- Report ---------------------------------------------------------------


def test_report_lists_live_pages_whose_terms_changed_after_publishing(admin_client):
    denylisted = publish(draft(title="Fees repaid", summary="The Rapid Placement Agency was paid."))
    newly_confidential = publish(draft(title="Wages restored", summary="The Quenvik team met."))
    untouched = publish(draft(title="Passports returned"))
    response = admin_client.get("/admin/reports/confidential-terms/")
    assert response.status_code == 200
    assert "Fees repaid" not in response.content.decode()

    DenylistTerm.objects.create(term="Rapid Placement Agency")
    assert not _is_live(denylisted), "a new denylist term takes its live stories down"
    newly_confidential.confidential_terms = "Quenvik"
    newly_confidential.save_revision()  # the editor records the term in a draft

    html = admin_client.get("/admin/reports/confidential-terms/").content.decode()
    assert newly_confidential.title in html
    assert "“Quenvik” appears in Summary" in html
    assert untouched.title not in html
