"""What the search index holds about a story, and how to reach the index.

Only public-facing fields go in: the confidential fields of StoryPage are never
read here. Members-only stories are indexed with ``audience="members"`` and every
query filters on it (see ``search.query.audiences_for``).
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from functools import lru_cache

from django.conf import settings
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch
from elasticsearch_dsl import Date, Document, Integer, Keyword, Text
from wagtail.blocks import StreamValue
from wagtail.fields import RichTextField, StreamField

from .models import SearchSynonym, split_terms

logger = logging.getLogger(__name__)


class SearchUnavailable(Exception):
    """Elasticsearch could not be reached, timed out or has no index yet."""


IMAGE_FILTER = "fill-480x270|format-webp"
TEXT_ANALYZER = "story_english"
# The same words at search time, plus the editors' synonyms (``SearchSynonym``).
SEARCH_ANALYZER = "story_english_search"
PLAIN_ANALYZER = "story_plain"
SHINGLE_ANALYZER = "story_shingles"
NOIDA_DB = "noida-db"
ELASTICSEARCH = "elasticsearch"

# Past forms the stemmer cannot relate to their verb ("repaid fees" should find
# "repaying a fee"); rewritten before stemming, at index and search time alike.
IRREGULAR_FORMS = [
    "paid => pay",
    "repaid => repay",
    "unpaid => unpay",
    "underpaid => underpay",
    "overpaid => overpay",
    "prepaid => prepay",
    "withheld => withhold",
    "sought => seek",
    "taught => teach",
    "bought => buy",
    "built => build",
    "kept => keep",
    "held => hold",
    "fled => flee",
]
_ENGLISH_FILTERS = [
    "story_english_possessive",
    "lowercase",
    "story_english_irregular",
    "story_english_stop",
    "story_english_stemmer",
]
ANALYSIS = {
    "filter": {
        "story_english_possessive": {"type": "stemmer", "language": "possessive_english"},
        "story_english_irregular": {"type": "synonym_graph", "synonyms": IRREGULAR_FORMS},
        "story_english_stop": {"type": "stop", "stopwords": "_english_"},
        "story_english_stemmer": {"type": "stemmer", "language": "english"},
        "story_shingle": {
            "type": "shingle",
            "min_shingle_size": 2,
            "max_shingle_size": 3,
        },
    },
    "analyzer": {
        TEXT_ANALYZER: {"type": "custom", "tokenizer": "standard", "filter": _ENGLISH_FILTERS},
        # Unstemmed words: for prefix suggestions and "did you mean".
        PLAIN_ANALYZER: {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
        # Word pairs and triples, for the phrase suggester's "did you mean".
        SHINGLE_ANALYZER: {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "story_shingle"],
        },
    },
}


# Word pairs of every scored field are indexed beside its words (``index_phrases``), so an
# exact two-word phrase is one term to look up instead of two words' positions to compare
# in every story that has both. A search for words that have a multi-word synonym asks
# for each synonym as an exact phrase ("recruitment fees" for "agency fees"): at 30,000
# stories that cost the engine three times what a plain search costs (search/relevance/
# README.md, "Word pairs indexed for exact phrases").
def _text(**kwargs) -> Text:
    return Text(
        analyzer=TEXT_ANALYZER, search_analyzer=SEARCH_ANALYZER, index_phrases=True, **kwargs
    )


# Highlighted fields keep their words' offsets in the index, so a results page's
# snippets are read from there instead of analysing each hit's text again: the same
# highlights for a few per cent less of Elasticsearch's time (search/relevance/README.md).
HIGHLIGHTED = {"index_options": "offsets"}
# The body's snippet comes from the fast vector highlighter, which reads the words and
# offsets of the one story from its term vector: the body is most of a story's text, and
# the unified highlighter spent about a quarter of the engine's time per search on it
# (search/relevance/README.md, "Snippets from the body's term vectors").
BODY_SNIPPETS = {"term_vector": "with_positions_offsets"}


def _spelling() -> Text:
    return Text(analyzer=PLAIN_ANALYZER, fields={"shingles": Text(analyzer=SHINGLE_ANALYZER)})


class StoryDocument(Document):
    """One published case study or bright spot, rendered to cards straight from here."""

    type = Keyword()
    title = _text(
        fields={
            # Prefixes of every title word are indexed, so suggestions as you type
            # are term look-ups (what ``search_as_you_type`` does, without the module).
            "plain": Text(
                analyzer=PLAIN_ANALYZER, index_prefixes={"min_chars": 1, "max_chars": 12}
            ),
            "raw": Keyword(),
        }
    )
    # Unstemmed too: near spellings of a typo are highlighted there ("recruitmnet").
    summary = _text(fields={"plain": Text(analyzer=PLAIN_ANALYZER, **HIGHLIGHTED)}, **HIGHLIGHTED)
    body = _text(**BODY_SNIPPETS)
    tags_text = _text()
    # No copied all_text field: ``combined_fields`` over these four ranks as well and
    # the index is 6% smaller (search/relevance/README.md).
    # Words for "did you mean" and the typo-tolerant search, split by audience so that a
    # suggestion never reveals a word that only members-only stories contain: the title,
    # summary and tags, not the body (a reader's words are there; the body's long tail of
    # words made both cost more than the rest of the search together).
    spell_public = _spelling()
    spell_all = _spelling()

    industry = Keyword()
    industry_name = Keyword()
    interventions = Keyword()
    stages = Keyword()
    region = Keyword()
    risks = Keyword()
    step_kinds = Keyword()
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


_engines: dict[str, str] = {}
_unreachable: dict[str, float] = {}
RETRY_ENGINE_PROBE_SECONDS = 30


def search_engine() -> str:
    """``"elasticsearch"`` or ``"noida-db"``: which engine answers, asked once per process.

    noida-db, the pip-only stand-in, names itself in its root answer; Elasticsearch
    answers there with its version (or, as its test distribution, refuses the method).
    An engine that cannot be reached counts as Elasticsearch (the search then fails
    anyway) and is asked again after ``RETRY_ENGINE_PROBE_SECONDS``.
    """
    url = settings.ELASTICSEARCH_URL or f"http://127.0.0.1:{settings.LOCAL_SEARCH_PORT}"
    if url in _engines:
        return _engines[url]
    if time.monotonic() - _unreachable.get(url, -1e9) < RETRY_ENGINE_PROBE_SECONDS:
        return ELASTICSEARCH
    timeout = min(2.0, float(settings.SEARCH_TIMEOUT_SECONDS) / 2)
    try:
        # A client of its own: a refusal here must not mark the shared one's node dead.
        probe = Elasticsearch(url, request_timeout=timeout, max_retries=0)
        root = probe.perform_request("GET", "/", headers={"accept": "application/json"})
        answer = root.body if isinstance(root.body, dict) else {}
    except ApiError:
        answer = {}
    except TransportError:
        _unreachable[url] = time.monotonic()
        return ELASTICSEARCH
    version = answer.get("version") or {}
    noida = NOIDA_DB in (answer.get("name"), "noida-" + str(version.get("build_hash")))
    _engines[url] = NOIDA_DB if noida else ELASTICSEARCH
    return _engines[url]


def synonyms_in_python() -> bool:
    """Whether queries expand synonyms themselves (only on noida-db, which lacks
    ``synonym_graph`` at search time); Elasticsearch applies them in the analyzer."""
    return search_engine() == NOIDA_DB


def synonym_rules(es: Elasticsearch | None = None) -> list[str]:
    """The editors' synonym groups as ``synonym_graph`` rules, in stemmed form.

    The synonym filter runs after the stemmer at search time, so that "placement
    fee" and "placement fees" both match a rule; the terms are stemmed by the same
    filters in one ``_analyze`` request per rebuild.
    """
    groups = [split_terms(t) for t in SearchSynonym.objects.values_list("terms", flat=True)]
    terms = [term for group in groups for term in group]
    if not terms:
        return []
    tokens = (es or client()).indices.analyze(
        tokenizer="standard",
        filter=[ANALYSIS["filter"].get(f, f) for f in _ENGLISH_FILTERS],
        text=terms,
    )["tokens"]
    # Each text of the list starts one character after the previous one ends.
    starts, offset = [], 0
    for term in terms:
        starts.append(offset)
        offset += len(term) + 1
    stemmed: list[list[str]] = [[] for _ in terms]
    for token in tokens:
        index = next(i for i in reversed(range(len(starts))) if starts[i] <= token["start_offset"])
        stemmed[index].append(re.sub(r"[,=>]", " ", token["token"]))
    rules, index = [], 0
    for group in groups:
        forms: list[str] = []
        for _ in group:
            words = " ".join(" ".join(stemmed[index]).split())
            index += 1
            if words and words not in forms:
                forms.append(words)
        if len(forms) > 1:
            rules.append(", ".join(forms))
    return rules


def index_body(es: Elasticsearch | None = None) -> dict:
    """Settings and mappings of a new versioned index, with today's synonyms.

    An edit to the synonyms therefore needs a rebuild, which ``search.signal_handlers``
    requests; the alias swap keeps search answering meanwhile.
    """
    analysis = {k: dict(v) for k, v in ANALYSIS.items()}
    search_filters = list(_ENGLISH_FILTERS)
    if not synonyms_in_python():
        rules = synonym_rules(es)
        if rules:
            analysis["filter"]["story_synonyms"] = {
                "type": "synonym_graph",
                "synonyms": rules,
                "lenient": True,
            }
            search_filters.append("story_synonyms")
    analysis["analyzer"][SEARCH_ANALYZER] = {
        "type": "custom",
        "tokenizer": "standard",
        "filter": search_filters,
    }
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": int(settings.ELASTICSEARCH_REPLICAS),
            "analysis": analysis,
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


def preload_streams(pages: list) -> None:
    """Convert the StreamFields of a batch of pages with one ``bulk_to_python`` per block type.

    A StreamField read from the database converts its blocks page by page when first
    read, so a chooser inside a block (a step's kind, a resource's document) costs a query
    per story; converted here for the whole batch, one per batch. The values are the ones
    Wagtail would build itself (the same ``bulk_to_python``), only for more pages at once.
    """
    if not pages:
        return
    fields = [f for f in pages[0]._meta.concrete_fields if isinstance(f, StreamField)]
    for field in fields:
        streams = [list(getattr(page, field.name).raw_data) for page in pages]
        by_type: dict[str, list] = defaultdict(list)
        for items in streams:
            for item in items:
                by_type[item["type"]].append(item["value"])
        converted = {
            name: iter(field.stream_block.child_blocks[name].bulk_to_python(values))
            for name, values in by_type.items()
        }
        for page, items in zip(pages, streams, strict=True):
            value = StreamValue(
                field.stream_block,
                [(item["type"], next(converted[item["type"]]), item.get("id")) for item in items],
            )
            setattr(page, field.name, value)


def step_kinds(page) -> list:
    """The kinds of a case study's steps (``StepBlock``'s ``kind``), each once, in order.

    ``search.indexing.story_batches`` converts the steps of a whole batch at once
    (``preload_streams``), so a rebuild reads kinds without a query per story.
    """
    steps = getattr(page, "steps", None)
    if not steps:
        return []
    kinds = []
    for block in steps:
        kind = block.value.get("kind") if block.block_type == "step" else None
        if kind is not None and kind not in kinds:
            kinds.append(kind)
    return kinds


def card_image_url(image) -> str:
    """The URL of an image's card rendition, or "" when it cannot be made."""
    try:
        return image.get_rendition(IMAGE_FILTER).url
    except Exception:  # noqa: BLE001 - a missing file must not stop indexing
        logger.warning("No rendition %s for image %s", IMAGE_FILTER, image.pk)
        return ""


