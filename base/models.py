"""What every app shares: the image model stories use."""

from __future__ import annotations

import io
import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from wagtail.images.models import (
    AbstractImage,
    AbstractRendition,
    Image,
    WagtailImageFieldFile,
)
from wagtail.utils.file import hash_filelike

from .images import sanitise_original, sanitise_rendition
from .private_media import (
    collection_is_private,
    is_private_name,
    private_image_url,
    private_upload_path,
)


class TolerantImageFieldFile(WagtailImageFieldFile):
    """Reads dimensions without raising on unreadable files.

    Django reads dimensions as soon as a file is assigned, before any
    validation; an unreadable upload then reaches StoryImage.clean(), which
    refuses it with a message, instead of failing with a server error.
    """

    def get_image_dimensions(self):
        try:
            return super().get_image_dimensions()
        except Exception:  # noqa: BLE001 - any unreadable file is refused in clean()
            return None, None


class StoryImage(AbstractImage):
    """Images for stories.

    A custom model from day one so the anonymity guard can own how files are
    stored: every new original is checked and stored without metadata (see
    base/images.py), whether it arrives through the admin, the API or code.
    """

    caption = models.CharField(max_length=255, blank=True)

    admin_form_fields = Image.admin_form_fields + ("caption",)

    def clean(self):
        super().clean()
        self._sanitise_new_file()

    def save(self, *args, **kwargs):
        # Before the file reaches storage: a refused upload leaves nothing behind.
        self._sanitise_new_file()
        super().save(*args, **kwargs)

    def _sanitise_new_file(self) -> None:
        field_file = self.file
        if not field_file or field_file._committed:
            return
        content = field_file.file
        if content is getattr(self, "_sanitised_content", None):
            return
        content.seek(0)
        try:
            clean = sanitise_original(content.read(), field_file.name)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        self.file = ContentFile(clean, name=os.path.basename(field_file.name))
        self._sanitised_content = self.file.file
        self.file_size = len(clean)
        self.file_hash = hash_filelike(io.BytesIO(clean))

    def get_upload_to(self, filename):
        # An image uploaded into a private collection never has a public address.
        return private_upload_path(
            super().get_upload_to(filename), collection_is_private(self.collection)
        )

    def generate_rendition_file(self, filter, *, source=None):
        generated = super().generate_rendition_file(filter, source=source)
        generated.seek(0)
        return ContentFile(sanitise_rendition(generated.read(), generated.name), generated.name)


# Not a new field class, so no migration: only how the stored file is read changes.
StoryImage._meta.get_field("file").attr_class = TolerantImageFieldFile


class StoryRendition(AbstractRendition):
    image = models.ForeignKey(StoryImage, on_delete=models.CASCADE, related_name="renditions")

    def get_upload_to(self, filename):
        # Next to its original: under private/ when the image is members-only.
        return private_upload_path(
            super().get_upload_to(filename), is_private_name(self.image.file.name)
        )

    @property
    def url(self):
        """Members-only renditions are served by a view that checks who asks."""
        if is_private_name(self.file.name):
            return private_image_url(self.file.name)
        return self.file.url

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
