"""Public stories as partners see them: oEmbed, embed cards, feeds and the open API.

Every partner surface is anonymous by nature (a partner's readers are not our
members), so everything here goes through ``visible_to(AnonymousUser())`` and
reads only public fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from wagtail.models import Page

from casestudies.figures import format_figure
from casestudies.models import (
    STORY_MODELS,
    BrightSpotPage,
    CaseStudyPage,
    StoryPage,
    StoryQuerySet,
)


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
        result = next((r for r in page.results.all() if isinstance(r.shown_result, Decimal)), None)
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


def story_image(page: StoryPage, spec: str):
    """A rendition of the story's image, or None when it has none or its file is missing."""
    if page.hero_image is None:
        return None
    try:
        return page.hero_image.get_rendition(spec)
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
