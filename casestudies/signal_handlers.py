"""What the content app keeps up to date itself: the listing pages' cached addresses.

Connected in ``CaseStudiesConfig.ready``; each receiver only for the models it concerns.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .addresses import LISTING_MODELS, forget_listing_paths
from .models import HomePage
from .sites import forget_sites

# A listing page's address changes with its own slug or place, or with the home page's.
ADDRESSED_BY = (*LISTING_MODELS, HomePage)
UID = "casestudies:listing-paths"
SITES_UID = "casestudies:sites"


def connect() -> None:
    for model in ADDRESSED_BY:
        for signal in (page_published, page_unpublished, post_page_move, post_delete):
            signal.connect(forget_listing_paths, sender=model, dispatch_uid=UID)
    for signal in (post_save, post_delete):
        signal.connect(forget_listing_paths, sender=Site, dispatch_uid=UID)
    # The kept site and home page (casestudies.sites): any save of a top page, any site.
    for signal in (post_save, post_delete, page_published, page_unpublished, post_page_move):
        signal.connect(forget_sites, dispatch_uid=SITES_UID)
