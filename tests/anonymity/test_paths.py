"""Every way Wagtail offers to make a story public runs the anonymity guard.

Each test drives one path as a moderator would (the admin's own views and API)
and checks what matters: the page does not go public, anonymous visitors get a
404, the refusal is in the page's history and the moderator is told which field
holds which term. The backstop tests make a leak go live by paths no hook knows
and check that it is taken down at once, recorded and reported.
"""

import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.actions.copy_page import CopyPageAction
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import PageLogEntry, Revision
from wagtail.signals import page_unpublished

from anonymity.members import make_members_only
from anonymity.models import ContributingCompany, DenylistTerm
from casestudies import publication
from casestudies.models import CaseStudyIndexPage, CaseStudyPage, HomePage, MetricResult
from tests.anonymity.admin_forms import edit_form_data
from tests.casestudies.test_editing import add_url, case_study_form, result_row
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    MetricDefinitionFactory,
    RegionFactory,
    user_in,
)

pytestmark = pytest.mark.django_db

TERM = "Zorblatt"
AGENCY = "Rapid Placement Agency"
COMPANY = "Harbour Mill Company"
LEAKING_TITLE = "How Zorblatt repaid recruitment fees"


@pytest.fixture
def moderator(db):
    return user_in("Moderators", "mo")


@pytest.fixture
def admin(client, moderator):
    client.force_login(moderator)
    return client


def _story(live=False, **fields) -> CaseStudyPage:
    """A story from a registered company whose confidential term is TERM; clean unless told."""
    ContributingCompany.objects.get_or_create(
        name=COMPANY,
        defaults={
            "industry": IndustryFactory(name="Apparel"),
            "size_band": "large",
            "hq_region": RegionFactory(name="South Asia"),
        },
    )
    fields = {
        "contributing_company": COMPANY,
        "confidential_terms": TERM,
        "reidentification_override": "Hundreds of mills of this size work in the region.",
        **fields,
    }
    page = CaseStudyPageFactory(live=False, **fields)
    revision = page.save_revision()
    if live:
        revision.publish()
    return CaseStudyPage.objects.get(pk=page.pk)


def _draft_with_leak(user=None) -> CaseStudyPage:
    """A draft whose latest revision puts TERM in the title."""
    page = _story()
    page.title = LEAKING_TITLE
    page.save_revision(user=user)
    return CaseStudyPage.objects.get(pk=page.pk)


def _legacy_leak(page) -> CaseStudyPage:
    """The live content of a live story comes to hold TERM: published before anyone knew it
    mattered (written straight to the table, as no admin path allows it now)."""
    CaseStudyPage.objects.filter(pk=page.pk).update(title=LEAKING_TITLE)
    return CaseStudyPage.objects.get(pk=page.pk)


def _is_live(page) -> bool:
    return CaseStudyPage.objects.get(pk=page.pk).live


def _anonymous_status(url: str) -> int:
    """What a visitor without an account ends up with (after Wagtail's redirects)."""
    return Client().get(url, follow=True).status_code


def _says_field_and_term(text: str, field: str = "Title") -> bool:
    return TERM in text and field in text


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _refused_in_history(admin, page, term=TERM, field="Title") -> None:
    entry = PageLogEntry.objects.filter(page=page, action="anonymity.publish_refused").last()
    assert entry is not None, "the refusal is recorded in the page's history"
    assert any(term in problem for problem in entry.data["problems"])
    history = admin.get(f"/admin/pages/{page.pk}/history/").content.decode()
    assert "Publishing refused" in history
    assert term in history and field in history


# --- The extension point fails closed -----------------------------------------


def test_the_guard_is_registered_and_the_system_check_is_clean():
    ids = {message.id for message in run_checks()}
    assert "casestudies.E001" not in ids
    assert "anonymity.E001" not in ids


def test_without_a_registered_check_nothing_is_published_and_the_check_fails(monkeypatch):
    page = _story()
    monkeypatch.setattr(publication, "_checks", [])

    ids = {message.id for message in run_checks()}
    assert {"casestudies.E001", "anonymity.E001"} <= ids
    with pytest.raises(publication.PublicationUnchecked):
        page.get_latest_revision().publish()
    assert not _is_live(page)


# --- Each path ----------------------------------------------------------------


