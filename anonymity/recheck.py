"""Re-checks after the fact: what changes outside a story can still put a name on it.

A story is checked when it is published, but its public text also comes from
things edited elsewhere: the denylist, the taxonomy and metric names it is
tagged with, the images and documents it shows. When one of those changes,
the live stories it touches are checked again. In the admin a hit blocks the
save and lists the stories (see ``RecheckedForm``, wired in wagtail_hooks);
on any other path (code, shell, imports, the image and document views) the
save goes on, the stories are taken down at once and moderators are alerted.

The same module keeps the stale-terms findings (``ConfidentialTermFinding``)
current, so the admin report reads them page by page.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from modelcluster.models import get_all_child_relations
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.log_actions import log
from wagtail.models import ReferenceIndex, Revision
from wagtail.signals import page_published, page_unpublished

from .guard import Leak, find_leaks, find_terms, forbidden_terms, stale_leaks
from .models import ConfidentialTermFinding, DenylistTerm

logger = logging.getLogger("portal")

TAKEN_DOWN_LOG_ACTION = "anonymity.taken_down"
MODERATORS_GROUP = "Moderators"


@dataclass
class AffectedStory:
    """A live story that a change elsewhere would make (or has made) identifying."""

    page: models.Model
    leaks: list[Leak]

    @property
    def problems(self) -> list[str]:
        return [str(leak) for leak in self.leaks]

    @property
    def edit_url(self) -> str:
        return reverse("wagtailadmin_pages:edit", args=[self.page.pk])

    def __str__(self) -> str:
        return f"{self.page.title}: " + "; ".join(self.problems)


# --- Which stories a change touches ------------------------------------------


def story_models() -> list[type]:
    from casestudies.models import StoryPage

    return [m for m in apps.get_models() if issubclass(m, StoryPage)]


def vocabulary_models() -> list[type]:
    """Shared vocabularies whose names show on every story tagged with them."""
    from casestudies.models import VOCABULARY_MODELS

    return list(VOCABULARY_MODELS)


def media_models() -> list[type]:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    return [get_image_model(), get_document_model()]


def live_stories():
    for model in story_models():
        yield from model.objects.live().order_by("pk")


def stories_using(obj: models.Model) -> list:
    """The live stories that link to obj: by foreign key or tag on the story or one of
    its inline rows (database), or from StreamField and rich text (Wagtail's reference
    index, which covers embedded images and documents)."""
    from wagtail.models import Page

    referenced = {
        int(pk)
        for pk in ReferenceIndex.get_references_to(obj)
        .filter(base_content_type=ReferenceIndex._get_base_content_type(Page))
        .values_list("object_id", flat=True)
    }
    stories = []
    for model in story_models():
        condition = models.Q(pk__in=referenced)
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and isinstance(obj, field.related_model):
                condition |= models.Q(**{field.name: obj})
        for relation in get_all_child_relations(model):
            query_name = relation.field.related_query_name()
            for field in relation.related_model._meta.get_fields():
                if field.concrete and field.is_relation and isinstance(obj, field.related_model):
                    condition |= models.Q(**{f"{query_name}__{field.name}": obj})
        stories += model.objects.live().filter(condition).distinct().order_by("pk")
    return stories


def _own_parts(obj: models.Model) -> list[tuple[str, str]]:
    """(label, text) for the public text fields of a vocabulary entry."""
    name = str(obj._meta.verbose_name)
    parts = []
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            label = f"{name[:1].upper()}{name[1:]} “{obj}” ({field.verbose_name})"
            parts.append((label, getattr(obj, field.attname) or ""))
    return parts


def affected_stories(obj: models.Model) -> list[AffectedStory]:
    """The live stories that would show a confidential or denylisted term because of obj.

    obj may be unsaved (an admin form's candidate): for a denylist term every
    live story is read for the term; for a vocabulary entry its own text is read
    against the terms of each story tagged with it. For an image or document
    (saved already) the stories showing it are checked in full.
    """
    affected = []
    if isinstance(obj, DenylistTerm):
        if obj.term.strip():
            for page in live_stories():
                leaks = find_leaks(page, [obj.term.strip()])
                if leaks:
                    affected.append(AffectedStory(page, leaks))
    elif isinstance(obj, tuple(vocabulary_models())):
        if obj.pk is None:
            return []  # nothing is tagged with a new entry yet
        parts = _own_parts(obj)
        for page in stories_using(obj):
            terms = forbidden_terms(page)
            leaks = [Leak(label, term) for label, text in parts for term in find_terms(text, terms)]
            if leaks:
                affected.append(AffectedStory(page, leaks))
    elif isinstance(obj, tuple(media_models())) and obj.pk is not None:
        for page in stories_using(obj):
            leaks = find_leaks(page)
            if leaks:
                affected.append(AffectedStory(page, leaks))
    return affected


# --- In the admin: the save is blocked ---------------------------------------


def blocked_message(obj: models.Model, affected: list[AffectedStory]) -> SafeString:
    count = len(affected)
    return format_html(
        "Not saved: “{}” would put a confidential name on {} live {}. Edit or unpublish "
        "{} first, then save this again (your input is kept below).<ul>{}</ul>",
        obj,
        count,
        "story" if count == 1 else "stories",
        "it" if count == 1 else "them",
        format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            ((story.edit_url, story.page.title, "; ".join(story.problems)) for story in affected),
        ),
    )


class RecheckedForm(WagtailAdminModelForm):
    """Admin form for anything a live story shows: refuses a save that would leak.

    The check runs on a copy of the instance carrying the submitted values, so
    a refused save changes nothing and the editor's input stays in the form.
    """

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = copy.copy(self.instance)
        construct_instance(self, candidate, self._meta.fields, self._meta.exclude)
        affected = affected_stories(candidate)
        if affected:
            field = next(
                (
                    name
                    for name in ("term", "name", *self.changed_data)
                    if name in self.fields and name in self.changed_data
                ),
                None,
            )
            self.add_error(field, forms.ValidationError(blocked_message(candidate, affected)))
        return cleaned


def rechecked_form_class(model: type) -> type:
    """The model's admin base form with the re-check added (idempotent)."""
    base = getattr(model, "base_form_class", None) or WagtailAdminModelForm
    if issubclass(base, RecheckedForm):
        return base
    if base is WagtailAdminModelForm:
        return RecheckedForm
    return type(f"Rechecked{base.__name__}", (RecheckedForm, base), {})


# --- Anywhere else: the save goes on, the stories come down -------------------


def _moderator_emails() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(models.Q(is_superuser=True) | models.Q(groups__name=MODERATORS_GROUP))
    return sorted(set(users.values_list("email", flat=True)))


def take_down(affected: list[AffectedStory], cause: str) -> None:
    """Unpublish the stories, record why on each, and e-mail moderators after commit."""
    if not affected:
        return
    for story in affected:
        story.page.unpublish(log_action=True)
        log(
            instance=story.page,
            action=TAKEN_DOWN_LOG_ACTION,
            data={"cause": cause, "problems": story.problems},
        )
        logger.warning("Story %s taken down after %s: %s", story.page.pk, cause, story)
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    stories = f"{len(affected)} {'story' if len(affected) == 1 else 'stories'}"
    body = (
        f"{cause[:1].upper()}{cause[1:]} made {stories} show a confidential name. "
        "They were unpublished at once; edit them and publish again when they are safe.\n\n"
        + "\n".join(f"- {story}\n  {base}{story.edit_url}" for story in affected)
    )
    subject = f"Here's How: {stories} taken down after {cause}"
    recipients = _moderator_emails()
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def _describe(instance: models.Model, created: bool) -> str:
    verb = "adding" if created else "a change to"
    return f"{verb} {instance._meta.verbose_name} “{instance}”"


def recheck_after_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    """post_save for the denylist, vocabularies, images and documents."""
    if raw:
        return
    take_down(affected_stories(instance), _describe(instance, created))
    if isinstance(instance, DenylistTerm):
        refresh_findings_of_listed_pages()


# --- Findings for the stale-terms report -------------------------------------


def refresh_finding(page) -> None:
    """Record (or clear) what of a story's live text is confidential now."""
    leaks = stale_leaks(page) if page.live else []
    if leaks:
        ConfidentialTermFinding.objects.update_or_create(
            page_id=page.pk, defaults={"problems": [str(leak) for leak in leaks]}
        )
    else:
        ConfidentialTermFinding.objects.filter(page_id=page.pk).delete()


def refresh_findings_of_listed_pages() -> None:
    for finding in ConfidentialTermFinding.objects.select_related("page"):
        refresh_finding(finding.page.specific)


def rescan_live_stories() -> int:
    """Read every live story again (after matching rules change, say); returns findings."""
    for page in live_stories():
        refresh_finding(page)
    return ConfidentialTermFinding.objects.count()


def _story_revision_saved(sender, instance: Revision, raw=False, **kwargs) -> None:
    """A draft of a live story may name terms its live text still shows."""
    model = instance.content_type.model_class()
    if raw or model not in story_models():
        return
    page = model.objects.filter(pk=instance.object_id, live=True).first()
    if page is not None:
        page.latest_revision = instance  # not yet pointed at by the page row
        refresh_finding(page)


def _story_published(sender, instance, **kwargs) -> None:
    if sender not in story_models():
        return
    if instance.latest_revision_id == instance.live_revision_id:
        # The guard has just read this revision with every current term.
        ConfidentialTermFinding.objects.filter(page_id=instance.pk).delete()
    else:
        refresh_finding(instance)


def _story_unpublished(sender, instance, **kwargs) -> None:
    ConfidentialTermFinding.objects.filter(page_id=instance.pk).delete()


def _denylist_term_deleted(sender, instance, **kwargs) -> None:
    refresh_findings_of_listed_pages()


def connect() -> None:
    """Connect the re-check receivers (from ``signal_handlers.connect``)."""
    for model in [DenylistTerm, *vocabulary_models(), *media_models()]:
        post_save.connect(
            recheck_after_save, sender=model, dispatch_uid=f"anonymity.recheck.{model._meta.label}"
        )
    post_delete.connect(
        _denylist_term_deleted, sender=DenylistTerm, dispatch_uid="anonymity.recheck.deleted"
    )
    post_save.connect(
        _story_revision_saved, sender=Revision, dispatch_uid="anonymity.findings.revision"
    )
    page_published.connect(_story_published, dispatch_uid="anonymity.findings.published")
    page_unpublished.connect(_story_unpublished, dispatch_uid="anonymity.findings.unpublished")
