"""Files of members-only stories: never at a public address, served only to members.

The images and documents of members-only stories live in a private collection:
a Wagtail collection with a view restriction ("Privacy" on the collection in the
admin), restricted to the member companies' groups. The anonymity app moves a
file there as soon as only members-only stories show it, and back when one of
them is public again (anonymity/member_files.py); editors may also file one there.
Files in such a collection are stored under ``private/`` in the media storage,
which is never served publicly (the development server skips it, production
keeps it out of the proxy's ``/media/`` and of the bucket's public policy; see
the README), and reach people only through views that check the collection's
restriction:

- documents through Wagtail's own serve view (``WAGTAILDOCS_SERVE_METHOD =
  "serve_view"``) and its ``before_serve_document`` hooks;
- images through :func:`serve_private_image`: a rendition stored under
  ``private/`` has its URL there (``StoryRendition.url``), so templates need no
  change. Originals under ``private/`` have no public URL at all.

Files move in or out of ``private/`` when an image or document changes
collection and when a collection's privacy changes, so a URL that was public
stops working the moment its file becomes members-only.
"""

from __future__ import annotations

import mimetypes
import os

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.cache import patch_cache_control
from wagtail.documents import get_document_model
from wagtail.models import BaseViewRestriction, Collection, CollectionViewRestriction

PRIVATE_PREFIX = "private/"
_HIDDEN_TYPES = (BaseViewRestriction.LOGIN, BaseViewRestriction.GROUPS)


def refuse_as_missing(restrictions, request: HttpRequest) -> None:
    """Raise 404 (never a sign-in redirect) when a restriction does not admit the request."""
    for restriction in restrictions:
        if restriction.restriction_type in _HIDDEN_TYPES and not restriction.accept_request(
            request
        ):
            raise Http404("Nothing here.")


def collection_is_private(collection: Collection | None) -> bool:
    return collection is not None and collection.get_view_restrictions().exists()


def is_private_name(name: str) -> bool:
    return name.startswith(PRIVATE_PREFIX)


def private_upload_path(name: str, private: bool) -> str:
    """Where a file named ``name`` (e.g. ``images/x.webp``) is stored."""
    return f"{PRIVATE_PREFIX}{name}" if private and not is_private_name(name) else name


def private_image_url(name: str) -> str:
    return reverse("private_image", args=[name.removeprefix(PRIVATE_PREFIX)])


def _relocate(field_file, private: bool) -> str | None:
    """Move a stored file into or out of ``private/``; its new name, or None if in place."""
    name = field_file.name
    if not name or is_private_name(name) == private:
        return None
    target = private_upload_path(name, True) if private else name.removeprefix(PRIVATE_PREFIX)
    storage = field_file.storage
    with storage.open(name, "rb") as content:
        new_name = storage.save(target, content, max_length=field_file.field.max_length)
    storage.delete(name)
    return new_name


def place_image_files(image) -> None:
    """Keep an image's original and renditions where its collection's privacy says.

    Renditions are deleted (with their cached lookups) rather than moved: they
    are made again in the right place, and the image's save makes the cached
    pages that showed the old URLs stale (perf/signal_handlers.py).
    """
    new_name = _relocate(image.file, collection_is_private(image.collection))
    if new_name is None:
        return
    for rendition in image.renditions.all():
        rendition.delete()
    image.file.name = new_name
    image.save(update_fields=["file"])


def place_document_file(document) -> None:
    new_name = _relocate(document.file, collection_is_private(document.collection))
    if new_name is not None:
        # A queryset update: nothing about the document a reader sees has changed.
        type(document).objects.filter(pk=document.pk).update(file=new_name)
        document.file.name = new_name


def place_collection_files(collection: Collection) -> None:
    """After a collection's privacy changed: move every file in it and below it."""
    from .models import StoryImage

    collections = collection.get_descendants(inclusive=True)
    for image in StoryImage.objects.filter(collection__in=collections):
        place_image_files(image)
    for document in get_document_model().objects.filter(collection__in=collections):
        place_document_file(document)


def serve_private_image(request: HttpRequest, name: str) -> FileResponse:
    """A rendition of an image in a private collection, for whoever its restriction admits.

    Anyone else gets the site's ordinary 404, as for a file that does not exist.
    """
    from .models import StoryRendition

    stored = PRIVATE_PREFIX + name
    rendition = StoryRendition.objects.select_related("image__collection").filter(file=stored)
    rendition = rendition.first()
    if rendition is None:
        raise Http404("Nothing here.")
    restrictions = list(rendition.image.collection.get_view_restrictions())
    if not restrictions:  # moved out of the private collection: its files follow
        raise Http404("Nothing here.")
    refuse_as_missing(restrictions, request)
    try:
        content = rendition.file.storage.open(stored, "rb")
    except OSError:
        raise Http404("Nothing here.") from None
    content_type = mimetypes.guess_type(stored)[0] or "application/octet-stream"
    response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{os.path.basename(stored)}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Keeping files where their collection's privacy says -----------------------


def _connect() -> None:
    from .models import StoryImage

    Document = get_document_model()

    @receiver(post_save, sender=StoryImage, dispatch_uid="base-private-image", weak=False)
    def _image_saved(sender, instance, raw=False, update_fields=None, **kwargs):
        if not raw and not (update_fields and set(update_fields) <= {"file_hash", "file_size"}):
            place_image_files(instance)

    @receiver(post_save, sender=Document, dispatch_uid="base-private-document", weak=False)
    def _document_saved(sender, instance, raw=False, **kwargs):
        if not raw:
            place_document_file(instance)

    @receiver(
        post_save, sender=CollectionViewRestriction, dispatch_uid="base-private-save", weak=False
    )
    @receiver(
        post_delete,
        sender=CollectionViewRestriction,
        dispatch_uid="base-private-delete",
        weak=False,
    )
    def _collection_privacy_changed(sender, instance, raw=False, **kwargs):
        if raw:
            return
        try:
            collection = instance.collection
        except Collection.DoesNotExist:  # deleted with its collection
            return
        place_collection_files(collection)
