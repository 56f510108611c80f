"""Which edits change what the index must hold; each one lands in the outbox.

Connected in ``SearchConfig.ready``.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from casestudies import models as content
from casestudies.models import STORY_MODELS, VOCABULARY_MODELS, BrightSpotPage, CaseStudyPage

from .models import SearchSynonym
from .tasks import request_rebuild, request_sync

LABELS_CACHE_KEY = "search:facet-labels:v3"  # v3: with "step"
SYNONYMS_CACHE_KEY = "search:synonyms:v1"


def story_ids_under(page: Page) -> list[int]:
    """The page itself and every story below it (moves and privacy act on a subtree)."""
    ids: list[int] = []
    for model in STORY_MODELS:
        ids += model.objects.filter(path__startswith=page.path).values_list("pk", flat=True)
    return ids


def on_published(sender, instance, **kwargs):
    request_sync([instance.pk], "published")


def on_unpublished(sender, instance, **kwargs):
    request_sync([instance.pk], "unpublished")


def on_page_deleted(sender, instance, **kwargs):
    request_sync([instance.pk], "deleted")


def on_subtree_changed(sender, instance, **kwargs):
    request_sync(story_ids_under(instance), "moved")


def on_restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        request_sync(story_ids_under(page), "privacy")


# The story field that holds each taxonomy: a rename reaches every story tagged with it.
TAGGED_BY = {
    content.Industry: "industry",
    content.Region: "region",
    content.InterventionType: "intervention_types",
    content.SupplyChainStage: "stages",
    content.ForcedLabourIndicator: "risks_addressed",
}


def _stories_tagged(instance) -> list[int]:
    if isinstance(instance, content.StepKind):
        # The case studies whose published steps take the kind (only they are indexed).
        return list(CaseStudyPage.objects.filter(step_kinds=instance).values_list("pk", flat=True))
    if isinstance(instance, content.MetricDefinition):
        return list(
            CaseStudyPage.objects.filter(results__metric=instance).values_list("pk", flat=True)
        ) + list(BrightSpotPage.objects.filter(metric=instance).values_list("pk", flat=True))
    lookups = {TAGGED_BY[type(instance)]: instance}
    ids: list[int] = []
    for model in STORY_MODELS:
        ids += model.objects.filter(**lookups).values_list("pk", flat=True)
    return ids


def on_taxonomy_saved(sender, instance, **kwargs):
    cache.delete(LABELS_CACHE_KEY)
    request_sync(_stories_tagged(instance), "taxonomy")


def on_taxonomy_deleting(sender, instance, **kwargs):
    # Before the delete, while the many-to-many rows still say who was tagged.
    cache.delete(LABELS_CACHE_KEY)
    request_sync(_stories_tagged(instance), "taxonomy")


def on_synonyms_changed(sender, **kwargs):
    """Elasticsearch reads the synonyms into a new index's analyzer: rebuild behind the
    alias (search keeps answering). noida-db expands them per query from the cache."""
    cache.delete(SYNONYMS_CACHE_KEY)
    request_rebuild("synonyms")


# Words readers of the demo stories use for what the stories call something else
# (besides the defaults the search app's migration seeds).
DEMO_SYNONYMS = [
    "recruitment debt, debt bondage",
    "withheld wages, unpaid wages, wage theft",
    "excessive overtime, forced overtime, compulsory overtime",
    "hostel, dormitory, worker housing",
    "traceability, supply chain mapping, tracing",
    "grievance line, grievance hotline, helpline",
]


def add_demo_synonyms(sender, **kwargs):
    """The demo's synonyms, added once (``load_demo_content`` runs again at will)."""
    for terms in DEMO_SYNONYMS:
        SearchSynonym.objects.get_or_create(terms=terms)


def connect() -> None:
    from casestudies.demo.loader import demo_vocabulary_ready

    demo_vocabulary_ready.connect(add_demo_synonyms, dispatch_uid="search-demo-synonyms")
    # Wagtail sends the publish signals with the page's specific class as the sender.
    for model in STORY_MODELS:
        page_published.connect(on_published, sender=model, dispatch_uid=f"search-pub-{model}")
        page_unpublished.connect(on_unpublished, sender=model, dispatch_uid=f"search-unpub-{model}")
    post_page_move.connect(on_subtree_changed, dispatch_uid="search-moved")
    page_slug_changed.connect(on_subtree_changed, dispatch_uid="search-slug")
    for model in STORY_MODELS:
        post_delete.connect(on_page_deleted, sender=model, dispatch_uid=f"search-del-{model}")
    for signal in (post_save, post_delete):
        signal.connect(
            on_restriction_changed, sender=PageViewRestriction, dispatch_uid=f"search-pvr-{signal}"
        )
        signal.connect(
            on_synonyms_changed, sender=SearchSynonym, dispatch_uid=f"search-syn-{signal}"
        )
    for model in VOCABULARY_MODELS:
        post_save.connect(on_taxonomy_saved, sender=model, dispatch_uid=f"search-tax-{model}")
        pre_delete.connect(on_taxonomy_deleting, sender=model, dispatch_uid=f"search-taxd-{model}")
