""" "Download these results": every public story a search matches, as CSV or JSON.

One row per story, the public fields the story card and the open API already publish
(never the contributing company, confidential terms or anything else an editor keeps
back), documented column by column in the data dictionary (``/data/``, through the
``embeds_export`` template tags). Rows are streamed a batch at a time: the database
walked by keyset, or with ``q`` the search engine walked with ``search_after``
(``search.export``), so memory stays flat whatever the collection's size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import chain

from django.contrib.auth.models import AnonymousUser
from django.http import StreamingHttpResponse

from base.csv import csv_lines
from casestudies.addresses import absolute_url, canonical_url
from casestudies.figures import figure_data
from casestudies.models import SIZE_BANDS, VERIFICATION_LEVELS, StoryPage
from search.export import matching_id_batches
from search.facets import filter_stories
from search.query import FacetedStorySearch

from .stories import headline_metric, load_stories, public_story_id_batches

EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("id", "Stable numeric id of the story; the open API has it at /api/stories/<id>/."),
    ("type", "case-study or bright-spot."),
    ("title", "Title of the (anonymized) story."),
    ("url", "Public address of the story."),
    ("summary", "The short summary the story's card shows, as plain text."),
    ("industry", "Industry slug; the search page filters by it with industry=<slug>."),
    ("region", "Region slug."),
    ("intervention_types", "Intervention type slugs, separated by '|'."),
    ("stages", "Supply-chain stage slugs, separated by '|'."),
    ("company_size", "Size band of the company, as the story page shows it."),
    ("year_started", "Year the work started."),
    ("year_ended", "Year the work ended; empty while it is ongoing."),
    (
        "headline_metric",
        "Slug of the metric the story's card leads with (a bright spot's metric, a case "
        "study's first result); empty when it has none.",
    ),
    (
        "headline_value",
        "That figure at its published precision, as a decimal string, or LOW..HIGH for a "
        "range (see the precision notes above).",
    ),
    ("headline_unit", "Unit of the headline figure."),
    (
        "headline_verification",
        "How the headline figure was checked: self-reported, second-party (verified by a "
        "partner) or independently-audited.",
    ),
    ("first_published_at", "When the story was first published (ISO 8601, UTC)."),
    ("last_published_at", "When it was last republished (ISO 8601, UTC)."),
]
EXPORT_FIELDS = [name for name, _ in EXPORT_COLUMNS]
# headline_metric() gives the label shown on cards; the export writes the stable key.
_VERIFICATION_KEYS = {label: key for key, label in VERIFICATION_LEVELS}
# Stories read (and held) at a time, from the database or the search engine.
EXPORT_BATCH = 500


def export_row(page: StoryPage) -> dict[str, str]:
    """One story as the export writes it: public fields only, every value text."""
    metric = headline_metric(page) or {}
    return {
        "id": str(page.pk),
        "type": page.story_type,
        "title": page.title,
        "url": canonical_url(page),
        "summary": page.summary_text(),
        "industry": page.industry.slug,
        "region": page.region.slug,
        "intervention_types": "|".join(t.slug for t in page.intervention_types.all()),
        "stages": "|".join(s.slug for s in page.stages.all()),
        "company_size": dict(SIZE_BANDS).get(page.size_band, page.size_band),
        "year_started": str(page.year_started),
        "year_ended": "" if page.year_ended is None else str(page.year_ended),
        "headline_metric": metric.get("metric_slug", ""),
        "headline_value": figure_data(metric.get("value")),
        "headline_unit": metric.get("unit", ""),
        "headline_verification": _VERIFICATION_KEYS.get(metric.get("verification", ""), ""),
        "first_published_at": _iso(page.first_published_at),
        "last_published_at": _iso(page.last_published_at),
    }


def matching_stories(
    query: str, filters: dict[str, list[str]], sort: str = "relevance"
) -> Iterator[StoryPage]:
    """Every public story the search page would list for these parameters, in its order.

    With words, the search engine's matches; without, the database's, newest first.
    The first batch is fetched now, so that a search engine that is down raises
    ``SearchUnavailable`` while the caller can still answer 503.
    """
    if query.strip():
        search = FacetedStorySearch(AnonymousUser(), query=query, filters=filters, sort=sort)
        batches: Iterator[list[int]] = matching_id_batches(search, EXPORT_BATCH)
    else:
        batches = public_story_id_batches(partial(filter_stories, filters=filters), EXPORT_BATCH)
    first = next(batches, [])
    return (story for ids in chain([first], batches) for story in load_stories(ids))


def csv_response(stories: Iterable[StoryPage], filename: str) -> StreamingHttpResponse:
    """Streamed; a cell a spreadsheet would run as a formula is written as text (base.csv)."""
    lines = csv_lines(EXPORT_FIELDS, (export_row(story) for story in stories))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    return _download(response, filename)


def json_response(stories: Iterable[StoryPage], filename: str) -> StreamingHttpResponse:
    def parts() -> Iterator[str]:
        head = {"dictionary": absolute_url("/data/"), "columns": EXPORT_FIELDS}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
        for n, story in enumerate(stories):
            yield ("," if n else "") + json.dumps(export_row(story), ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(parts(), content_type="application/json; charset=utf-8")
    return _download(response, filename)


def _download(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _iso(moment) -> str:
    return moment.isoformat() if moment is not None else ""
