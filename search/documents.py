"""What the search index holds about a story, and how to reach the index.

Only public-facing fields go in: the confidential fields of StoryPage are never
read here. Members-only stories are indexed with ``audience="members"`` and every
query filters on it (see ``search.query.audiences_for``).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch_dsl import Date, Document, Integer, Keyword, Text
from wagtail.fields import RichTextField, StreamField

logger = logging.getLogger(__name__)


class SearchUnavailable(Exception):
    """Elasticsearch could not be reached, timed out or has no index yet."""


IMAGE_FILTER = "fill-480x270|format-webp"
TEXT_ANALYZER = "story_english"
PLAIN_ANALYZER = "story_plain"

ANALYSIS = {
    "filter": {
        "story_english_possessive": {"type": "stemmer", "language": "possessive_english"},
        "story_english_stop": {"type": "stop", "stopwords": "_english_"},
        "story_english_stemmer": {"type": "stemmer", "language": "english"},
    },
    "analyzer": {
        TEXT_ANALYZER: {
            "type": "custom",
            "tokenizer": "standard",
            "filter": [
                "story_english_possessive",
                "lowercase",
                "story_english_stop",
                "story_english_stemmer",
            ],
        },
        # Unstemmed words: for prefix suggestions and "did you mean".
        PLAIN_ANALYZER: {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
    },
}


def _text(**kwargs) -> Text:
    return Text(analyzer=TEXT_ANALYZER, **kwargs)


class StoryDocument(Document):
    """One published case study or bright spot, rendered to cards straight from here."""

    type = Keyword()
    title = _text(fields={"plain": Text(analyzer=PLAIN_ANALYZER), "raw": Keyword()})
    summary = _text()
    body = _text()
    tags_text = _text()
    # Title, summary, body and tags again, so that every word of a query can be
    # required somewhere in the story (AND across fields).
    all_text = _text()
    # Words for "did you mean", split by audience so that a suggestion never
    # reveals a word that only members-only stories contain.
    spell_public = Text(analyzer=PLAIN_ANALYZER)
    spell_all = Text(analyzer=PLAIN_ANALYZER)

    industry = Keyword()
    industry_name = Keyword()
    interventions = Keyword()
    stages = Keyword()
    region = Keyword()
    years = Keyword()
    metrics = Keyword()
    verification = Keyword()
    audience = Keyword()

    url = Keyword(index=False)
    image_url = Keyword(index=False)
    image_alt = Keyword(index=False)
    first_published_at = Date()
    last_published_at = Date()
    page_id = Integer()


# --- Connection and names --------------------------------------------------


@lru_cache(maxsize=8)
def _client_for(url: str, timeout: float) -> Elasticsearch:
    return Elasticsearch(url, request_timeout=timeout, max_retries=0, retry_on_timeout=False)


def client(timeout: float | None = None) -> Elasticsearch:
    """The Elasticsearch client for the configured URL (read on every call: tests change it)."""
    url = settings.ELASTICSEARCH_URL or f"http://127.0.0.1:{settings.LOCAL_SEARCH_PORT}"
    if timeout is None:
        timeout = float(settings.SEARCH_TIMEOUT_SECONDS)
    return _client_for(url, timeout)


def alias_name() -> str:
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-stories"


def index_pattern() -> str:
    return f"{alias_name()}-*"


def index_body() -> dict:
    """Settings and mappings of a new versioned index."""
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": int(settings.ELASTICSEARCH_REPLICAS),
            "analysis": ANALYSIS,
        },
        "mappings": StoryDocument._doc_type.mapping.to_dict(),
    }


# --- From page to document ---------------------------------------------------


def flatten_text(page, results=()) -> str:
    """Every rich-text and StreamField block of the page, and public result notes, as text.

    Confidential fields are plain CharField/TextField, so they are never picked up.
    """
    parts: list[str] = []
    for field in page._meta.concrete_fields:
        if isinstance(field, (RichTextField, StreamField)):
            value = getattr(page, field.name)
            if value:
                parts.extend(str(p) for p in field.get_searchable_content(value) if p)
    parts.extend(result.note for result in results)
    return "\n".join(p.strip() for p in parts if p and p.strip())


def image_fields(page) -> tuple[str, str]:
    if not page.hero_image_id:
        return "", ""
    try:
        rendition = page.hero_image.get_rendition(IMAGE_FILTER)
    except Exception:  # noqa: BLE001 - a missing file must not stop indexing
        logger.warning("No rendition for image %s of page %s", page.hero_image_id, page.pk)
        return "", ""
    return rendition.url, page.hero_alt


def prepare(page, *, members_only: bool) -> dict:
    """The index document for a live story page (specific CaseStudyPage or BrightSpotPage)."""
    interventions = list(page.intervention_types.all())
    stages = list(page.stages.all())
    results = []
    if page.story_type == "case-study":
        results = getattr(page, "prefetched_results", None)
        if results is None:
            results = list(page.results.select_related("metric"))
        metrics = {r.metric.slug: r.metric.name for r in results}
        verification = sorted({r.verification for r in results})
    else:
        metrics = {page.metric.slug: page.metric.name}
        verification = [page.verification]
    tag_names = [page.industry.name, page.region.name]
    tag_names += [t.name for t in interventions] + [s.name for s in stages]
    tag_names += list(metrics.values())
    summary = page.summary_text()
    body = flatten_text(page, results)
    image_url, image_alt = image_fields(page)
    all_text = [page.title, summary, body, " ".join(tag_names)]
    spell = " ".join(all_text)
    return {
        "_id": str(page.pk),
        "page_id": page.pk,
        "type": page.story_type,
        "title": page.title,
        "summary": summary,
        "body": body,
        "tags_text": tag_names,
        "all_text": all_text,
        "spell_public": "" if members_only else spell,
        "spell_all": spell,
        "industry": page.industry.slug,
        "industry_name": page.industry.name,
        "interventions": [t.slug for t in interventions],
        "stages": [s.slug for s in stages],
        "region": page.region.slug,
        "years": [str(y) for y in page.years],
        "metrics": sorted(metrics),
        "verification": verification,
        "audience": "members" if members_only else "public",
        "url": page.get_url() or page.url_path,
        "image_url": image_url,
        "image_alt": image_alt,
        "first_published_at": page.first_published_at,
        "last_published_at": page.last_published_at,
    }
