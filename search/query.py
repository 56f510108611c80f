"""Faceted search over stories: the one entry point every search surface calls.

``FacetedStorySearch(...).execute()`` sends one request to Elasticsearch (more only
when the exact search finds little: the typo-tolerant search and "did you mean") and
reads taxonomy labels from a cache, so a results page costs the same whatever its size.
Backend details stay in this module.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import math
import re
import time
from bisect import bisect_left
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import IntegerField, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TransportError
from elasticsearch import ApiError, NotFoundError
from elasticsearch_dsl import Q, Search
from wagtail.models import Page

from casestudies.models import (
    VERIFICATION_LEVELS,
    ForcedLabourIndicator,
    Industry,
    InterventionType,
    Region,
    StepKind,
    StoryQuerySet,
    SupplyChainStage,
    is_member,
)
from casestudies.serving import kept_for_version
from perf.cache import request_generation

from .documents import SearchUnavailable, alias_name, client, synonyms_in_python
from .facets import FACETS, STORY_TYPES, Facet, parse_filters
from .models import SearchSynonym, split_terms
from .signal_handlers import LABELS_CACHE_KEY, SYNONYMS_CACHE_KEY

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
FACET_SIZE = 100
# The facet aggregations' names: the facets counted under every selection, and a selected
# facet counted under all the others (``FacetedStorySearch.facet_aggregations``).
ALL_CHOSEN = "facets"
ALL_BUT = "facets-but-"
SORTS = {"relevance": "Relevance", "newest": "Newest first"}
# Title above summary above body (and the tags in between).
SCORED_FIELDS = ["title^4", "summary^2", "tags_text^1.5", "body"]
# Every word of a query must appear in title, summary, body or tags (term-centric,
# ``combined_fields``: one BM25F score with these boosts). Measured against a copied
# ``all_text`` field: same recall, NDCG within 0.01, 6% smaller index
# (search/relevance/README.md).

# The search box's operators: "quoted phrases", -exclusion, | for or, parentheses.
# Never fuzzy (~), slop, prefix (*) or regular expressions from what a visitor types.
SAFE_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE"
# noida-db: the most ways of writing a quoted phrase with its synonym terms swapped that a
# search asks for (a phrase naming several synonyms would multiply them).
PHRASE_WRITINGS = 64
# With fewer exact hits than this, the same page also offers near spellings (for
# plain words only: quotes, exclusions and "|" ask for exactly what was typed).
FUZZY_BELOW = 2
# One edit (a transposition counts as one) from five letters, the ten nearest words
# each: every judged typo is one edit away, and two edits from nine letters multiplied
# the words Elasticsearch expands and scores (search/relevance/README.md, "Cost").
TYPO_FUZZINESS = "AUTO:5,100"
TYPO_EXPANSIONS = 10
_OPERATORS = re.compile(r'[-+|()"~*\\]')
# "a phrase", -word and -"a phrase": the parts of a query written with operators.
_OPERATOR_PARTS = re.compile(r'(?:(?<!\S)-)?"[^"]*"?|(?<!\S)-\S+')
# The body's snippet: the fast vector highlighter over the body's term vectors
# (``search.documents.BODY_SNIPPETS``), the passage with the most of the words searched
# for (by default it would be the first). Snippets from the summary keep the unified
# highlighter: a summary is short, and its sentence-bounded passages read best.
BODY_SNIPPET = {"type": "fvh", "order": "score"}
# Only an index built by this release stores the body's term vectors; an older one (until
# ``search_index rebuild``) refuses the fast vector highlighter, so the body's snippet comes
# from the unified highlighter again, as it did there, and fvh is tried again after this.
OLDER_INDEX_RETRY_SECONDS = 60
_NO_TERM_VECTORS = "should be indexed with term vector"
_older_index_seen: list[float] = []
# Private-use characters mark highlights, so the text can be escaped before <mark> goes in.
MARK_START, MARK_END = "\ue000", "\ue001"
_PHRASE = re.compile(r'"([^"]*)"')


# --- Audience ------------------------------------------------------------------


def audiences_for(user) -> list[str]:
    """The index side of ``StoryQuerySet.visible_to``: members also see members-only stories."""
    if user is not None and getattr(user, "is_authenticated", False) and is_member(user):
        return ["public", "members"]
    return ["public"]


# --- Cached vocabularies ---------------------------------------------------------


def facet_labels(user=None, request=None) -> dict[str, dict[str, str]]:
    """Slug → name for every taxonomy facet, in display order, as ``user`` may see them.

    Only terms a story visible to the reader uses (``VocabularyQuerySet.visible_to``;
    anonymous when ``user`` is None): a term's name can give a contributor away.
    Cached per audience and content generation (``perf.cache``), which every publish,
    unpublish, privacy change and vocabulary edit moves on in the same transaction;
    with the ``request`` being answered, the generation it already read (no query).
    """
    audience = audiences_for(user)[-1]

    def shared() -> dict[str, dict[str, str]]:
        key = f"{LABELS_CACHE_KEY}:{audience}:{request_generation(request)}"
        labels = cache.get(key)
        if labels is None:
            labels = _visible_labels(user)
            cache.set(key, labels, 3600)
        return labels

    # Every search page asks for the same labels (twice: its chips and its facets), so
    # this process keeps them while the content version holds, under the same audience:
    # a Redis round trip and an unpickling less per page.
    labels = kept_for_version(request, f"facet-labels:{audience}", shared)
    return {
        **labels,
        "type": STORY_TYPES,
        "verification": dict(VERIFICATION_LEVELS),
    }


TAXONOMY_FACETS = (
    ("industry", Industry),
    ("intervention", InterventionType),
    ("stage", SupplyChainStage),
    ("region", Region),
    ("risk", ForcedLabourIndicator),
    ("step", StepKind),
)


def _visible_labels(user) -> dict[str, dict[str, str]]:
    """Every taxonomy's visible terms in one query (a UNION ALL), each in its own order.

    Right after a publish every label cache is stale at once; one query instead of one
    per taxonomy keeps the first search after it within the page's query budget.
    """
    parts = []
    for number, (_param, model) in enumerate(TAXONOMY_FACETS):
        position = "position" if model is SupplyChainStage else Value(0)
        parts.append(
            model.objects.visible_to(user)
            .order_by()
            .annotate(
                taxonomy=Value(number, output_field=IntegerField()),
                rank=Coalesce(position, Value(0), output_field=IntegerField()),
            )
            .values_list("taxonomy", "rank", "name", "slug")
        )
    rows = parts[0].union(*parts[1:], all=True).order_by("taxonomy", "rank", "name")
    labels: dict[str, dict[str, str]] = {param: {} for param, _model in TAXONOMY_FACETS}
    for number, _rank, name, slug in rows:
        labels[TAXONOMY_FACETS[number][0]][slug] = name
    return labels


def synonym_groups() -> list[list[str]]:
    groups = cache.get(SYNONYMS_CACHE_KEY)
    if groups is None:
        groups = [split_terms(t) for t in SearchSynonym.objects.values_list("terms", flat=True)]
        groups = [g for g in groups if len(g) > 1]
        cache.set(SYNONYMS_CACHE_KEY, groups, 3600)
    return groups


def _term_pattern(term: str) -> re.Pattern:
    """A synonym term matched as whole words, singular or plural."""
    words = [re.escape(w[:-1] if w.endswith("s") and len(w) > 3 else w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(w + "s?" for w in words) + r"(?!\w)", re.I)


# --- Results -----------------------------------------------------------------------


@dataclass
class Hit:
    """What a result card needs; also the shape ``related_for`` returns."""

    id: int
    type: str
    title: str
    url: str
    summary: str
    industry: str
    image_url: str = ""
    image_alt: str = ""
    highlight: str = ""
    published: str = ""

    @property
    def type_label(self) -> str:
        return STORY_TYPES.get(self.type, "")

    @classmethod
    def from_hit(cls, hit, highlight: str = "") -> Hit:
        """From an elasticsearch-dsl hit."""
        return cls.from_source(hit.to_dict(), hit.meta.id, highlight)

    @classmethod
    def from_source(cls, source: dict, doc_id: str, highlight: str = "") -> Hit:
        """From a hit's ``_source`` as Elasticsearch sent it (the card fields)."""
        return cls(
            id=source.get("page_id") or int(doc_id),
            type=source.get("type", ""),
            title=source.get("title", ""),
            url=source.get("url", ""),
            summary=source.get("summary", ""),
            industry=source.get("industry_name", ""),
            image_url=source.get("image_url", ""),
            image_alt=source.get("image_alt", ""),
            highlight=highlight,
            published=str(source.get("first_published_at", "")),
        )