def test_publish_from_the_edit_view(admin):
    page = _story()
    data = edit_form_data(
        admin,
        page,
        title=LEAKING_TITLE,
        **{"action-publish": "1"},
    )

    response = admin.post(f"/admin/pages/{page.pk}/edit/", data)

    assert _says_field_and_term(_messages(response))
    assert not _is_live(page)
    assert _anonymous_status(page.url) == 404
    kept = CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert kept.title == LEAKING_TITLE  # the draft is kept
    _refused_in_history(admin, page)


def _result_defaults() -> dict:
    """Choices of a measured result that the editor's form shows preselected."""
    shown = ("precision", "period_detail")
    return {f.name: f.default for f in MetricResult._meta.fields if f.name in shown}


def test_publish_from_the_create_view(admin):
    _story()  # registers the contributing company
    response = admin.post(
        add_url(),
        case_study_form(
            result_row(MetricDefinitionFactory(), **_result_defaults()),
            title=LEAKING_TITLE,
            contributing_company=COMPANY,
            confidential_terms=TERM,
            reidentification_override="Hundreds of mills of this size work in the region.",
            **{"action-publish": "Publish"},
        ),
    )

    page = CaseStudyPage.objects.get(slug="tea-estate-hotline")
    assert response["Location"] == f"/admin/pages/{page.pk}/edit/"
    assert _says_field_and_term(_messages(response))
    assert not page.live
    assert _anonymous_status("/case-studies/tea-estate-hotline/") == 404
    assert page.get_latest_revision_as_object().title == LEAKING_TITLE  # kept as a draft
    _refused_in_history(admin, page)


def _in_moderation(page, user):
    workflow = page.get_workflow()
    workflow.start(page, user)
    return CaseStudyPage.objects.get(pk=page.pk)


def test_workflow_approval_from_the_edit_view(admin, moderator):
    page = _in_moderation(_draft_with_leak(moderator), moderator)
    data = edit_form_data(
        admin,
        page,
        **{"action-workflow-action": "1", "workflow-action-name": "approve"},
    )

    response = admin.post(f"/admin/pages/{page.pk}/edit/", data)

    assert _says_field_and_term(_messages(response))
    assert not _is_live(page)
    assert CaseStudyPage.objects.get(pk=page.pk).current_workflow_state is not None
    _refused_in_history(admin, page)


@pytest.mark.parametrize("modal", [False, True], ids=["approve", "approve-with-comment"])
def test_workflow_approval_from_the_dashboard(admin, moderator, modal):
    page = _in_moderation(_draft_with_leak(moderator), moderator)
    task_state = page.current_workflow_task_state
    url = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    dashboard = admin.get("/admin/").content.decode()
    assert "Awaiting your review" in dashboard and url in dashboard

    if modal:
        response = admin.post(
            url,
            {"comment": "Looks good", "next": "/admin/"},
            headers={"x-requested-with": "XMLHttpRequest"},
        )
        assert response.status_code == 200
        answer = json.loads(response.content)
        assert answer["step"] == "success"
        assert answer["redirect"] == f"/admin/pages/{page.pk}/edit/"
        shown = admin.get(answer["redirect"]).content.decode()
    else:
        response = admin.post(url, {"next": "/admin/"})
        assert response.status_code == 302
        assert response["Location"] == f"/admin/pages/{page.pk}/edit/"
        shown = _messages(response)

    assert "do not have permission" not in shown
    assert _says_field_and_term(shown)
    assert not _is_live(page)
    assert _anonymous_status(page.url) == 404
    assert CaseStudyPage.objects.get(pk=page.pk).current_workflow_state is not None
    _refused_in_history(admin, page)


def test_bulk_publish(admin, moderator):
    page = _draft_with_leak(moderator)
    clean = _story(title="How a tannery returned passports")
    index = CaseStudyIndexPage.objects.get()
    url = (
        f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}&id={clean.pk}"
        f"&next=/admin/pages/{index.pk}/"
    )

    response = admin.post(url, {"include_descendants": ""})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{index.pk}/"
    text = _messages(response)
    assert _says_field_and_term(text) and "Nothing was published" in text
    assert not _is_live(page) and not _is_live(clean)
    assert _anonymous_status(page.url) == 404
    _refused_in_history(admin, page)


