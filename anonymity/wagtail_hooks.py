"""Admin wiring: private registers, the guard on every admin path, the stale-content report.

The publication check in StoryPage.publish covers the paths that call
``publish()``; Wagtail's edit view, copy, alias, move and admin API make pages
live without it, so the hooks here run the guard on each of those first, record
every refusal in the page's history, and make it understandable (which field,
which term) while keeping the editor's work. The backstop behind all of them is
in signal_handlers.py; the takedowns it makes are listed on the dashboard.
"""

from __future__ import annotations

import datetime

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from laces.components import Component
from rest_framework import status
from rest_framework.response import Response
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.api.actions.copy import CopyPageAPIAction
from wagtail.admin.api.actions.create_alias import CreatePageAliasAPIAction
from wagtail.admin.api.actions.move import MovePageAPIAction
from wagtail.admin.api.actions.publish import PublishPageAPIAction
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.admin.forms.pages import CopyForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.fields import StreamField
from wagtail.log_actions import LogFormatter
from wagtail.models import Page, PageLogEntry, PageViewRestriction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from casestudies.models import StoryPage

from .guard import REFUSED_LOG_ACTION, PublicationRefused, publication_problems
from .models import ContributingCompany, DenylistTerm
from .recheck import rechecked_form_class, vocabulary_models
from .reports import StaleConfidentialContentReport
from .signal_handlers import STORY_MODELS, TAKEN_DOWN_LOG_ACTION, record_refusal


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

# A denylist term, taxonomy or metric whose save would put a confidential name
# on live stories is refused in its snippet form, listing those stories
# (Wagtail builds snippet forms on the model's base_form_class).
for _model in (DenylistTerm, *vocabulary_models()):
    _model.base_form_class = rechecked_form_class(_model)


def _field_anchor(page, field_name: str) -> str:
    """Where on the edit form a field is: its element on the first tab, else its tab.

    Wagtail opens the tab that holds the element a URL's fragment names; a
    field on another tab is linked through the tab, which always exists.
    """
    tabs = getattr(page.get_edit_handler(), "children", [])
    for index, tab in enumerate(tabs):
        options = tab.get_form_options()
        if field_name in options.get("formsets", {}):
            element = f"id_{field_name}-FORMS"
        elif field_name in options.get("fields", []):
            stream = isinstance(page._meta.get_field(field_name), StreamField)
            element = field_name if stream else f"id_{field_name}"
        else:
            continue
        return f"#{element}" if index == 0 else f"#tab-{tab.clean_name}"
    return ""


def _problem_list(refused: PublicationRefused, lead: str, page=None):
    """The problems, each leak with the text as written and, given the page, a link
    to its field (anonymity/js/problem-fields.js marks that field on the edit form)."""
    leaks = {str(leak): leak for leak in refused.leaks}
    items = []
    for problem in refused.problems:
        leak = leaks.get(problem)
        anchor = _field_anchor(page, leak.field_name) if page and leak and leak.field_name else ""
        if not anchor:
            items.append(format_html("<li>{}</li>", problem))
            continue
        items.append(
            format_html(
                '<li>{} <a href="{}{}" data-anonymity-field="{}" data-anonymity-problem="{}">'
                "Go to {}</a></li>",
                problem,
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
                anchor,
                leak.field_name,
                problem,
                leak.field_label,
            )
        )
    return format_html("{}<ul>{}</ul>", lead, format_html_join("", "{}", ((i,) for i in items)))