def visible_hits(hits: list[Hit], audiences: list[str]) -> list[Hit]:
    """Only the hits whose page the database still shows to this audience, in one query.

    The index may lag behind an unpublish or a privacy change (a worker is slow or
    down); the database never does, so a hit it would not show is dropped.
    """
    if not hits:
        return hits
    pages = StoryQuerySet(Page).filter(pk__in=[hit.id for hit in hits])
    pages = pages.live() if "members" in audiences else pages.visible_to(None)
    shown = set(pages.values_list("pk", flat=True))
    return [hit for hit in hits if hit.id in shown]


def shown_hits(hits: list[Hit], audiences: list[str], request=None) -> list[Hit]:
    """``visible_hits`` with the database's answers kept for the content generation.

    A results page asks about ten stories at a time, and the same stories come back page
    after page; the database's say on a story changes only with a publish, unpublish,
    move, deletion or privacy change, each of which moves the content generation on in
    its own transaction (``perf.cache``). So the answers are kept for the generation: in
    this process (``casestudies.serving.kept_for_version``: nothing to fetch or unpickle
    for a story it has shown since), and in the shared cache for the other processes,
    read in one round trip and shared with the suggestions' (``shown_stories``); only the
    stories not asked about since the last change go to the database: a story withdrawn
    behind a stale index is still never shown.
    """
    if not hits:
        return hits
    kept = kept_for_version(request, f"shown:{audiences[-1]}", KeptAnswers)
    said = {hit.id: kept.shown.get(hit.id) for hit in hits}
    asking = [hit for hit in hits if said[hit.id] is None]
    if asking:
        prefix = f"{SHOWN_CACHE_KEY}:{audiences[-1]}:{request_generation(request)}"
        keys = {hit.id: f"{prefix}:{hit.id}" for hit in asking}
        known = cache.get_many(list(keys.values()))
        unknown = [hit for hit in asking if keys[hit.id] not in known]
        if unknown:
            shown = {hit.id for hit in visible_hits(unknown, audiences)}
            answers = {keys[hit.id]: hit.id in shown for hit in unknown}
            cache.set_many(answers, SHOWN_CACHE_SECONDS)
            known.update(answers)
        learnt = {page_id: known[key] for page_id, key in keys.items()}
        said.update(learnt)
        kept.remember(learnt)
    return [hit for hit in hits if said[hit.id]]


# The index fields a result card shows: all a search or related-practices hit fetches.
CARD_FIELDS = [
    "page_id",
    "type",
    "title",
    "summary",
    "url",
    "industry_name",
    "image_url",
    "image_alt",
    "first_published_at",
]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetResult:
    facet: Facet
    values: list[FacetValue]

    @property
    def param(self) -> str:
        return self.facet.param

    @property
    def label(self) -> str:
        return self.facet.label