def test_bulk_publish_of_the_listing_with_its_draft_stories(admin, moderator):
    page = _draft_with_leak(moderator)
    index = CaseStudyIndexPage.objects.get()

    response = admin.post(
        f"/admin/bulk/wagtailcore/page/publish/?id={index.pk}&next=/admin/pages/",
        {"include_descendants": "on"},
    )

    assert _says_field_and_term(_messages(response))
    assert not _is_live(page)
    _refused_in_history(admin, page)


def test_scheduled_publish(admin, moderator):
    page = _story(summary=f"Fees charged by the {AGENCY} were repaid.")
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = page.save_revision(user=moderator)
    revision.publish(user=moderator)
    revision.refresh_from_db()
    assert revision.approved_go_live_at is not None
    # Before the go-live moment the agency is denylisted, and the moment passes.
    DenylistTerm.objects.create(term=AGENCY, reason="Under investigation")
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()

    call_command("publish_scheduled")

    assert not _is_live(page)
    assert _anonymous_status(page.url) == 404
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is None
    _refused_in_history(admin, page, term=AGENCY, field="Summary")


def _copy_form(page, **fields):
    return {
        "new_title": page.title,
        "new_slug": f"{page.slug}-copy",
        "new_parent_page": str(page.get_parent().pk),
        **fields,
    }


def test_copy_with_publish_copied_page_ticked(admin):
    page = _story(live=True)

    response = admin.post(
        f"/admin/pages/{page.pk}/copy/",
        _copy_form(page, new_title=LEAKING_TITLE, new_slug="zorblatt-way", publish_copies="on"),
    )

    assert response.status_code == 200  # the copy form again, with what was typed
    html = response.content.decode()
    assert f'value="{LEAKING_TITLE}"' in html
    assert "Not copied" in html and _says_field_and_term(html)
    assert not CaseStudyPage.objects.filter(slug="zorblatt-way").exists()
    assert _anonymous_status("/case-studies/zorblatt-way/") == 404
    _refused_in_history(admin, page)


def test_a_clean_published_copy_still_goes_live(admin):
    page = _story(live=True)
    admin.post(f"/admin/pages/{page.pk}/copy/", _copy_form(page, publish_copies="on"))
    copy = CaseStudyPage.objects.get(slug=f"{page.slug}-copy")
    assert copy.live
    assert _anonymous_status(copy.url) == 200


def test_a_draft_copy_is_allowed_and_stays_a_draft(admin):
    page = _story(live=True)
    admin.post(f"/admin/pages/{page.pk}/copy/", _copy_form(page, new_title=LEAKING_TITLE))
    copy = CaseStudyPage.objects.get(slug=f"{page.slug}-copy")
    assert not copy.live