def image_fields(page) -> tuple[str, str]:
    """The card image of a story; ``story_batches`` sets ``card_image_url`` once per image."""
    if not page.hero_image_id:
        return "", ""
    url = getattr(page, "card_image_url", None)
    if url is None:
        url = card_image_url(page.hero_image)
    return (url, page.hero_alt) if url else ("", "")


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
    # Risks addressed and what the steps did are searchable by name ("debt bondage",
    # "repay fees"), and filterable by slug.
    risks = list(page.risks_addressed.all())
    kinds = step_kinds(page)
    tag_names += [r.name for r in risks] + [k.name for k in kinds]
    summary = page.summary_text()
    body = flatten_text(page, results)
    image_url, image_alt = image_fields(page)
    spell = " ".join([page.title, summary, " ".join(tag_names)])
    return {
        "_id": str(page.pk),
        "page_id": page.pk,
        "type": page.story_type,
        "title": page.title,
        "summary": summary,
        "body": body,
        "tags_text": tag_names,
        "spell_public": "" if members_only else spell,
        "spell_all": spell,
        "industry": page.industry.slug,
        "industry_name": page.industry.name,
        "interventions": [t.slug for t in interventions],
        "stages": [s.slug for s in stages],
        "region": page.region.slug,
        "risks": [r.slug for r in risks],
        "step_kinds": [k.slug for k in kinds],
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
