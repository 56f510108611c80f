"""What the content app keeps up to date itself: the listing pages' cached addresses.

Connected in ``CaseStudiesConfig.ready``; each receiver only for the models it concerns.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .addresses import LISTING_MODELS, forget_listing_paths
from .models import HomePage

# A listing page's address changes with its own slug or place, or with the home page's.
ADDRESSED_BY = (*LISTING_MODELS, HomePage)
UID = "casestudies:listing-paths"


def connect() -> None:
    for model in ADDRESSED_BY:
        for signal in (page_published, page_unpublished, post_page_move, post_delete):
            signal.connect(forget_listing_paths, sender=model, dispatch_uid=UID)
    for signal in (post_save, post_delete):
        signal.connect(forget_listing_paths, sender=Site, dispatch_uid=UID)