def _refuse(request, page, refused: PublicationRefused):
    messages.error(
        request,
        _problem_list(
            refused,
            "Not published: this would identify a contributor. Your changes are saved "
            "as a draft; fix these and publish again.",
            page,
        ),
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_publish_page")
def refuse_identifying_publication(request, page):
    """Runs after the admin saved the draft and before it goes live."""
    if not isinstance(page, StoryPage):
        return None
    refused = publication_problems(page)
    if refused is None:
        return None
    record_refusal(page, refused, user=request.user, revision=page.latest_revision)
    return _refuse(request, page, refused)


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
    revision = fresh.save_revision(user=request.user, log_action=True) if changed else None
    record_refusal(page, refused, user=request.user, revision=revision or page.latest_revision)
    return _refuse(request, page, refused)


def _warn_early(request, page):
    # An autosave (a JSON request) shows no messages: a warning queued by it
    # would appear on some later page, long after the text it was about changed.
    if isinstance(page, StoryPage) and request.accepts("text/html"):
        refused = publication_problems(page)
        if refused:
            lead = "This page cannot be published yet:"
            messages.warning(request, _problem_list(refused, lead, page))


@hooks.register("after_edit_page")
def warn_on_save(request, page):
    _warn_early(request, page)


@hooks.register("after_create_page")
def warn_on_create(request, page):
    _warn_early(request, page)


@hooks.register("insert_editor_js")
def mark_problem_fields():
    """Marks on the edit form each field a guard message links to.

    The refusal arrives after a redirect, so the form is rendered without
    errors; the script reads the message's links and shows each problem on
    its field (and in its tab's error count), as Wagtail does for validation.
    """
    return format_html('<script src="{}"></script>', static("anonymity/js/problem-fields.js"))


@hooks.register("register_log_actions")
def register_refusal_log_action(actions):
    @actions.register_action(REFUSED_LOG_ACTION)
    class PublishingRefused(LogFormatter):
        label = "Publishing refused"

        def format_message(self, log_entry):
            problems = "; ".join(log_entry.data.get("problems", []))
            return f"Publishing refused by the anonymity guard: {problems}"

    @actions.register_action(TAKEN_DOWN_LOG_ACTION)
    class TakenDown(LogFormatter):
        label = "Taken down"

        def format_message(self, log_entry):
            problems = "; ".join(log_entry.data.get("problems", []))
            return f"Taken down by the anonymity guard (was live with {problems})"


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


# --- Every other admin path that makes a story public -----------------------
#
# Each path asks which live stories it would leave public and with what content,
# runs the guard on exactly that, records refusals and answers like the edit view.

Refusals = list[tuple[StoryPage, PublicationRefused]]


def _live_stories(page: Page, recursive: bool) -> list[StoryPage]:
    """The page if it is a live story, and with ``recursive`` every live story below it."""
    stories: list[StoryPage] = []
    for model in STORY_MODELS:
        live = model.objects.live()
        stories += live.filter(path__startswith=page.path) if recursive else live.filter(pk=page.pk)
    return stories


def copy_refusals(page: Page, *, title=None, slug=None, recursive=False) -> Refusals:
    """What a live copy (or alias) would publish: the live stories copied, under the new
    title and slug. A copy is of the database row, which is the live content."""
    refusals = []
    for story in _live_stories(page, recursive):
        if story.pk == page.pk:
            story.title = title or story.title
            story.slug = slug or story.slug
        refused = publication_problems(story)
        if refused:
            refusals.append((story, refused))
    return refusals


def move_refusals(page: Page, parent: Page) -> Refusals:
    """Live stories a move would leave public (out of a members-only section, say)."""
    if parent.get_view_restrictions().exists():
        return []  # everything moved stays behind the destination's privacy
    restricted = list(
        PageViewRestriction.objects.filter(page__path__startswith=page.path).values_list(
            "page__path", flat=True
        )
    )
    refusals = []
    for story in _live_stories(page, recursive=True):
        if any(story.path.startswith(path) for path in restricted):
            continue  # keeps its own restriction
        refused = publication_problems(story)
        if refused:
            refusals.append((story, refused))
    return refusals


def _record_all(request, refusals: Refusals) -> None:
    for story, refused in refusals:
        record_refusal(story, refused, user=request.user)


def _refusals_message(request, lead: str, refusals: Refusals) -> None:
    parts = (
        (_problem_list(refused, format_html("“{}”:", story.title), page=story),)
        for story, refused in refusals
    )
    messages.error(request, format_html("{}{}", lead, format_html_join("", "{}", parts)))


@hooks.register("before_copy_page")
def refuse_identifying_copy(request, page):
    """ "Publish copied page" and "copy as alias" make live pages without ``publish()``."""
    if request.method != "POST":
        return None
    alias = bool(request.POST.get("alias"))
    if not alias and not request.POST.get("publish_copies"):
        return None  # a draft copy goes through the guard when it is published
    refusals = copy_refusals(
        page,
        title=None if alias else request.POST.get("new_title"),
        slug=request.POST.get("new_slug"),
        recursive=bool(request.POST.get("copy_subpages")),
    )
    if not refusals:
        return None
    _record_all(request, refusals)
    _refusals_message(
        request,
        "Not copied: the live copy would identify a contributor. Untick “Publish copied "
        "page” to copy as a draft, or fix these first.",
        refusals,
    )
    form_class = getattr(page.specific_class, "copy_form_class", CopyForm)
    form = form_class(request.POST, user=request.user, page=page)
    form.is_valid()
    context = {"page": page, "form": form, "next": request.POST.get("next", "")}
    return TemplateResponse(request, "wagtailadmin/pages/copy.html", context)


@hooks.register("before_move_page")
def refuse_identifying_move(request, page, destination):
    refusals = move_refusals(page, destination)
    if not refusals:
        return None
    if request.method == "POST":
        _record_all(request, refusals)
    _refusals_message(
        request,
        "Not moved: there the page would be public and identify a contributor.",
        refusals,
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_bulk_action")
def refuse_identifying_bulk_action(request, action_type, objects, action_class_instance):
    """Bulk publish publishes each page's latest revision; bulk move may make pages public."""
    if action_type == "publish":
        include = action_class_instance.cleaned_form.cleaned_data.get("include_descendants")
        pages = list(objects)
        for page in objects if include else []:
            pages += page.get_descendants().not_live()
        refusals = []
        for page in pages:
            story = page.specific
            if isinstance(story, StoryPage):
                revision = story.get_latest_revision()
                refused = publication_problems(revision.as_object() if revision else story)
                if refused:
                    record_refusal(story, refused, user=request.user, revision=revision)
                    refusals.append((story, refused))
        lead = "Nothing was published: these pages would identify a contributor."
    elif action_type == "move":
        destination = action_class_instance.cleaned_form.cleaned_data["chooser"]
        refusals = [r for page in objects for r in move_refusals(page, destination)]
        _record_all(request, refusals)
        lead = "Nothing was moved: there these pages would be public and identify a contributor."
    else:
        return None
    if not refusals:
        return None
    _refusals_message(request, lead, refusals)
    return redirect(action_class_instance.next_url)


# Approving from the dashboard's "Awaiting your review" runs the workflow, which
# publishes through StoryPage.publish inside a transaction: the refusal rolls it
# back (the page stays in moderation), and this view says why and records it.


class GuardedWorkflowActionView(WorkflowActionView):
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except PublicationRefused as refused:
            page = self.object.specific
            record_refusal(page, refused, user=request.user, revision=self.task_state.revision)
            messages.error(
                request,
                _problem_list(
                    refused,
                    "Not approved: publishing this would identify a contributor. The page "
                    "is still awaiting review; fix these, then approve again.",
                    page=page,
                ),
            )
            edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                return self.render_modal_json(request, {"step": "success", "redirect": edit_url})
            return redirect(edit_url)


class StoryPageViewSet(PageViewSet):
    """Wagtail's page views for stories, with a workflow action that explains a refusal."""

    workflow_action_view_class = GuardedWorkflowActionView

    @property
    def parent_models(self):
        return []  # leave the explorer's listings of the index pages as Wagtail makes them


@hooks.register("register_admin_viewset")
def register_story_page_viewsets():
    return [
        StoryPageViewSet(f"anonymity_{model._meta.model_name}", model=model)
        for model in STORY_MODELS
    ]


# The admin API (the explorer's menus use it) publishes, copies, aliases and moves
# with Wagtail's actions directly; the guarded actions refuse with the same problems.


def _api_refusal(request, lead: str, refusals: Refusals) -> Response:
    _record_all(request, refusals)
    return Response(
        {
            "message": lead,
            "problems": {str(story.pk): refused.problems for story, refused in refusals},
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class GuardedPublishAPIAction(PublishPageAPIAction):
    def execute(self, instance, data):
        story = instance.specific
        if isinstance(story, StoryPage):
            revision = story.get_latest_revision()
            refused = publication_problems(revision.as_object() if revision else story)
            if refused:
                record_refusal(story, refused, user=self.request.user, revision=revision)
                return Response(
                    {
                        "message": "Not published: this would identify a contributor.",
                        "problems": {str(story.pk): refused.problems},
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
        return super().execute(instance, data)


class GuardedCopyAPIAction(CopyPageAPIAction):
    def execute(self, instance, data):
        if data["keep_live"]:
            refusals = copy_refusals(
                instance,
                title=data.get("title"),
                slug=data.get("slug"),
                recursive=data["recursive"],
            )
            if refusals:
                return _api_refusal(
                    self.request,
                    "Not copied: the live copy would identify a contributor.",
                    refusals,
                )
        return super().execute(instance, data)


class GuardedCreateAliasAPIAction(CreatePageAliasAPIAction):
    def execute(self, instance, data):
        refusals = copy_refusals(
            instance, slug=data.get("update_slug"), recursive=data["recursive"]
        )
        if refusals:
            return _api_refusal(
                self.request, "No alias made: it would identify a contributor.", refusals
            )
        return super().execute(instance, data)


class GuardedMoveAPIAction(MovePageAPIAction):
    def execute(self, instance, data):
        target = Page.objects.filter(pk=data["destination_page_id"]).first()
        if target is not None:
            sibling = data.get("position") in ("left", "right", "first-sibling", "last-sibling")
            parent = target.get_parent() if sibling else target
            refusals = move_refusals(instance, parent) if parent is not None else []
            if refusals:
                return _api_refusal(
                    self.request,
                    "Not moved: there the page would be public and identify a contributor.",
                    refusals,
                )
        return super().execute(instance, data)


class GuardedPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    actions = {
        **PagesAdminAPIViewSet.actions,
        "publish": GuardedPublishAPIAction,
        "copy": GuardedCopyAPIAction,
        "create_alias": GuardedCreateAliasAPIAction,
        "move": GuardedMoveAPIAction,
    }


@hooks.register("construct_admin_api")
def guard_admin_api_actions(router):
    router.register_endpoint("pages", GuardedPagesAdminAPIViewSet)


# --- What the backstop took down, where moderators look first -----------------


class TakenDownPanel(Component):
    """Stories the backstop unpublished recently, on the admin dashboard."""

    name = "anonymity_taken_down"
    order = 50
    days = 30

    def render_html(self, parent_context=None):
        since = timezone.now() - datetime.timedelta(days=self.days)
        entries = (
            PageLogEntry.objects.filter(action=TAKEN_DOWN_LOG_ACTION, timestamp__gte=since)
            .select_related("page")
            .order_by("-timestamp")[:10]
        )
        rows = [
            (
                reverse("wagtailadmin_pages:edit", args=[entry.page_id]),
                entry.label,
                "; ".join(entry.data.get("problems", [])),
            )
            for entry in entries
        ]
        if not rows:
            return ""
        return format_html(
            '<section class="w-panel"><h2 class="w-panel__heading">Taken down by the '
            "anonymity guard (last {} days)</h2><ul>{}</ul></section>",
            self.days,
            format_html_join("", '<li><a href="{}">{}</a>: {}</li>', rows),
        )


@hooks.register("construct_homepage_panels")
def add_taken_down_panel(request, panels):
    panels.insert(0, TakenDownPanel())
