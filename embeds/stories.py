"""Public stories as partners see them: oEmbed, embed cards, feeds and the open API.

Every partner surface is anonymous by nature (a partner's readers are not our
members), so everything here goes through ``visible_to(AnonymousUser())`` and
reads only public fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Page, Site

from casestudies.figures import format_figure
from casestudies.models import (
    STORY_MODELS,
    BrightSpotPage,
    CaseStudyPage,
    MetricResult,
    StoryPage,
    StoryQuerySet,
)
from perf.cache import part_key


def public_stories(model: type[StoryPage]) -> StoryQuerySet:
    return model.objects.visible_to(AnonymousUser())


def find_public_story(**lookup) -> StoryPage | None:
    """The live, public case study or bright spot matching ``lookup``, if any."""
    for model in STORY_MODELS:
        story = (
            public_stories(model)
            .filter(**lookup)
            .select_related("industry", "region", "hero_image")
            .first()
        )
        if story is not None:
            return story
    return None


def headline_metric(page: StoryPage) -> dict | None:
    """The one figure a card leads with, at its published precision: a bright spot's metric,
    a case study's first result. ``value`` is a Decimal or a ``Band``; ``display`` is how
    every surface writes it."""
    if isinstance(page, BrightSpotPage):
        value, unit, metric = page.shown_metric_value, page.metric_unit, page.metric
        verification = page.get_verification_display()
    else:
        # At its published precision; a result published as a range has no headline figure.
        results = page.card_results if hasattr(page, "card_results") else page.results.all()
        result = next((r for r in results if isinstance(r.shown_result, Decimal)), None)
        if result is None:
            return None
        value, unit, metric = result.shown_result, result.unit, result.metric
        verification = result.get_verification_display()
    return {
        "value": value,
        "display": format_figure(value),
        "unit": unit,
        "metric": metric.name,
        "metric_slug": metric.slug,
        "verification": verification,
    }


def story_image(page: StoryPage, spec: str | Filter):
    """A rendition of the story's image, or None when it has none or its file is missing.

    A ``Filter`` rather than its spec spares parsing the spec again for every story."""
    if page.hero_image is None:
        return None
    try:
        # ``get_renditions`` (unlike ``get_rendition``) writes the rendition cache only for
        # a rendition it did not find there, and takes prefetched ones (``load_story_cards``).
        (rendition,) = page.hero_image.get_renditions(spec).values()  # keyed by the clean spec
        return rendition
    except OSError:  # the file is missing (SourceImageIOError) or unreadable
        return None


# --- Filtering by the search page's facets, in the database -------------------


def _public_pages(narrow: Callable[[StoryQuerySet], QuerySet]) -> QuerySet:
    matching = Q(pk__in=[])
    for model in STORY_MODELS:
        matching |= Q(pk__in=narrow(public_stories(model)).values("pk"))
    return Page.objects.filter(matching).order_by("-first_published_at", "-pk")


def public_story_ids(narrow: Callable[[StoryQuerySet], QuerySet]) -> QuerySet:
    """Ids of the public stories ``narrow`` keeps of each story model, newest first."""
    return _public_pages(narrow).values_list("pk", flat=True)


# Beyond this many rows, one page of newest stories is read in one ordered query instead.
NEWEST_MERGE_LIMIT = 1000


def newest_story_ids(narrow: Callable[[StoryQuerySet], QuerySet], window: slice) -> list[int]:
    """``list(public_story_ids(narrow)[window])``, for the first pages in a fraction of its time.

    The newest rows of each story model, each read down its own publication order and
    merged here: one query over both models (an OR of subqueries) sorts every public
    story before it can cut a page, and so grows with the corpus.
    """
    start, stop = window.start or 0, window.stop
    if stop is None or stop > NEWEST_MERGE_LIMIT:
        return list(public_story_ids(narrow)[window])
    rows = []
    for model in STORY_MODELS:
        newest = narrow(public_stories(model)).order_by("-first_published_at", "-pk")
        rows += newest.values_list("first_published_at", "pk")[:stop]
    rows.sort(key=lambda row: (row[0] is not None, row[0] or 0, row[1]), reverse=True)
    return [pk for _published, pk in rows[start:stop]]


def selection_digest(selected: dict[str, list[str]]) -> str:
    """A short, stable name for a set of facet values, for cache keys."""
    return hashlib.sha256(json.dumps(selected, sort_keys=True).encode()).hexdigest()[:32]


def kept_newest_story_ids(
    surface: str,
    narrow: Callable[[StoryQuerySet], QuerySet],
    selected: dict[str, list[str]],
    window: slice,
    request: HttpRequest | None = None,
) -> list[int]:
    """``newest_story_ids``, read once per content generation for each filter and window.

    A session cookie (a member, an editor, anyone who ever signed in) bypasses the page
    cache, and then every API listing page and feed read its ids again: two queries whose
    building costs as much as the rest of the answer. The ids change only with what moves
    the generation (a publish, unpublish, privacy or taxonomy change), so they are kept
    under it (``perf.cache.part_key``), keyed by the ``surface`` asking ("api", "feed":
    each narrows in its own way) and ``selected``, the facet values ``narrow`` filters by.
    The generation is read before the ids are, so ids read before a change are never kept
    under the generation after it; only public stories' ids are kept.
    """
    key = part_key(
        request, "newest-ids", surface, selection_digest(selected), window.start or 0, window.stop
    )
    ids = cache.get(key)
    if ids is None:
        ids = newest_story_ids(narrow, window)
        cache.set(key, ids, settings.PERF_PAGE_CACHE_SECONDS)
    return ids


def public_story_id_batches(
    narrow: Callable[[StoryQuerySet], QuerySet], size: int = 500
) -> Iterator[list[int]]:
    """Every id ``public_story_ids`` lists, in its order, ``size`` at a time.

    Keyset pagination (after the last row's publication date and id) rather than
    offsets, so an export of the whole collection holds one batch in memory and each
    query costs the same however deep it is. Live pages always have a first
    publication date, which the keyset needs.
    """
    rows = _public_pages(narrow).filter(first_published_at__isnull=False)
    rows = rows.values_list("first_published_at", "pk")
    after = None
    while True:
        batch = rows
        if after is not None:
            batch = batch.filter(
                Q(first_published_at__lt=after[0]) | Q(first_published_at=after[0], pk__lt=after[1])
            )
        found = list(batch[:size])
        if found:
            yield [pk for _, pk in found]
        if len(found) < size:
            return
        after = found[-1]


STORY_TAGS = ("intervention_types", "stages", "risks_addressed")
# What a listing, feed or export never shows of a case study: its long text, whose
# StreamField and rich-text columns cost more to read and parse than the rest of the row.
CASE_STUDY_TEXT = ("challenge", "steps", "what_did_not_work", "lessons", "resources")


def load_stories(ids: list[int], tags: tuple[str, ...] = STORY_TAGS) -> list[StoryPage]:
    """The public stories with these ids, in this order, with their ``tags`` loaded in a
    few queries (an id that is no longer public is left out). A surface that shows fewer
    of the tags (a feed) loads only those."""
    found: dict[int, StoryPage] = {}
    common = ("industry", "region", "hero_image")
    found.update(
        (p.pk, p)
        for p in public_stories(CaseStudyPage)
        .filter(pk__in=ids)
        .defer(*CASE_STUDY_TEXT)
        .select_related(*common)
        .prefetch_related(*tags, "results__metric")
    )
    found.update(
        (p.pk, p)
        for p in public_stories(BrightSpotPage)
        .filter(pk__in=ids)
        .select_related(*common, "metric")
        .prefetch_related(*tags)
    )
    return [found[pk] for pk in ids if pk in found]


# What a card in the open API's listing reads of a story's row: not the whole page row.
CARD_COLUMNS = (
    "title", "url_path", "first_published_at", "last_published_at", "size_band",
    "year_started", "year_ended", "hero_alt", "locale",
)  # fmt: skip
CARD_ONLY = {
    CaseStudyPage: ("summary",),
    BrightSpotPage: ("body", "metric_value", "metric_unit", "metric_precision", "verification"),
}


def load_story_cards(
    ids: list[int], terms: dict[str, tuple[str, ...]], image_spec: str
) -> list[StoryPage]:
    """The public stories with these ids, in this order, loaded for a listing's cards
    in a fixed number of queries, whatever the page size.

    Each story carries ``card_terms`` (relation name → its terms, each a dict of the
    ``terms`` columns, in the vocabulary's order), ``card_image`` (the ``image_spec``
    rendition, or None) and, for a case study, ``card_results`` (its results with their
    metric, in order). Only the columns a card shows are read; tags come from the
    relation tables as plain rows rather than one model (and manager) per tag.
    """
    found: dict[int, StoryPage] = {}
    site_root_paths = None
    for model, related in ((CaseStudyPage, ()), (BrightSpotPage, ("metric",))):
        stories = (
            public_stories(model)
            .filter(pk__in=ids)
            .order_by()  # put in the order of ``ids`` below
            .select_related("industry", "region", "hero_image", *related)
            .only(
                *CARD_COLUMNS,
                *CARD_ONLY[model],
                "industry__slug",
                "industry__name",
                "region__slug",
                "region__name",
                "hero_image",
                *related,
            )
        )
        loaded = {story.pk: story for story in stories}
        if not loaded:
            continue
        if site_root_paths is None:
            site_root_paths = Site.get_site_root_paths()
        for story in loaded.values():
            # Read once for the listing: Wagtail reads them for each page it writes the
            # address of (a cache round trip each), keeping them on the page.
            story._wagtail_cached_site_root_paths = site_root_paths
            story.card_terms = {}
        for name, columns in terms.items():
            by_story = _terms_by_story(model, name, columns, list(loaded))
            for pk, story in loaded.items():
                story.card_terms[name] = by_story.get(pk, [])
        found.update(loaded)
    _attach_results([s for s in found.values() if isinstance(s, CaseStudyPage)])
    _attach_renditions(list(found.values()), Filter(image_spec))
    return [found[pk] for pk in ids if pk in found]


def _terms_by_story(
    model: type[StoryPage], name: str, columns: tuple[str, ...], ids: list[int]
) -> dict[int, list[dict]]:
    """One relation's terms of these stories, read from the relation table in one query,
    in the vocabulary's own order (as ``story.<name>.all()`` lists them)."""
    field = model._meta.get_field(name)
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    order = [f"{target}__{o}" for o in field.related_model._meta.ordering]
    rows = (
        field.remote_field.through.objects.filter(**{f"{source}__in": ids})
        .order_by(*order, f"{target}__pk")
        .values_list(source, *(f"{target}__{c}" for c in columns))
    )
    by_story: dict[int, list[dict]] = {}
    for pk, *values in rows:
        by_story.setdefault(pk, []).append(dict(zip(columns, values, strict=True)))
    return by_story


def _attach_results(case_studies: list[CaseStudyPage]) -> None:
    by_story: dict[int, list] = {story.pk: [] for story in case_studies}
    if by_story:
        results = MetricResult.objects.filter(page_id__in=list(by_story)).select_related("metric")
        for result in results.order_by("page_id", "sort_order", "pk"):
            by_story[result.page_id].append(result)
    for story in case_studies:
        story.card_results = by_story[story.pk]


def _attach_renditions(stories: list[StoryPage], spec: Filter) -> None:
    """Every story's ``spec`` rendition from one query; one that is missing is made now,
    as ``story_image`` would."""
    images = {}
    for story in stories:
        if story.hero_image is not None:
            # Stories that share an image share one instance, and its renditions.
            story.hero_image = images.setdefault(story.hero_image.pk, story.hero_image)
            story.hero_image.prefetched_renditions = []
    if images:
        renditions = (
            get_image_model()
            .get_rendition_model()
            .objects.filter(image_id__in=list(images), filter_spec=spec.spec)
        )
        for rendition in renditions:
            images[rendition.image_id].prefetched_renditions.append(rendition)
    for story in stories:
        story.card_image = story_image(story, spec)
