"""Files of members-only stories follow their stories behind the members' restriction.

A picture or paper shown only on members-only stories would otherwise keep a
public address: anyone given its URL could open it, and its title, caption or
contents could tell outsiders what members read. Editors need not remember to
file it in a private collection: whenever a story is published, saved live,
unpublished or its privacy changes (a page view restriction on it or above it
is added, changed or removed), each image and document it shows is placed by one
rule:

- used by a public live story: stays public (a members-only story sharing a
  picture with a public one reveals nothing new);
- otherwise, used by a members-only live story: moved into a private child
  collection of its own collection (``MEMBER_FILES_COLLECTION``, restricted to
  the member companies), so base/private_media.py moves the original and its
  renditions under ``private/`` and serves them only through the views that
  check who asks; the old public address answers 404;
- used by no live story: left where it is.

When its stories are public again the file goes back to the collection it
came from (the private collection's parent). Files an editor put in a private
collection of their own stay there. Connected from ``signal_handlers.connect``.
"""

from __future__ import annotations

from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, PageViewRestriction, ReferenceIndex
from wagtail.signals import page_published, page_unpublished

from base.private_media import collection_is_private
from casestudies.models import STORY_MODELS, StoryPage

from .members import members_only_collection
from .recheck import stories_using

MEMBER_FILES_COLLECTION = "Files of members-only stories"


def _file_models() -> list[type[Model]]:
    return [get_image_model(), get_document_model()]


def files_of(story: StoryPage) -> list[Model]:
    """The images and documents a story shows: the hero image, and every image or document
    in its body, steps, resources and inline rows (as Wagtail's reference index reads them,
    from the instance itself, so a save not yet indexed counts)."""
    wanted: dict[int, tuple[type[Model], set[str]]] = {
        ReferenceIndex._get_base_content_type(model).pk: (model, set()) for model in _file_models()
    }
    references = list(ReferenceIndex._extract_references_from_object(story))
    if story.pk:  # what it showed when last indexed, which it may no longer show
        references += ReferenceIndex.get_references_for_object(story).values_list(
            "to_content_type", "to_object_id"
        )
    for content_type_id, object_id, *_ in references:
        if content_type_id in wanted:
            wanted[content_type_id][1].add(str(object_id))
    files: list[Model] = []
    for model, pks in wanted.values():
        if pks:
            files += model.objects.select_related("collection").filter(pk__in=pks)
    return files


def place_member_file(file: Model, story: StoryPage | None = None) -> None:
    """Put one image or document where the stories that show it say (module docstring).

    ``story`` is the story whose change asks, counted even before the reference index
    knows it shows the file.
    """
    stories = {page.pk: page for page in stories_using(file)}
    if story is not None:
        if story.live:
            stories.setdefault(story.pk, story)
        else:
            stories.pop(story.pk, None)
    if not stories:
        return
    if any(_is_public(page) for page in stories.values()):
        _reveal(file)
    else:
        _hide(file)


def place_story_files(story: StoryPage) -> None:
    for file in files_of(story):
        place_member_file(file, story)


def _is_public(story: StoryPage) -> bool:
    # The audience rule itself, asked afresh: a privacy change may be seconds old.
    return type(story).objects.visible_to(None).filter(pk=story.pk).exists()


def _hide(file: Model) -> None:
    if collection_is_private(file.collection):
        return  # already behind a restriction: the editor's, or ours
    _move(file, members_only_collection(file.collection, MEMBER_FILES_COLLECTION))


def _reveal(file: Model) -> None:
    collection = file.collection
    if collection.name != MEMBER_FILES_COLLECTION:
        return  # an editor's own private collection is the editor's choice
    parent = collection.get_parent()
    if parent is not None:
        _move(file, parent)


def _move(file: Model, collection: Collection) -> None:
    # The media's own receivers (base/private_media.py) move the stored files.
    file.collection = collection
    file.save(update_fields=["collection"])


# --- When stories and their privacy change --------------------------------------


def _story_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    # A full save of a live story (publish, copy, alias, code); revision bookkeeping
    # saves name their fields and change nothing shown.
    if not raw and update_fields is None and instance.live:
        place_story_files(instance)


def _story_published_or_unpublished(sender, instance, **kwargs) -> None:
    story = type(instance).objects.filter(pk=instance.pk).first()
    if story is not None:
        place_story_files(story)


def _privacy_changed(sender, instance, raw=False, **kwargs) -> None:
    section = Page.objects.filter(pk=instance.page_id).first()
    if raw or section is None:
        return
    for model in STORY_MODELS:
        for story in model.objects.live().descendant_of(section, inclusive=True):
            place_story_files(story)


def connect() -> None:
    for model in STORY_MODELS:
        name = model.__name__
        post_save.connect(_story_saved, sender=model, dispatch_uid=f"member-files-saved-{name}")
        page_published.connect(
            _story_published_or_unpublished,
            sender=model,
            dispatch_uid=f"member-files-published-{name}",
        )
        page_unpublished.connect(
            _story_published_or_unpublished,
            sender=model,
            dispatch_uid=f"member-files-unpublished-{name}",
        )
    post_save.connect(
        _privacy_changed, sender=PageViewRestriction, dispatch_uid="member-files-privacy-saved"
    )
    post_delete.connect(
        _privacy_changed, sender=PageViewRestriction, dispatch_uid="member-files-privacy-deleted"
    )
