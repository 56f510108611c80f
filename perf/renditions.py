"""Every image rendition a public page asks for, generated once when the image is saved.

Templates and views of several apps ask for these filter specs; generating
them in a task after upload keeps image processing off the request path
(tests/perf/test_renditions.py fails if a page asks for one not listed here).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)

STORY_RENDITIONS = [
    # Story pages: srcset_image width-{480,800,1200} format-webp
    "width-480|format-webp",
    "width-800|format-webp",
    "width-1200|format-webp",
    # Cards: listings, home, search hits, API
    "fill-480x270|format-webp",
    # Embed card
    "fill-480x200|format-webp|webpquality-70",
    # Open Graph / Twitter card
    "fill-1200x630|format-jpeg",
]


def generate_renditions(images: Iterable) -> int:
    """Create the missing renditions of these images; returns how many images were done."""
    done = 0
    for image in images:
        image.get_renditions(*STORY_RENDITIONS)
        done += 1
    return done


@task()
def generate_image_renditions(image_id: int) -> int:
    from base.models import StoryImage

    return generate_renditions(StoryImage.objects.filter(pk=image_id))


def enqueue_renditions(image_id: int) -> None:
    """After the commit; a broken task queue must not break the upload (pages still render)."""

    def enqueue():
        try:
            generate_image_renditions.enqueue(image_id)
        except Exception:  # noqa: BLE001
            logger.exception("Could not enqueue renditions of image %s", image_id)

    transaction.on_commit(enqueue)
