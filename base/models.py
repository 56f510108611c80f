"""What every app shares: the image model stories use."""

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class StoryImage(AbstractImage):
    """Images for stories.

    A custom model from day one so the anonymity guard can own how files are
    stored (metadata stripped) without a painful swap of image models later.
    """

    caption = models.CharField(max_length=255, blank=True)

    admin_form_fields = Image.admin_form_fields + ("caption",)


class StoryRendition(AbstractRendition):
    image = models.ForeignKey(StoryImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