@dataclass
class SearchResults:
    query: str
    filters: dict[str, list[str]]
    sort: str
    page: int
    page_size: int
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: list[FacetResult] = field(default_factory=list)
    suggestion: str = ""
    messages: list[str] = field(default_factory=list)
    took_ms: int = 0  # Elasticsearch's own time
    total_ms: float = 0.0  # including the network and this process

    @property
    def num_pages(self) -> int:
        pages = -(-self.total // self.page_size) if self.total else 0
        return min(pages, settings.SEARCH_MAX_PAGE)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


# --- The search ----------------------------------------------------------------------


def _parse_page(raw: str | None, messages: list[str]) -> int:
    try:
        page = int(str(raw).strip()) if raw not in (None, "") else 1
    except ValueError:
        messages.append("That page number was not understood; showing the first page.")
        return 1
    if page < 1:
        messages.append("Pages start at 1; showing the first page.")
        return 1
    if page > settings.SEARCH_MAX_PAGE:
        messages.append(
            f"Only the first {settings.SEARCH_MAX_PAGE} pages of results are shown; "
            "add words or filters to narrow the search."
        )
        return settings.SEARCH_MAX_PAGE
    return page


class FacetedStorySearch:
    """A search for stories a given user may see, with facet counts and highlights."""

    def __init__(
        self,
        user,
        query: str = "",
        filters: dict[str, list[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        page_size: int | None = None,
        messages: list[str] | None = None,
        request=None,
    ):
        self.user = user
        self.request = request  # the page being answered, if any (see ``facet_labels``)
        self.messages = list(messages or [])
        query = " ".join((query or "").split())
        if len(query) > MAX_QUERY_LENGTH:
            query = query[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0] or query[:MAX_QUERY_LENGTH]
            self.messages.append(
                f"Your search was long, so only its first {MAX_QUERY_LENGTH} characters were used."
            )
        self.query = query
        self.filters = filters or {}
        self.sort = sort if sort in SORTS else "relevance"
        self.page = max(1, min(int(page), settings.SEARCH_MAX_PAGE))
        self.page_size = max(1, min(int(page_size or settings.SEARCH_PAGE_SIZE), 100))

    @classmethod
    def from_params(cls, params: QueryDict, user, page_size: int | None = None, request=None):
        """The search a URL asks for (parameters of the public contract)."""
        messages: list[str] = []
        page = _parse_page(params.get("page"), messages)
        return cls(
            user,
            query=params.get("q", ""),
            filters=parse_filters(params),
            sort=params.get("sort", "relevance"),
            page=page,
            page_size=page_size,
            messages=messages,
            request=request,
        )

    # Query building ---------------------------------------------------------------

    def text_query(self, fuzzy: bool = False):
        """Every word must appear (in any field); quoted phrases as written, ``-word``
        excluded. With ``fuzzy``, stories that match near spellings of the words count
        too, ranked below the exact matches."""
        text = self.query
        if not _OPERATORS.sub(" ", text).strip(" '"):
            return None
        alternatives = "|" in text or "(" in text
        must, ranking, excluded, together = [], [], [], SCORED_FIELDS
        if synonyms_in_python():
            # noida-db has no ``synonym_graph`` (``_expand_synonyms`` does its work) and
            # reads a field's whole text for each clause that names it: at the demo's size
            # one reading of every body costs it some 30 ms of CPU, a phrase twice that. So
            # the body is read once per synonym group, and the bonus for words standing
            # together is asked of the title, summary and tags only. A query with
            # alternatives is left as typed: a synonym's clause beside it would have to be
            # found too, turning "recruitment fees | payroll" into "and". (Elasticsearch
            # reads the words between operators one by one, so a two-word synonym is not
            # met there either; a one-word synonym is, which noida-db then misses.)
            if not alternatives:
                text, must, ranking, excluded = _expand_synonyms(text)
            together = [f for f in SCORED_FIELDS if not f.startswith("body")]
        if alternatives:
            # Alternatives and grouping: the visitor's syntax, read by the engine.
            operators, words = text, ""
        else:
            operators = " ".join(m.group(0) for m in _OPERATOR_PARTS.finditer(text))
            words = " ".join(_OPERATORS.sub(" ", _OPERATOR_PARTS.sub(" ", text)).split())
        if _OPERATORS.sub(" ", operators).strip(" '"):
            must.append(
                Q(
                    "simple_query_string",
                    query=operators,
                    fields=SCORED_FIELDS,
                    default_operator="and",
                    flags=SAFE_FLAGS,
                    lenient=True,
                )
            )
        if words:
            # Whole, so that multi-word synonyms ("debt bondage") meet the analyzer.
            must.append(Q("combined_fields", query=words, fields=SCORED_FIELDS, operator="and"))
        plain = " ".join(_OPERATORS.sub(" ", self.query).split())
        if not fuzzy:
            # Stories where the words stand together rank higher.
            should = [Q("multi_match", query=plain, type="phrase", slop=2, fields=together)]
            if not must and not excluded:
                return None
            # Only exclusions (noida-db's, for synonyms): every other story.
            must = must or [Q("match_all")]
            return Q("bool", must=must, must_not=excluded, should=should + ranking)
        # The typo-tolerant answer is shown only when at most one story matched exactly,
        # so ranking exact matches by how close their words stand would change nothing.
        exact = Q("bool", must=must) if must else None
        # Typos are matched against the unstemmed words of titles, summaries and tags
        # ("recruitmnet" is near "recruitment", not its stem "recruit").
        near = Q(
            "match",
            spell_all={
                "query": plain,
                "operator": "and",
                "fuzziness": TYPO_FUZZINESS,
                "max_expansions": TYPO_EXPANSIONS,
                "prefix_length": 1,
                "boost": 0.2,
            },
        )
        clauses = [exact, near] if exact is not None else [near]
        return Q("bool", should=clauses, minimum_should_match=1)

    def facet_filter(self, facet: Facet) -> dict | None:
        values = self.filters.get(facet.param)
        return {"terms": {facet.field: values}} if values else None

    def facet_aggregations(self, selected: dict) -> dict:
        """Each facet counts the stories that every *other* selected facet lets through.

        Facets that share that filter (every facet not selected: all the selections) are
        counted under one ``filter`` aggregation, so the engine evaluates a filter once per
        distinct choice (three with two facets selected) instead of once per facet; the
        counts are the same. As plain dicts: built as elasticsearch-dsl objects, the
        aggregations cost more of the page's Python time than the rest of the request.
        """
        chosen = {p: q for p, q in selected.items() if q is not None}
        groups: dict[str, dict] = {}
        for facet in FACETS:
            name = f"{ALL_BUT}{facet.param}" if facet.param in chosen else ALL_CHOSEN
            group = groups.setdefault(
                name,
                {
                    "filter": {
                        "bool": {"filter": [q for p, q in chosen.items() if p != facet.param]}
                    },
                    "aggs": {},
                },
            )
            group["aggs"][facet.param] = {"terms": {"field": facet.field, "size": FACET_SIZE}}
        return groups

    def body(self, fuzzy: bool = False) -> dict:
        """The request for this page as Elasticsearch reads it; ``fuzzy`` for the one that
        tolerates typos. Written as plain dicts: built as elasticsearch-dsl objects and
        turned into dicts again, the request cost a tenth of the page's Python time."""
        audiences = audiences_for(self.user)
        text = self.text_query(fuzzy=fuzzy)
        text = text.to_dict() if text is not None else None
        query: dict = {"filter": [{"terms": {"audience": audiences}}]}
        if text:
            query["must"] = [text]
        body: dict = {"query": {"bool": query}}
        selected = {f.param: self.facet_filter(f) for f in FACETS}
        active = [q for q in selected.values() if q is not None]
        if active:
            body["post_filter"] = {"bool": {"filter": active}}
        body["aggs"] = self.facet_aggregations(selected)
        if self.sort == "newest" or not text:
            body["sort"] = [{"first_published_at": {"order": "desc"}}, {"page_id": "desc"}]
        else:
            body["sort"] = ["_score", {"first_published_at": {"order": "desc"}}]
        body["track_total_hits"] = True
        body["from"] = (self.page - 1) * self.page_size
        body["size"] = self.page_size
        body["_source"] = list(CARD_FIELDS)
        if text:
            # Typo-tolerant: the short summary, unstemmed too (highlighting long bodies
            # for near spellings cost more than the whole search).
            marked = ("summary", "summary.plain") if fuzzy else ("summary", "body")
            fields = {name: {} for name in marked}
            if not fuzzy:
                fields["body"] = {} if _older_index() else BODY_SNIPPET
                if not synonyms_in_python():
                    fields["summary"] = {"highlight_query": _on_field(text, "summary")}
            body["highlight"] = {
                "fields": fields,
                "pre_tags": [MARK_START],
                "post_tags": [MARK_END],
                "require_field_match": False,
                "number_of_fragments": 1,
                "fragment_size": 180,
            }
        return body

    def _spelling_body(self) -> dict | None:
        """The request for "did you mean" alone; None when there are no words to correct.

        A correction is shown only when the exact search finds fewer than ``FUZZY_BELOW``
        stories, so it is asked for only then, beside the typo-tolerant search: in every
        exact search the phrase suggester cost about a twentieth of the engine's CPU for a
        correction almost no page shows.
        """
        if not _OPERATORS.sub(" ", self.query).strip(" '"):
            return None
        spelling = {"text": self._words(), **self._suggester(audiences_for(self.user))}
        return {"size": 0, "track_total_hits": 1, "suggest": {"spelling": spelling}}

    def build(self, fuzzy: bool = False) -> Search:
        """``body`` as an elasticsearch-dsl search, for callers that change it further."""
        search = Search(using=client(), index=alias_name())
        return search.update_from_dict(self.body(fuzzy=fuzzy))

    def _words(self) -> str:
        return " ".join(_OPERATORS.sub(" ", self.query).split())[:MAX_QUERY_LENGTH]

    def _suggester(self, audiences: list[str]) -> dict:
        """ "Did you mean": the phrase suggester over word pairs, so that a correction
        fits the words around it; noida-db only has the term suggester."""
        spell_field = "spell_all" if "members" in audiences else "spell_public"
        if synonyms_in_python():
            return {"term": {"field": spell_field, "prefix_length": 0, "suggest_mode": "missing"}}
        return {
            "phrase": {
                "field": f"{spell_field}.shingles",
                "size": 1,
                "gram_size": 3,
                "max_errors": 2,
                "confidence": 1.0,
                "direct_generator": [
                    {
                        "field": spell_field,
                        "suggest_mode": "always",
                        "min_word_length": 4,
                        "prefix_length": 0,  # "jarment" is a typo of "garment"
                        "max_edits": 1,  # "peelers" is not a typo of "peers"
                    }
                ],
            }
        }

    def typo_tolerant(self) -> Search | None:
        """The same search tolerating typos, for a query of plain words only (quotes,
        exclusions and "|" ask for exactly what was typed); None otherwise."""
        body = self._typo_tolerant_body()
        if body is None:
            return None
        return Search(using=client(), index=alias_name()).update_from_dict(body)

    def _typo_tolerant_body(self) -> dict | None:
        if _OPERATORS.search(self.query) or self.text_query() is None:
            return None
        return self.body(fuzzy=True)

    def requests(self) -> list[Search]:
        """Every search a page may ask: the exact one and, for a query of plain words, its
        typo-tolerant twin, whose answer replaces the exact one's when that finds fewer
        than ``FUZZY_BELOW`` stories. ``execute`` sends the twin only then."""
        typo = self.typo_tolerant()
        return [self.build()] if typo is None else [self.build(), typo]

    # Running ---------------------------------------------------------------------

    def _send(self, searches: list[Search | dict], tolerated: int = 0) -> list[dict]:
        """The answers as plain dicts: a page reads a few keys of each, so wrapping them
        in elasticsearch-dsl's ``Response`` cost more than it saved. An error in one of
        the last ``tolerated`` answers is left in it for the caller to read."""
        queries = [s if isinstance(s, dict) else s.to_dict() for s in searches]
        answers = _msearch(queries)
        if any(_NO_TERM_VECTORS in str(a.get("error", "")) for a in answers):
            logger.warning("The search index predates this release: run search_index rebuild")
            _older_index_seen[:] = [time.monotonic()]
            for query in queries:
                if query.get("highlight", {}).get("fields", {}).get("body") == BODY_SNIPPET:
                    query["highlight"]["fields"]["body"] = {}
            answers = _msearch(queries)
        for answer in answers[: len(answers) - tolerated]:
            if "error" in answer:
                raise ApiError(
                    message=str(answer["error"].get("reason", answer["error"]))[:300],
                    meta=_Status(int(answer.get("status", 400))),
                    body=answer,
                )
        return answers

    def _ask(self, searches: list[Search | dict], results: SearchResults, tolerated: int = 0):
        """``_send``, timed into ``results``; None (with a message for the reader) when
        Elasticsearch refuses the search as written. Raises ``SearchUnavailable`` when it
        cannot answer."""
        started = time.perf_counter()
        try:
            return self._send(searches, tolerated)
        except (TransportConnectionError, ConnectionTimeout, NotFoundError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        except ApiError as exc:
            if exc.meta.status >= 500:
                raise SearchUnavailable(str(exc)) from exc
            logger.warning("Search refused: %s (query %r)", exc, self.query[:100])
            results.messages.append(
                "This search could not be run as written. Try fewer or simpler words."
            )
            return None
        except TransportError as exc:
            raise SearchUnavailable(str(exc)) from exc
        finally:
            results.total_ms += (time.perf_counter() - started) * 1000

    def execute(self) -> SearchResults:
        """Run the search. Raises ``SearchUnavailable`` when Elasticsearch cannot answer."""
        results = SearchResults(
            query=self.query,
            filters=self.filters,
            sort=self.sort,
            page=self.page,
            page_size=self.page_size,
            messages=list(self.messages),
        )
        # The exact search alone: it finds enough on almost every page. Only when it finds
        # little does a second request ask for the typo-tolerant search and "did you mean",
        # and a third, only when there is a correction, checks that it finds a story.
        answers = self._ask([self.body()], results)
        if answers is None:
            return results
        exact = response = answers[0]
        results.took_ms = int(exact.get("took", 0))
        few = int(exact["hits"]["total"]["value"]) < FUZZY_BELOW
        suggestion = ""
        if few:
            typo = self._typo_tolerant_body()
            spelling = self._spelling_body()
            second = [b for b in (typo, spelling) if b is not None]
            if second:
                # A "did you mean" that fails leaves the page without one, nothing more.
                answers = self._ask(second, results, tolerated=1 if spelling else 0)
                if answers is None:
                    return results
                results.took_ms += max(int(a.get("took", 0)) for a in answers)
                if typo is not None:
                    response = answers[0]
                if spelling is not None and answers[-1].get("suggest"):
                    suggestion = self._suggestion(answers[-1])
        if suggestion:
            checked = self._ask([self._suggestion_check(suggestion)], results, tolerated=1)
            if checked is not None:
                results.took_ms += int(checked[0].get("took", 0))
            if checked is None or not _finds_any(checked[0]):
                suggestion = ""
        results.suggestion = suggestion
        results.total = int(response["hits"]["total"]["value"])
        hits = [self._hit(h) for h in response["hits"].get("hits", ())]
        results.hits = shown_hits(hits, audiences_for(self.user), self.request)
        results.total = max(0, results.total - (len(hits) - len(results.hits)))
        results.facets = self._facets(response)
        if results.total and not results.hits and self.page > 1:
            results.messages.append(
                f"There is no page {self.page}; these results have {results.num_pages}."
            )
        return results

    def _hit(self, hit: dict) -> Hit:
        highlight = ""
        marked = hit.get("highlight") or {}
        for name in ("summary", "body", "summary.plain"):
            fragments = marked.get(name)
            if fragments:
                highlight = _marked(fragments[0])
                break
        return Hit.from_source(hit.get("_source") or {}, hit["_id"], highlight)

    def _facets(self, response: dict) -> list[FacetResult]:
        labels = facet_labels(self.user, self.request)
        facets = []
        # Each facet's counts, whichever filter aggregation holds them (``facet_aggregations``).
        aggregations = {
            param: counted
            for group in (response.get("aggregations") or {}).values()
            for param, counted in group.items()
            if isinstance(counted, dict)
        }
        for facet in FACETS:
            buckets = aggregations.get(facet.param, {}).get("buckets", [])
            counts = {str(b["key"]): int(b["doc_count"]) for b in buckets}
            selected = self.filters.get(facet.param, [])
            known = labels.get(facet.param, {})
            values = list(counts)
            values += [v for v in selected if v not in counts]
            if facet.param == "year":
                values.sort(key=lambda v: (not v.isdigit(), -int(v) if v.isdigit() else 0, v))
            else:
                order = {slug: i for i, slug in enumerate(known)}
                values.sort(key=lambda v: (order.get(v, len(order)), v))
            facets.append(
                FacetResult(
                    facet,
                    [
                        FacetValue(v, known.get(v, v), counts.get(v, 0), v in selected)
                        for v in values
                    ],
                )
            )
        return facets

    def _suggestion_check(self, suggestion: str) -> dict:
        """The search that tells whether "did you mean" finds a story this visitor may see.

        Elasticsearch keeps the words of replaced documents in its term dictionary until
        segments merge, so a word of a story that has since become members-only would
        otherwise still be offered to the public (noida-db forgets them at once).
        """
        audiences = audiences_for(self.user)
        field = "spell_all" if "members" in audiences else "spell_public"
        query = Q(
            "bool",
            must=[Q("match", **{field: {"query": suggestion, "operator": "and"}})],
            filter=[Q("terms", audience=audiences)],
        )
        return {"query": query.to_dict(), "size": 0, "track_total_hits": 1}

    def _suggestion(self, response) -> str:
        text = self._words()
        corrected, changed = text, False
        for entry in reversed(response["suggest"].get("spelling", [])):
            if entry.get("options"):
                start, end = entry["offset"], entry["offset"] + entry["length"]
                corrected = corrected[:start] + entry["options"][0]["text"] + corrected[end:]
                changed = True
        corrected = " ".join(corrected.split())
        return corrected if changed and corrected.lower() != text.strip().lower() else ""


# What a page reads of an answer (``filter_path``): shard counts, scores, sort values
# and bucket error bounds (a tenth of the bytes) are neither sent nor parsed.
ANSWER_PARTS = [
    "responses.status",
    "responses.error",
    "responses.took",
    "responses.hits.total.value",
    "responses.hits.hits._id",
    "responses.hits.hits._source",
    "responses.hits.hits.highlight",
    "responses.aggregations.*.*.buckets.key",
    "responses.aggregations.*.*.buckets.doc_count",
    "responses.suggest",
]
_ANSWER_FILTER = ",".join(ANSWER_PARTS)
_NDJSON = {"accept": "application/json", "content-type": "application/x-ndjson"}


def _msearch(queries: list[dict]) -> list[dict]:
    """The answers to ``queries`` (plain dicts), sent as one ``_msearch`` to the alias.

    The request goes to the client as the bytes Elasticsearch reads: the client's
    ``msearch()`` checks and rebuilds every argument and serializes each line through its
    own serializer, work repeated on every search page for a body this module already
    holds as plain dicts.
    """
    header = _json({"index": alias_name()})
    lines = [line for query in queries for line in (header, _json(query))]
    answer = client().perform_request(
        "POST",
        "/_msearch",
        params={"filter_path": _ANSWER_FILTER},
        headers=_NDJSON,
        body=("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"),
    )
    return list(answer.body["responses"])


def _json(value: dict) -> str:
    """``value`` as the client's own serializer writes it (compact, UTF-8 as it is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _older_index() -> bool:
    """Whether an index without the body's term vectors answered a search lately."""
    seen = _older_index_seen[:1]
    return bool(seen) and time.monotonic() - seen[0] < OLDER_INDEX_RETRY_SECONDS


def _finds_any(answer: dict) -> bool:
    """Whether an answer found a story (an answer in error finds none)."""
    return "error" not in answer and int(answer["hits"]["total"]["value"]) > 0


@dataclass
class _Status:
    """The part of a transport response ``ApiError`` reads, for one ``_msearch`` answer."""

    status: int


def _expand_synonyms(text: str) -> tuple[str, list, list, list]:
    """noida-db only: the query with its synonym terms taken out, the clauses that find
    them (any term of a term's group satisfies it as a phrase), the clauses that rank and
    highlight those terms, and the clauses of the excluded ones. Elasticsearch does this
    in its analyzer, in quoted phrases and exclusions too: ``"recruitment debt"`` finds
    "debt bondage" and ``-"debt bondage"`` leaves out "bonded labour".

    noida-db reads a field's text again for every clause that names it, and the body is
    most of a story: a phrase per term over every field cost it some 60 ms of CPU per term
    at the demo's 48 stories ("debt bondage" has four). One ``intervals`` clause per field
    finds any term of the group in one reading, the same stories. noida-db neither ranks
    nor highlights what ``intervals`` found, so each term is also asked for as a phrase in
    the titles, the cheapest field: that ranks a title saying it first, as before, and
    marks the term wherever the snippet shows it.
    """
    groups = synonym_groups()
    fields = _field_boosts()
    title, title_boost = fields[0]
    typed, clauses, ranking, excluded = [], [], [], []

    def ranked(terms: list[str]) -> list:
        return [Q("match_phrase", **{title: {"query": t, "boost": title_boost}}) for t in terms]

    for part in (m.group(0) for m in _OPERATOR_PARTS.finditer(text)):
        rule, terms = _synonym_rule(part.removeprefix("-").strip('"'), groups)
        if rule is None:
            typed.append(part)
        elif part.startswith("-"):
            excluded.append(_in_any_field(rule, fields))
        else:
            clauses.append(_in_any_field(rule, fields))
            ranking += ranked(terms)
    rest = _OPERATOR_PARTS.sub(" ", text)
    for term in _terms_longest_first(groups):
        pattern = _term_pattern(term)
        if pattern.search(rest):
            rest = pattern.sub(" ", rest)
            terms = _group_of(term, groups)
            rule = {"any_of": {"intervals": [_phrase_rule(t) for t in terms]}}
            clauses.append(_in_any_field(rule, fields))
            ranking += ranked(terms)
    return " ".join(" ".join([*typed, rest]).split()), clauses, ranking, excluded


def _synonym_rule(phrase: str, groups: list[list[str]]) -> tuple[dict | None, list[str]]:
    """An ``intervals`` rule for a quoted phrase (or an excluded word) holding synonym
    terms: any way of writing it with each of those terms or another of its group, and
    the terms. (None, []) when it holds none, or more than ``PHRASE_WRITINGS`` ways.

    Each way is a phrase of its own, read by the field's analyzer as the phrase typed would
    be, so stop words and stems behave alike."""
    spans = []
    remaining = phrase
    for term in _terms_longest_first(groups):
        pattern = _term_pattern(term)
        spans += [(m.start(), m.end(), term) for m in pattern.finditer(remaining)]
        remaining = pattern.sub(lambda m: " " * len(m.group(0)), remaining)
    pieces, terms, position = [], [], 0
    for start, end, term in sorted(spans):
        group = _group_of(term, groups)
        pieces += [[phrase[position:start]], group]
        terms += group
        position = end
    pieces.append([phrase[position:]])
    if not spans or math.prod(len(p) for p in pieces) > PHRASE_WRITINGS:
        return None, []
    writings = [" ".join(" ".join(way).split()) for way in itertools.product(*pieces)]
    return {"any_of": {"intervals": [_phrase_rule(w) for w in writings]}}, terms


def _terms_longest_first(groups: list[list[str]]) -> list[str]:
    return sorted({t for g in groups for t in g}, key=len, reverse=True)


def _group_of(term: str, groups: list[list[str]]) -> list[str]:
    """Every term of every group ``term`` is in, as the analyzer's rules would combine them."""
    return sorted({t for g in groups if term in g for t in g})


def _in_any_field(rule: dict, fields: list[tuple[str, float]]):
    """An ``intervals`` rule asked of each scored field with its boost: one reading each."""
    found = [Q("intervals", **{name: {**rule, "boost": b}}) for name, b in fields]
    return Q("bool", should=found, minimum_should_match=1)


def _phrase_rule(term: str) -> dict:
    """An ``intervals`` rule matching ``term``'s words side by side, in order, as a phrase
    query would (through the field's search analyzer, so stems and stop words alike)."""
    return {"match": {"query": term, "ordered": True, "max_gaps": 0}}


def _field_boosts() -> list[tuple[str, float]]:
    """``SCORED_FIELDS`` as (field, boost) pairs, title first."""
    pairs = []
    for scored in SCORED_FIELDS:
        name, _, boost = scored.partition("^")
        pairs.append((name, float(boost or 1)))
    return pairs


def _on_field(query: dict, field: str) -> dict:
    """``query`` (a ``text_query`` as a dict) asking ``field`` alone.

    The summary's snippet marks the words where the summary itself matches the search (a
    summary holding only some of the words gives none, and the body's passage is shown).
    Asked with the whole query across every field, the unified highlighter reached the same
    marks by a longer way: about a seventh of Elasticsearch's CPU per search page
    (search/relevance/README.md, "The summary's snippet asked of the summary alone").
    """
    if isinstance(query, list):
        return [_on_field(item, field) for item in query]
    if not isinstance(query, dict):
        return query
    copied = {key: _on_field(value, field) for key, value in query.items()}
    if "fields" in copied and not isinstance(copied["fields"], dict):
        copied["fields"] = [field]
    return copied


def _marked(fragment: str) -> str:
    """Escape an indexed snippet, then turn the highlight markers into <mark>."""
    return html.escape(fragment).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


# --- Suggestions as you type ----------------------------------------------------------


# What a suggestion shows of a story, read from the index's doc values: no stored
# document is opened for it (``_source`` would be decompressed and parsed, body and all,
# for three short fields). The same hits in the same order, for a quarter to a third less
# of Elasticsearch's CPU per suggestion (measured at 3,000 stories, alone and under load).
SUGGESTION_FIELDS = ["page_id", "title.raw", "type", "url"]
SHOWN_CACHE_KEY = "search:shown"
SHOWN_CACHE_SECONDS = 600
# The taxonomy parameters whose terms are suggested, in the order they are offered.
SUGGESTED_TAXONOMIES = ("industry", "intervention", "stage", "region", "risk", "step")


def suggestible_terms(labels: dict[str, dict[str, str]]) -> list[tuple[tuple[str, ...], dict]]:
    """Each taxonomy term a reader may be offered, with the lowercased words it is typed as
    (the whole name and each word of it), ready to match a prefix without lowercasing and
    splitting every name again at every keystroke."""
    terms = []
    for param in SUGGESTED_TAXONOMIES:
        for slug, name in labels[param].items():
            words = (name.lower(), *name.lower().split())
            terms.append((words, {"text": name, "kind": param, "url": f"/search/?{param}={slug}"}))
    return terms


class SuggestibleTerms:
    """``suggestible_terms`` with their words in order, so that the terms a typed text
    starts are one binary search away instead of a test of every word of every term (a
    hundred and more, at every keystroke)."""

    def __init__(self, terms: list[tuple[tuple[str, ...], dict]]):
        self.terms = [term for _words, term in terms]
        pairs = sorted((word, n) for n, (words, _term) in enumerate(terms) for word in words)
        self.words = [word for word, _n in pairs]
        self.owners = [n for _word, n in pairs]

    def starting(self, lowered: str) -> list[dict]:
        """A copy of each term whose name or one of its words starts with ``lowered``, in
        the order they are offered."""
        found = set()
        at = bisect_left(self.words, lowered)
        while at < len(self.words) and self.words[at].startswith(lowered):
            found.add(self.owners[at])
            at += 1
        return [dict(self.terms[n]) for n in sorted(found)]


class KeptAnswers:
    """What this process learnt for one audience under one content version
    (``casestudies.serving.kept_for_version``): whether the database shows each story
    asked about (``shown_hits``, ``shown_stories``) and the terms suggestions offer."""

    # A bound on the stories remembered: beyond it the process asks the shared cache again.
    MAX_STORIES = 10_000

    def __init__(self):
        self.terms: SuggestibleTerms | None = None
        self.shown: dict[int, bool] = {}

    def remember(self, answers: dict[int, bool]) -> None:
        if len(self.shown) + len(answers) > self.MAX_STORIES:
            self.shown = {}
        self.shown.update(answers)


def shown_stories(
    hits: list[Hit], user, request=None, audiences: list[str] | None = None
) -> tuple[list[Hit], SuggestibleTerms]:
    """The hits the database still shows to ``user``, and the terms they may be suggested.

    A suggestion is asked for at every keystroke, and the database's say on its hits
    and terms cost more CPU than the rest of it. That say changes only with a publish,
    unpublish, move, deletion, privacy change or vocabulary edit, each of which moves the
    content generation on in its own transaction (``perf.cache``), so each answer is kept
    for its generation: in this process (nothing to fetch or unpickle at the next
    keystroke), and in the shared cache for the other processes, whose answers are all
    read in one round trip. A story withdrawn behind a stale index is still never
    suggested.
    """
    audiences = audiences or audiences_for(user)
    generation = request_generation(request)
    kept = kept_for_version(request, f"shown:{audiences[-1]}", KeptAnswers)
    asking = {hit.id for hit in hits if hit.id not in kept.shown}
    if asking or kept.terms is None:
        prefix = f"{SHOWN_CACHE_KEY}:{audiences[-1]}:{generation}"
        terms_key = f"{prefix}:terms"
        keys = {page_id: f"{prefix}:{page_id}" for page_id in asking}
        known = cache.get_many([*([terms_key] if kept.terms is None else []), *keys.values()])
        answers = {}
        if kept.terms is None and terms_key not in known:
            answers[terms_key] = suggestible_terms(facet_labels(user, request))
        unknown = [hit for hit in hits if hit.id in keys and keys[hit.id] not in known]
        if unknown:
            shown = {hit.id for hit in visible_hits(unknown, audiences)}
            answers.update({keys[hit.id]: hit.id in shown for hit in unknown})
        if answers:
            cache.set_many(answers, SHOWN_CACHE_SECONDS)
            known.update(answers)
        if kept.terms is None:
            kept.terms = SuggestibleTerms(known[terms_key])
        kept.remember({page_id: known[key] for page_id, key in keys.items()})
    return [hit for hit in hits if kept.shown.get(hit.id)], kept.terms


def titles_starting(text: str, audiences: list[str], limit: int) -> list[Hit]:
    """Stories whose title words start like ``text`` (its last word a prefix), best first.

    The prefixes of title words are indexed (``title.plain``'s ``index_prefixes``), so the
    last word is one term look-up whatever its length up to twelve letters. The body goes
    to the client as it is sent: its ``search()`` method checks and rebuilds every
    argument, a fifth of the Python time a suggestion spends on Elasticsearch.
    """
    answer = client().perform_request(
        "POST",
        f"/{alias_name()}/_search",
        # Only the hits come back.
        params={"filter_path": "hits.hits.fields"},
        headers=JSON_HEADERS,
        body={
            "query": {
                "bool": {
                    "must": [
                        {
                            "multi_match": {
                                "query": text,
                                "type": "bool_prefix",
                                "fields": ["title.plain"],
                            }
                        }
                    ],
                    "filter": [{"terms": {"audience": audiences}}],
                }
            },
            **_TITLE_FIELDS,
            "size": limit,
        },
    )
    hits = []
    for found in (answer.body.get("hits") or {}).get("hits") or []:  # none: an empty answer
        fields = {name: values[0] for name, values in (found.get("fields") or {}).items() if values}
        if "page_id" not in fields:
            continue  # no page to ask the database about: never shown
        hits.append(
            Hit(
                id=int(fields["page_id"]),
                type=fields.get("type", ""),
                title=fields.get("title.raw", ""),
                url=fields.get("url", ""),
                summary="",
                industry="",
            )
        )
    return hits


# What a request sent as a plain body through the client says of itself (see titles_starting).
JSON_HEADERS = {"accept": "application/json", "content-type": "application/json"}
# What a suggestion reads of each hit: doc values only, no stored document. Nothing shows
# how many titles match: counting them (thousands for a two-letter prefix) is work nobody sees.
_TITLE_FIELDS = {
    "_source": False,
    "stored_fields": ["_none_"],
    "docvalue_fields": SUGGESTION_FIELDS,
    "track_total_hits": False,
}


def suggest(query: str, user, limit: int = 6, request=None) -> dict:
    """Story titles and taxonomy terms that start like what is being typed.

    With the ``request`` being answered, the content generation is the one it already
    read (``perf.cache``).
    """
    text = " ".join((query or "").split())[:100]
    if len(text) < 2:
        return {"query": text, "suggestions": []}
    available = True
    # Once: a member's answer is a query (``is_member``).
    audiences = audiences_for(user)
    try:
        hits = titles_starting(text, audiences, limit)
    except (TransportError, ApiError):
        hits, available = [], False
    shown, terms = shown_stories(hits, user, request, audiences)
    titles = [{"text": hit.title, "kind": hit.type, "url": hit.url} for hit in shown]
    matching = terms.starting(text.lower())
    return {
        "query": text,
        "suggestions": (titles + matching)[: limit * 2],
        "search_available": available,
    }
