"""Faceted search over stories: the one entry point every search surface calls.

``FacetedStorySearch(...).execute()`` sends exactly one request to Elasticsearch
and reads taxonomy labels from a cache, so a results page costs the same whatever
its size. Backend details stay in this module.
"""

from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TransportError
from elasticsearch import ApiError, NotFoundError
from elasticsearch_dsl import Q, Search

from casestudies.models import (
    VERIFICATION_LEVELS,
    Industry,
    InterventionType,
    Region,
    SupplyChainStage,
    is_member,
)

from .documents import SearchUnavailable, alias_name, client
from .facets import FACETS, STORY_TYPES, Facet, parse_filters
from .models import SearchSynonym, split_terms
from .signals import LABELS_CACHE_KEY, SYNONYMS_CACHE_KEY

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
FACET_SIZE = 100
SORTS = {"relevance": "Relevance", "newest": "Newest first"}
# Title above summary above body (and the tags in between).
SCORED_FIELDS = ["title^4", "summary^2", "tags_text^1.5", "body"]
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


def facet_labels() -> dict[str, dict[str, str]]:
    """Slug → name for every taxonomy facet, in display order (cached, cleared on edit)."""
    labels = cache.get(LABELS_CACHE_KEY)
    if labels is None:
        labels = {
            "industry": dict(Industry.objects.values_list("slug", "name")),
            "intervention": dict(InterventionType.objects.values_list("slug", "name")),
            "stage": dict(SupplyChainStage.objects.values_list("slug", "name")),
            "region": dict(Region.objects.values_list("slug", "name")),
        }
        cache.set(LABELS_CACHE_KEY, labels, 3600)
    return {
        **labels,
        "type": STORY_TYPES,
        "verification": dict(VERIFICATION_LEVELS),
    }


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
        source = hit.to_dict()
        return cls(
            id=source.get("page_id") or int(hit.meta.id),
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
    ):
        self.user = user
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
    def from_params(cls, params: QueryDict, user, page_size: int | None = None):
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
        )

    # Query building ---------------------------------------------------------------

    def text_query(self):
        """Quoted phrases must appear as written; other words all must appear, with
        synonyms as alternatives and typo tolerance as a weaker fallback."""
        text = self.query
        if not text.strip(" \"'"):
            return None
        phrases = [p.strip() for p in _PHRASE.findall(text) if p.strip()]
        rest = _PHRASE.sub(" ", text).replace('"', " ")
        must, should = [], []
        for phrase in phrases:
            must.append(Q("match_phrase", all_text=phrase))
            should.append(Q("multi_match", query=phrase, type="phrase", fields=SCORED_FIELDS))

        exact: list = []
        for group in synonym_groups():
            for term in sorted(group, key=len, reverse=True):
                pattern = _term_pattern(term)
                if pattern.search(rest):
                    rest = pattern.sub(" ", rest)
                    alternatives = [Q("match_phrase", all_text=t) for t in group]
                    exact.append(Q("bool", should=alternatives, minimum_should_match=1))
                    should += [
                        Q("multi_match", query=t, type="phrase", fields=SCORED_FIELDS)
                        for t in group
                    ]
                    break
        rest = " ".join(rest.split())
        if rest:
            exact.append(Q("match", all_text={"query": rest, "operator": "and"}))
            should.append(Q("multi_match", query=rest, fields=SCORED_FIELDS))
        if exact:
            words = " ".join(_PHRASE.sub(" ", text).replace('"', " ").split())
            # Typos are matched against unstemmed words ("recruitmnet" is near
            # "recruitment", not its stem "recruit"); the audience filter still applies.
            fuzzy = Q(
                "match",
                spell_all={
                    "query": words,
                    "operator": "and",
                    "fuzziness": "AUTO",
                    "prefix_length": 1,
                    "boost": 0.2,
                },
            )
            must.append(Q("bool", should=[Q("bool", must=exact), fuzzy], minimum_should_match=1))
        if not must:
            return None
        return Q("bool", must=must, should=should)

    def facet_filter(self, facet: Facet):
        values = self.filters.get(facet.param)
        return Q("terms", **{facet.field: values}) if values else None

    def build(self) -> Search:
        audiences = audiences_for(self.user)
        search = Search(using=client(), index=alias_name())
        base = [Q("terms", audience=audiences)]
        text = self.text_query()
        search = search.query(Q("bool", must=[text] if text else [], filter=base))

        selected = {f.param: self.facet_filter(f) for f in FACETS}
        active = [q for q in selected.values() if q is not None]
        if active:
            search = search.post_filter(Q("bool", filter=active))
        for facet in FACETS:
            others = [q for p, q in selected.items() if q is not None and p != facet.param]
            search.aggs.bucket(facet.param, "filter", filter=Q("bool", filter=others)).bucket(
                "values", "terms", field=facet.field, size=FACET_SIZE
            )

        if self.sort == "newest" or not text:
            search = search.sort({"first_published_at": {"order": "desc"}}, {"page_id": "desc"})
        else:
            search = search.sort("_score", {"first_published_at": {"order": "desc"}})
        if text:
            search = search.highlight_options(
                pre_tags=[MARK_START],
                post_tags=[MARK_END],
                require_field_match=False,
                number_of_fragments=1,
                fragment_size=180,
            ).highlight("summary", "body")
            spell_field = "spell_all" if "members" in audiences else "spell_public"
            search = search.suggest(
                "spelling",
                _PHRASE.sub(" ", self.query).replace('"', " ")[:MAX_QUERY_LENGTH],
                term={"field": spell_field, "prefix_length": 0, "suggest_mode": "missing"},
            )
        start = (self.page - 1) * self.page_size
        search = search.extra(track_total_hits=True)[start : start + self.page_size]
        return search.source(CARD_FIELDS)

    # Running ---------------------------------------------------------------------

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
        search = self.build()
        started = time.perf_counter()
        try:
            response = search.execute()
        except (TransportConnectionError, ConnectionTimeout, NotFoundError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        except ApiError as exc:
            if exc.meta.status >= 500:
                raise SearchUnavailable(str(exc)) from exc
            logger.warning("Search refused: %s (query %r)", exc, self.query[:100])
            results.messages.append(
                "This search could not be run as written. Try fewer or simpler words."
            )
            return results
        except TransportError as exc:
            raise SearchUnavailable(str(exc)) from exc
        results.total_ms = (time.perf_counter() - started) * 1000
        results.took_ms = int(response.took)
        results.total = int(response.hits.total.value)
        results.hits = [self._hit(h) for h in response.hits]
        results.facets = self._facets(response)
        if results.total == 0 and self.query and getattr(response, "suggest", None):
            results.suggestion = self._suggestion(response)
        if results.total and not results.hits and self.page > 1:
            results.messages.append(
                f"There is no page {self.page}; these results have {results.num_pages}."
            )
        return results

    def _hit(self, hit) -> Hit:
        highlight = ""
        meta_highlight = getattr(hit.meta, "highlight", None)
        if meta_highlight is not None:
            for name in ("summary", "body"):
                fragments = getattr(meta_highlight, name, None)
                if fragments:
                    highlight = _marked(fragments[0])
                    break
        return Hit.from_hit(hit, highlight)

    def _facets(self, response) -> list[FacetResult]:
        labels = facet_labels()
        facets = []
        aggregations = response.aggregations
        for facet in FACETS:
            buckets = aggregations[facet.param]["values"]["buckets"]
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

    def _suggestion(self, response) -> str:
        text = _PHRASE.sub(" ", self.query).replace('"', " ")[:MAX_QUERY_LENGTH]
        corrected, changed = text, False
        for entry in reversed(response.suggest.spelling):
            if entry.options:
                start, end = entry.offset, entry.offset + entry.length
                corrected = corrected[:start] + entry.options[0].text + corrected[end:]
                changed = True
        corrected = " ".join(corrected.split())
        return corrected if changed and corrected.lower() != text.strip().lower() else ""


def _marked(fragment: str) -> str:
    """Escape an indexed snippet, then turn the highlight markers into <mark>."""
    return html.escape(fragment).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


# --- Suggestions as you type ----------------------------------------------------------


def suggest(query: str, user, limit: int = 6) -> dict:
    """Story titles and taxonomy terms that start like what is being typed."""
    text = " ".join((query or "").split())[:100]
    if len(text) < 2:
        return {"query": text, "suggestions": []}
    lowered = text.lower()
    suggestions: list[dict] = []
    labels = facet_labels()
    for param in ("industry", "intervention", "stage", "region"):
        for slug, name in labels[param].items():
            if any(word.startswith(lowered) for word in [name.lower(), *name.lower().split()]):
                suggestions.append({"text": name, "kind": param, "url": f"/search/?{param}={slug}"})
    available = True
    try:
        search = (
            Search(using=client(), index=alias_name())
            .query(
                Q(
                    "bool",
                    must=[Q("multi_match", query=text, type="bool_prefix", fields=["title.plain"])],
                    filter=[Q("terms", audience=audiences_for(user))],
                )
            )
            .source(["title", "url", "type"])
            .extra(size=limit)
        )
        titles = [{"text": h.title, "kind": h.type, "url": h.url} for h in search.execute().hits]
    except (TransportError, ApiError):
        titles, available = [], False
    return {
        "query": text,
        "suggestions": (titles + suggestions)[: limit * 2],
        "search_available": available,
    }