def test_copy_as_alias(admin):
    page = _story(live=True)

    response = admin.post(
        f"/admin/pages/{page.pk}/copy/",
        _copy_form(page, new_slug="zorblatt-mirror", alias="on"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Not copied" in html and _says_field_and_term(html, field="Slug")
    assert not CaseStudyPage.objects.filter(slug="zorblatt-mirror").exists()
    assert _anonymous_status("/case-studies/zorblatt-mirror/") == 404
    _refused_in_history(admin, page, field="Slug")


def _api(admin, page, action, payload=None):
    return admin.post(
        f"/admin/api/main/pages/{page.pk}/action/{action}/",
        json.dumps(payload or {}),
        content_type="application/json",
    )


def test_admin_api_publish(admin, moderator):
    page = _draft_with_leak(moderator)

    response = _api(admin, page, "publish")

    assert response.status_code == 400
    answer = response.json()
    assert "Not published" in answer["message"]
    assert _says_field_and_term(" ".join(answer["problems"][str(page.pk)]))
    assert not _is_live(page)
    assert _anonymous_status(page.url) == 404
    _refused_in_history(admin, page)


def test_admin_api_copy(admin):
    page = _story(live=True)

    response = _api(admin, page, "copy", {"title": LEAKING_TITLE, "slug": "zorblatt-way"})

    assert response.status_code == 400
    assert _says_field_and_term(" ".join(response.json()["problems"][str(page.pk)]))
    assert not CaseStudyPage.objects.filter(slug="zorblatt-way").exists()
    assert _anonymous_status("/case-studies/zorblatt-way/") == 404
    _refused_in_history(admin, page)


def test_admin_api_create_alias(admin):
    page = _story(live=True)

    response = _api(admin, page, "create_alias", {"update_slug": "zorblatt-mirror"})

    assert response.status_code == 400
    assert _says_field_and_term(" ".join(response.json()["problems"][str(page.pk)]), "Slug")
    assert not CaseStudyPage.objects.filter(slug="zorblatt-mirror").exists()
    _refused_in_history(admin, page, field="Slug")


def test_revert_to_and_publish_an_older_revision(admin, moderator):
    page = _story()
    page.title = LEAKING_TITLE
    old = page.save_revision(user=moderator)
    page.title = "How a mill repaid recruitment fees"
    page.save_revision(user=moderator).publish(user=moderator)
    assert _is_live(page)
    url = f"/admin/pages/{page.pk}/revisions/{old.pk}/revert/"
    data = edit_form_data(admin, page, url, **{"action-publish": "1"})
    assert data["title"] == LEAKING_TITLE

    response = admin.post(url, data)

    assert _says_field_and_term(_messages(response))
    live = CaseStudyPage.objects.get(pk=page.pk)
    assert live.live and live.title == "How a mill repaid recruitment fees"
    assert TERM not in Client().get(live.url).content.decode()
    _refused_in_history(admin, page)


def _members_library():
    """A second case-study listing that only members may read (made after the stories, as
    the factories expect one listing)."""
    home = HomePage.objects.get()
    library = home.add_child(instance=CaseStudyIndexPage(title="Members' library", slug="library"))
    make_members_only(library)
    return library


def _in_library(page, library):
    page.move(library, pos="last-child")
    return CaseStudyPage.objects.get(pk=page.pk)


def _in_members_library(page):
    return _in_library(page, _members_library())


def test_move_out_of_a_members_only_section(admin):
    page = _legacy_leak(_in_members_library(_story(live=True)))
    library = page.get_parent()
    public_index = CaseStudyIndexPage.objects.get(slug="case-studies")

    response = admin.post(f"/admin/pages/{page.pk}/move/{public_index.pk}/confirm/")

    assert _says_field_and_term(_messages(response))
    assert CaseStudyPage.objects.get(pk=page.pk).get_parent().pk == library.pk
    assert _anonymous_status(f"/case-studies/{page.slug}/") == 404
    _refused_in_history(admin, page)


def test_admin_api_move_out_of_a_members_only_section(admin):
    page = _legacy_leak(_in_members_library(_story(live=True)))
    library = page.get_parent()
    public_index = CaseStudyIndexPage.objects.get(slug="case-studies")

    response = _api(admin, page, "move", {"destination_page_id": public_index.pk})

    assert response.status_code == 400
    assert CaseStudyPage.objects.get(pk=page.pk).get_parent().pk == library.pk
    _refused_in_history(admin, page)


def test_bulk_move_out_of_a_members_only_section(admin):
    page = _legacy_leak(_in_members_library(_story(live=True)))
    library = page.get_parent()
    public_index = CaseStudyIndexPage.objects.get(slug="case-studies")

    response = admin.post(
        f"/admin/bulk/wagtailcore/page/move/?id={page.pk}&next=/admin/pages/{library.pk}/",
        {"chooser": public_index.pk},
    )

    assert _says_field_and_term(_messages(response))
    assert CaseStudyPage.objects.get(pk=page.pk).get_parent().pk == library.pk
    _refused_in_history(admin, page)


def test_making_a_members_only_section_public_takes_leaks_down(
    admin, people, django_capture_on_commit_callbacks
):
    page, clean = _story(live=True), _story(live=True)
    library = _members_library()
    clean.move(library, pos="last-child")
    page = _legacy_leak(_in_library(page, library))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/pages/{library.pk}/privacy/", {"restriction_type": "none"})

    assert response.status_code == 200
    assert not _is_live(page) and _is_live(clean)
    assert _anonymous_status(f"/library/{page.slug}/") == 404
    assert PageLogEntry.objects.filter(page=page, action="anonymity.taken_down").exists()
    _alerted(page)


def test_a_clean_story_moves_out_of_a_members_only_section(admin):
    page = _in_members_library(_story(live=True))
    public_index = CaseStudyIndexPage.objects.get(slug="case-studies")
    admin.post(f"/admin/pages/{page.pk}/move/{public_index.pk}/confirm/")
    assert CaseStudyPage.objects.get(pk=page.pk).get_parent().pk == public_index.pk
    assert _anonymous_status(f"/case-studies/{page.slug}/") == 200


# --- The backstop ----------------------------------------------------------------


@pytest.fixture
def unpublished_signals():
    pages = []

    def receiver(sender, instance, **kwargs):
        pages.append(instance.pk)

    page_unpublished.connect(receiver, dispatch_uid="test-paths-unpublished")
    yield pages
    page_unpublished.disconnect(dispatch_uid="test-paths-unpublished")


def _taken_down(admin, page, unpublished_signals) -> None:
    assert not _is_live(page)
    assert _anonymous_status(f"/case-studies/{page.slug}/") == 404
    assert page.pk in unpublished_signals, "search and the page cache hear of the unpublish"
    entry = PageLogEntry.objects.get(page=page, action="anonymity.taken_down")
    assert any(TERM in problem for problem in entry.data["problems"])
    history = admin.get(f"/admin/pages/{page.pk}/history/").content.decode()
    assert "Taken down" in history and TERM in history
    dashboard = admin.get("/admin/").content.decode()
    assert "Taken down by the anonymity guard" in dashboard
    assert f"/admin/pages/{page.pk}/edit/" in dashboard


def _alerted(page) -> None:
    live_title = CaseStudyPage.objects.get(pk=page.pk).title
    alerts = [m for m in mail.outbox if live_title in m.body]
    assert len(alerts) == 1
    assert "taken down" in alerts[0].subject
    assert set(alerts[0].to) >= {"mo@example.org", "root@example.org"}
    assert "editor@example.org" not in alerts[0].to
    assert TERM in alerts[0].body and f"/admin/pages/{page.pk}/edit/" in alerts[0].body


@pytest.fixture
def people(django_user_model, moderator):
    django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    editor = django_user_model.objects.create_user("ed", "editor@example.org", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))


def test_a_live_story_saved_by_code_with_a_leak_is_taken_down(
    admin, people, unpublished_signals, django_capture_on_commit_callbacks
):
    page = _story(live=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        page.title = LEAKING_TITLE
        page.save()

    _taken_down(admin, page, unpublished_signals)
    _alerted(page)


def test_a_publish_by_a_path_no_hook_knows_is_taken_down(
    admin, people, unpublished_signals, django_capture_on_commit_callbacks
):
    page = _draft_with_leak()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        PublishPageRevisionAction(page.get_latest_revision()).execute()

    _taken_down(admin, page, unpublished_signals)
    _alerted(page)


def test_a_live_copy_made_by_code_is_taken_down(
    admin, people, unpublished_signals, django_capture_on_commit_callbacks
):
    page = _story(live=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        copy = CopyPageAction(
            page, update_attrs={"title": LEAKING_TITLE, "slug": "zorblatt-way"}, keep_live=True
        ).execute()

    assert _is_live(page), "the original is clean and stays up"
    _taken_down(admin, CaseStudyPage.objects.get(pk=copy.pk), unpublished_signals)
    _alerted(copy)


def test_clean_live_saves_are_left_alone(admin, people, django_capture_on_commit_callbacks):
    page = _story(live=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.summary = "Fees were repaid within a year."
        page.save()
        page.title = LEAKING_TITLE
        page.save_revision()  # a draft: not what visitors see
    assert _is_live(page)
    assert mail.outbox == []
    assert not PageLogEntry.objects.filter(page=page, action="anonymity.taken_down").exists()


def test_a_bright_spot_saved_live_with_a_leak_is_taken_down(
    admin, people, django_capture_on_commit_callbacks
):
    spot = BrightSpotPageFactory(live=False, confidential_terms=TERM)
    spot.save_revision()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        spot.live = True
        spot.body = "The Zorblatt team repaid every worker within a year."
        spot.save()

    assert not type(spot).objects.get(pk=spot.pk).live
    assert _anonymous_status(f"/bright-spots/{spot.slug}/") == 404
    entry = PageLogEntry.objects.get(page=spot, action="anonymity.taken_down")
    assert any(TERM in problem and "Body" in problem for problem in entry.data["problems"])
    assert len(mail.outbox) == 1
