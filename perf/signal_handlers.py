"""What makes cached answers stale: every change a visitor could see.

One generation bump reaches every cached type at once (pages, the embed card, oEmbed,
the API, feeds, the sitemap, open data, the impact pages: ``perf.responses``).

Publish, unpublish, move, delete and privacy changes of pages; taxonomy,
metric and image edits (their names and renditions appear on many pages); a
search index update finishing in a task worker (search results and related
practices come from the index, which may lag the publish by a few seconds);
and migrations (a deploy may change templates when the cache outlives it).

The generation bump is one UPDATE in the change's own transaction; the CDN purge
and the renditions wait for the commit and run as tasks. Connected in
``PerfConfig.ready``, each receiver only for the models it concerns.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_migrate, post_save
from django_tasks.signals import task_finished
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from base.models import StoryImage
from casestudies.models import STORY_MODELS, VOCABULARY_MODELS

from .cache import invalidate_pages
from .frontend import purge_after_commit
from .renditions import enqueue_renditions

SHARED_VOCABULARIES = [*VOCABULARY_MODELS, StoryImage, Site]
# Bookkeeping Wagtail saves lazily while rendering; nothing a visitor sees changes.
_BOOKKEEPING_FIELDS = {"file_hash", "file_size"}


def _invalidate(reason: str, page: Page | None = None) -> None:
    invalidate_pages(reason)
    purge_after_commit(page)


def page_published_handler(sender, instance, **kwargs):
    _invalidate("publish", instance)


def page_unpublished_handler(sender, instance, **kwargs):
    _invalidate("unpublish", instance)


def page_moved_handler(sender, instance, **kwargs):
    _invalidate("move", instance)


def page_deleted_handler(sender, instance, **kwargs):
    """Every page's base row is deleted with it (a subtree's too), so one receiver on Page."""
    if instance.live:
        _invalidate("delete")


def _stories_under(restriction: PageViewRestriction) -> list[Page]:
    """The stories a view restriction covers: its page, if a story, and the stories below it."""
    try:
        page = restriction.page
    except Page.DoesNotExist:  # deleted with its page; the page's own delete purges
        return []
    return list(Page.objects.descendant_of(page, inclusive=True).type(*STORY_MODELS).live())


def privacy_changed_handler(sender, instance, raw=False, **kwargs):
    """A story made members-only (or public again) must leave (or re-enter) every cache.

    Listings change for everyone (the generation bump and the site-wide purge);
    the CDN also forgets the stories' own URLs, which it may hold as a public
    page, or as the 404 an outsider was given. Restrictions elsewhere than on
    stories or their ancestors leave the CDN alone.
    """
    if raw:
        return
    invalidate_pages("privacy changed")
    purge_after_commit(also=lambda: _stories_under(instance))


def vocabulary_changed_handler(sender, instance, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= _BOOKKEEPING_FIELDS:
        return
    _invalidate(f"{sender.__name__} changed")


def image_saved_handler(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= _BOOKKEEPING_FIELDS:
        return
    if not raw and instance.file:
        enqueue_renditions(instance.pk)


def search_index_updated_handler(sender, task_result, **kwargs):
    if task_result.task.module_path.startswith("search."):
        _invalidate("search index updated")


def migrated_handler(sender, **kwargs):
    invalidate_pages("migrate")


def connect() -> None:
    page_published.connect(page_published_handler, dispatch_uid="perf-published")
    page_unpublished.connect(page_unpublished_handler, dispatch_uid="perf-unpublished")
    post_page_move.connect(page_moved_handler, dispatch_uid="perf-moved")
    post_delete.connect(page_deleted_handler, sender=Page, dispatch_uid="perf-page-deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            privacy_changed_handler,
            sender=PageViewRestriction,
            dispatch_uid=f"perf-privacy-{signal is post_save}",
        )
    for model in SHARED_VOCABULARIES:
        name = model._meta.label_lower
        for signal in (post_save, post_delete):
            signal.connect(
                vocabulary_changed_handler,
                sender=model,
                dispatch_uid=f"perf-vocabulary-{name}-{signal is post_save}",
            )
    post_save.connect(image_saved_handler, sender=StoryImage, dispatch_uid="perf-image-saved")
    task_finished.connect(search_index_updated_handler, dispatch_uid="perf-search-index-updated")
    post_migrate.connect(
        migrated_handler, sender=apps.get_app_config("perf"), dispatch_uid="perf-migrated"
    )
