"""One page of a story listing, found by keyset rather than by counting and skipping.

Django's ``Paginator`` counts every story (``COUNT(*)``) and skips the earlier pages
(``OFFSET``) on each request, so page 2,500 of 30,000 stories read 30,000 rows. Here a
page is the ``per_page`` stories published just before (or just after) a story of the
page next to it, on the (``first_published_at``, ``id``) order, which the database finds
by index however long the listing is. The links say "Older" and "Newer" with that story's
id (``?before=<id>``, ``?after=<id>``); the numbered ``?page=N`` addresses of before keep
answering (skipping ``N - 1`` pages, for bookmarks only: no link leads there any more).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.http import Http404, QueryDict
from django.utils import timezone

NEWEST_FIRST = ("-first_published_at", "-pk")
OLDEST_FIRST = ("first_published_at", "pk")


@dataclass
class ListingPage:
    """What the listing template shows: the stories and where Older and Newer lead."""

    stories: list = field(default_factory=list)
    older: int | None = None  # the id for ?before=, when older stories exist
    newer: int | None = None  # the id for ?after=, when newer stories exist
    past_the_end: bool = False  # a numbered page beyond the last one

    def __iter__(self):
        return iter(self.stories)

    def __len__(self) -> int:
        return len(self.stories)

    @property
    def has_other_pages(self) -> bool:
        return self.older is not None or self.newer is not None


def _story_id(params: QueryDict, name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise Http404(f"?{name}= takes the id of a story")
    return int(value)


def _anchor(stories: models.QuerySet, story_id: int) -> datetime.datetime:
    """Where the story ``story_id`` stands in the order (a story not found: 404).

    Looked up among the listing's own stories, which the reader may see: the id of a
    members-only or unpublished page answers 404 like an unknown one, and never tells
    when that page was published.
    """
    published = stories.filter(pk=story_id).values_list("first_published_at", flat=True).first()
    if published is None:
        raise Http404("No such story in this listing")
    return published


def _older_than(stories: models.QuerySet, published, story_id: int) -> models.QuerySet:
    """Stories after ``story_id`` in newest-first order.

    Written as a range on ``first_published_at`` (which its index answers by seeking)
    minus the ties at or above the story, rather than ``a < x OR (a = x AND id < y)``,
    which SQLite answers by scanning the index from the newest story down.
    """
    return (
        stories.filter(first_published_at__lte=published)
        .exclude(first_published_at=published, pk__gte=story_id)
        .order_by(*NEWEST_FIRST)
    )


def _newer_than(stories: models.QuerySet, published, story_id: int) -> models.QuerySet:
    return (
        stories.filter(first_published_at__gte=published)
        .exclude(first_published_at=published, pk__lte=story_id)
        .order_by(*OLDEST_FIRST)
    )


def listing_page(stories: models.QuerySet, params: QueryDict, per_page: int) -> ListingPage:
    """The page of ``stories`` that ``?before=``, ``?after=`` or ``?page=`` asks for."""
    before, after = _story_id(params, "before"), _story_id(params, "after")
    if before is not None:
        rows = list(_older_than(stories, _anchor(stories, before), before)[: per_page + 1])
        return _page(rows, per_page, has_newer=True)
    if after is not None:
        rows = list(_newer_than(stories, _anchor(stories, after), after)[: per_page + 1])
        has_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        if not rows:  # nothing newer any more: the newest page
            return listing_page(stories, QueryDict(), per_page)
        older = rows[-1].pk  # the story the newer link came from is older than these
        return ListingPage(rows, older=older, newer=rows[0].pk if has_newer else None)
    number = params.get("page", "1")
    number = int(number) if number.isdigit() and int(number) > 0 else 1
    skip = (number - 1) * per_page
    # A range the index can seek (every live story has been published), so the newest
    # page reads its dozen rows instead of sorting every story.
    newest = stories.filter(first_published_at__lte=timezone.now()).order_by(*NEWEST_FIRST)
    rows = list(newest[skip : skip + per_page + 1])
    page = _page(rows, per_page, has_newer=number > 1)
    page.past_the_end = number > 1 and not rows
    return page


def _page(rows: list, per_page: int, has_newer: bool) -> ListingPage:
    shown = rows[:per_page]
    return ListingPage(
        shown,
        older=shown[-1].pk if len(rows) > per_page else None,
        newer=shown[0].pk if has_newer and shown else None,
    )
