"""What makes cached pages stale: every change a visitor could see.

Publish, unpublish, move, delete and privacy changes of pages; taxonomy,
metric and image edits (their names and renditions appear on many pages); a
search index update finishing in a task worker (search results and related
practices come from the index, which may lag the publish by a few seconds);
and migrations (a deploy may change templates when the cache outlives it).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django_tasks.signals import task_finished
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from base.models import StoryImage
from casestudies.models import (
    Industry,
    InterventionType,
    MetricDefinition,
    Region,
    SupplyChainStage,
)

from .cache import invalidate_pages
from .frontend import purge_frontend_cache
from .renditions import enqueue_renditions

SHARED_VOCABULARIES = [
    Industry,
    InterventionType,
    SupplyChainStage,
    Region,
    MetricDefinition,
    StoryImage,
    Site,
    PageViewRestriction,
]


def _invalidate(reason: str, page: Page | None = None) -> None:
    invalidate_pages(reason)
    purge_frontend_cache(page)


@receiver(page_published)
def _page_published(sender, instance, **kwargs):
    _invalidate("publish", instance)


@receiver(page_unpublished)
def _page_unpublished(sender, instance, **kwargs):
    _invalidate("unpublish", instance)


@receiver(post_page_move)
def _page_moved(sender, instance, **kwargs):
    _invalidate("move", instance)


@receiver(post_delete)
def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page) and instance.live:
        _invalidate("delete")


# Bookkeeping Wagtail saves lazily while rendering; nothing a visitor sees changes.
_BOOKKEEPING_FIELDS = {"file_hash", "file_size"}


def _vocabulary_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= _BOOKKEEPING_FIELDS:
        return
    _invalidate(f"{sender.__name__} changed")


for _model in SHARED_VOCABULARIES:
    post_save.connect(_vocabulary_changed, sender=_model, dispatch_uid=f"perf-save-{_model}")
    post_delete.connect(_vocabulary_changed, sender=_model, dispatch_uid=f"perf-delete-{_model}")


@receiver(post_save, sender=StoryImage)
def _image_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= _BOOKKEEPING_FIELDS:
        return
    if not raw and instance.file:
        enqueue_renditions(instance.pk)


@receiver(task_finished)
def _search_index_updated(sender, task_result, **kwargs):
    if task_result.task.module_path.startswith("search."):
        _invalidate("search index updated")


@receiver(post_migrate)
def _migrated(sender, **kwargs):
    if sender.name == "perf":
        invalidate_pages("migrate")
