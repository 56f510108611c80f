"""When a story becomes visible: published, or its members-only restriction lifted.

Connected in ``AlertsConfig.ready``; the content app knows nothing of alerts.
"""

from __future__ import annotations

from django.db.models.signals import post_delete
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published

from casestudies.models import STORY_MODELS
from search.signal_handlers import story_ids_under

from .tasks import story_became_visible


def on_published(sender, instance, **kwargs):
    story_became_visible([instance.pk], "published")


def on_restriction_lifted(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        story_became_visible(story_ids_under(page), "made public")


def connect() -> None:
    for model in STORY_MODELS:
        page_published.connect(on_published, sender=model, dispatch_uid=f"alerts-pub-{model}")
    post_delete.connect(
        on_restriction_lifted, sender=PageViewRestriction, dispatch_uid="alerts-privacy"
    )
