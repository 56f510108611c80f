"""Admin wiring: private registers, the guard's messages to editors, the stale-content report.

The model-level check in StoryPage.publish is what makes publishing safe; the
hooks here are what make a refusal understandable (which field, which term)
and keep the editor's work as a draft.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from casestudies.models import StoryPage

from .guard import REFUSED_LOG_ACTION, PublicationRefused, publication_problems
from .models import ContributingCompany, DenylistTerm
from .reports import StaleConfidentialContentReport


class DenylistTermViewSet(SnippetViewSet):
    model = DenylistTerm
    icon = "cross"
    list_display = ["term", "reason"]
    search_fields = ["term"]


class ContributingCompanyViewSet(SnippetViewSet):
    model = ContributingCompany
    icon = "group"
    list_display = ["name", "industry", "size_band", "hq_region", "member_group"]
    search_fields = ["name"]


class AnonymityViewSetGroup(SnippetViewSetGroup):
    menu_label = "Anonymity"
    menu_icon = "lock"
    menu_order = 400
    items = (DenylistTermViewSet, ContributingCompanyViewSet)


register_snippet(AnonymityViewSetGroup)


def _problem_list(refused: PublicationRefused, lead: str):
    return format_html(
        "{}<ul>{}</ul>",
        lead,
        format_html_join("", "<li>{}</li>", ((p,) for p in refused.problems)),
    )


def _refuse(request, page, refused: PublicationRefused):
    messages.error(
        request,
        _problem_list(
            refused,
            "Not published: this would identify a contributor. Your changes are saved "
            "as a draft; fix these and publish again.",
        ),
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_publish_page")
def refuse_identifying_publication(request, page):
    """Runs after the admin saved the draft and before it goes live."""
    if not isinstance(page, StoryPage):
        return None
    refused = publication_problems(page)
    return _refuse(request, page, refused) if refused else None


@hooks.register("before_edit_page")
def refuse_identifying_approval(request, page):
    """Workflow approval from the edit page publishes; check what would be approved.

    The submitted form is evaluated on a fresh copy of the page (the view
    binds its own), and any edits in it are kept as a new draft revision
    before refusing.
    """
    if request.method != "POST" or not request.POST.get("action-workflow-action"):
        return None
    if request.POST.get("workflow-action-name") != "approve" or not isinstance(page, StoryPage):
        return None
    fresh = page.get_latest_revision_as_object()
    form_class = fresh.get_edit_handler().get_form_class()
    form = form_class(
        request.POST,
        request.FILES,
        instance=fresh,
        parent_page=fresh.get_parent(),
        for_user=request.user,
    )
    changed = form.is_valid() and form.has_changed()
    if changed:
        fresh = form.save(commit=False)
    refused = publication_problems(fresh)
    if refused is None:
        return None
    if changed:
        fresh.save_revision(user=request.user, log_action=True)
    return _refuse(request, page, refused)


def _warn_early(request, page):
    if isinstance(page, StoryPage):
        refused = publication_problems(page)
        if refused:
            messages.warning(request, _problem_list(refused, "This page cannot be published yet:"))


@hooks.register("after_edit_page")
def warn_on_save(request, page):
    _warn_early(request, page)


@hooks.register("after_create_page")
def warn_on_create(request, page):
    _warn_early(request, page)


@hooks.register("register_log_actions")
def register_refusal_log_action(actions):
    actions.register_action(
        REFUSED_LOG_ACTION, "Publishing refused", "Publishing refused by the anonymity guard"
    )


@hooks.register("register_admin_urls")
def register_stale_report_urls():
    return [
        path(
            "reports/confidential-terms/",
            StaleConfidentialContentReport.as_view(),
            name="anonymity_stale_report",
        ),
        path(
            "reports/confidential-terms/results/",
            StaleConfidentialContentReport.as_view(results_only=True),
            name="anonymity_stale_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_stale_report_menu_item():
    return MenuItem(
        "Confidential terms on live pages",
        reverse("anonymity_stale_report"),
        name="confidential-terms",
        icon_name="warning",
        order=650,
    )
