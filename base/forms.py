"""The admin's image form: unreadable uploads get a message, never a server error."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from .images import damaged_image_error


class TolerantImageField(WagtailImageField):
    """Wagtail's image field, for files whose header cannot even be read.

    Wagtail validates the format and pixel count by reading the header; a
    file cut short inside it raises OSError there, which Wagtail lets escape.
    """

    def to_python(self, data):
        try:
            return super().to_python(data)
        except ValidationError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError):
            raise damaged_image_error() from None


class StoryImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].__class__ = TolerantImageField
