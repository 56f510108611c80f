"""The benchmark's in-process half: ``python -m devtools.probe`` prints JSON.

Run by ``manage.py bench`` against the benchmark database, once per corpus size.
It rebuilds the search index (timing the Python and Elasticsearch sides), picks
the addresses of each request type, and counts SQL queries and response bytes
per request type with Django's test client (uncached, in a warm process), apart
from the load so that counting never slows the measured server.

Counting waits for the search server however slow it is (``PROBE_SEARCH_TIMEOUT``):
the count of a results page, not of the page shown when search times out.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from urllib.parse import urlencode

SAMPLE = 50  # addresses per request type the load cycles through
SEARCH_QUERY = "recruitment fees"
PROBE_SEARCH_TIMEOUT = 30  # seconds; noida-db needs this long at a few thousand stories
ENGINE_TIME_BUDGET = 20  # seconds spent timing the search server's own time
# A freshly started Elasticsearch compiles its search code for its first twenty thousand
# or so searches (measured at 3,000 stories, 4 clients: its CPU per search 45 ms in the
# first 300, 14 ms after 1,500, 5.2 ms after 20,000, its JIT compiler threads a quarter of
# it until then), so a load started right after the bench starts the node measures the
# JVM warming up, not a node that has been up a while as in production. The warm-up goes
# on, in rounds, until the compiler has settled: under WARM_UP_SETTLED of the engine's CPU
# in a round. Without the engine's process to watch (a cluster elsewhere, up a while
# already) it runs WARM_UP_BLIND_SEARCHES.
WARM_UP_ROUND = 500
WARM_UP_CLIENTS = 4  # as many as the load's client processes
WARM_UP_SETTLED = 0.05
WARM_UP_SEARCHES = 60_000
WARM_UP_BLIND_SEARCHES = 1500
WARM_UP_LIMIT_SECONDS = 360


# Search terms for the uncached search row: each address differs, so neither the page
# cache nor Elasticsearch's own caches answer a search the load has asked before.
SEARCH_TERMS = (
    "recruitment fees", "grievance hotline", "passport retention", "worker committee",
    "debt repayment", "supplier audit", "overtime wages", "migrant corridor",
    "union dialogue", "dormitory inspection", "payroll verification", "buyer purchasing",
)  # fmt: skip
# The session cookie the uncached rows send: the page cache never answers a request with one.
UNCACHED = {"Cookie": "sessionid=benchmark-uncached"}


def _search_url(industry: str, intervention: str, query: str = SEARCH_QUERY) -> str:
    query = urlencode({"q": query, "industry": industry, "intervention": intervention})
    return f"/search/?{query}"


def _first_slugs() -> tuple[str, str]:
    from casestudies.models import Industry, InterventionType

    industry = Industry.objects.order_by("pk").values_list("slug", flat=True).first() or ""
    intervention = (
        InterventionType.objects.order_by("pk").values_list("slug", flat=True).first() or ""
    )
    return industry, intervention


def request_types(sample: int = SAMPLE) -> list[dict]:
    """Each request type with the addresses the load generator cycles through."""
    from django.conf import settings

    from casestudies.models import BrightSpotPage, CaseStudyPage, Industry, InterventionType

    public = CaseStudyPage.objects.visible_to(None).order_by("pk")
    case_studies = [p.url for p in public.specific()[:sample]]
    case_study_ids = list(public.values_list("pk", flat=True)[:sample])
    bright_spots = [
        p.url for p in BrightSpotPage.objects.visible_to(None).order_by("pk").specific()[:sample]
    ]
    industries = list(Industry.objects.order_by("pk").values_list("slug", flat=True)[:4])
    interventions = list(InterventionType.objects.order_by("pk").values_list("slug", flat=True)[:4])
    # A query and two facets, a different combination for each address.
    searches = [
        _search_url(
            industries[n % len(industries)] if industries else "",
            interventions[(n // 2) % len(interventions)] if interventions else "",
            term,
        )
        for n, term in enumerate(SEARCH_TERMS * 2)
    ]
    typed = [term[:n] for term in SEARCH_TERMS for n in range(2, min(len(term), 9) + 1)]
    oembed = [
        "/oembed/?" + urlencode({"url": f"{settings.SITE_URL}{url}", "format": "json"})
        for url in case_studies
    ]
    return [
        {"name": "home", "paths": ["/"]},
        {"name": "case study", "paths": case_studies},
        # A session cookie bypasses the page cache: the page is rendered every time.
        {"name": "case study (uncached)", "paths": case_studies, "headers": UNCACHED},
        {"name": "bright spot", "paths": bright_spots},
        # Uncached too, and each address another query: what a searching visitor meets.
        # Its SQL is counted as an anonymous visitor's (a session adds its own lookup).
        {"name": "search", "paths": searches, "headers": UNCACHED, "count_anonymous": True},
        # Uncached as well: anonymous visitors' suggestions are kept per typed text and
        # content generation, so these prefixes, repeated, would be answered from the
        # cache; the session cookie makes each one ask Elasticsearch, as a prefix nobody
        # typed since the last publish does (plus the cookie's session lookup). Its SQL is
        # counted as an anonymous visitor's: the first after a publish, then a cache hit.
        {
            "name": "suggest",
            "paths": [f"/search/suggest/?{urlencode({'q': t})}" for t in typed],
            "headers": UNCACHED,
            "count_anonymous": True,
        },
        {"name": "embed card", "paths": [f"/embed/{pk}/" for pk in case_study_ids]},
        {"name": "oembed", "paths": oembed},
        {"name": "api list", "paths": ["/api/stories/"]},
        {"name": "api list (uncached)", "paths": ["/api/stories/"], "headers": UNCACHED},
        {"name": "feed", "paths": ["/feeds/rss/"]},
        {"name": "feed (uncached)", "paths": ["/feeds/rss/"], "headers": UNCACHED},
        # A browser revalidating its copy: answered 304 from the cache, nothing rendered.
        {"name": "case study (304)", "paths": case_studies, "headers": {"If-None-Match": "*"}},
    ]


class QueryCounter:
    """Counts SQL statements as the database executes them (independent of DEBUG)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure_requests(types: list[dict]) -> dict:
    """SQL queries and bytes of each type's first address, uncached, in a warm process."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test import Client

    from perf.cache import current_generation, invalidate_pages
    from search.query import facet_labels, synonym_groups

    for model in ContentType.objects.all():
        ContentType.objects.get_for_id(model.pk)
    facet_labels(), synonym_groups()
    client = Client(HTTP_HOST="localhost")
    # The site and its root paths cached, as in a live server, even when only the search
    # page is counted (after the load, in a process of its own): its first request would
    # otherwise count the site lookup, which grows nothing but the process's first answer.
    client.get("/")
    for spec in types:  # renditions cached too
        if spec["name"] != "search":  # one search per size is enough: it may be slow
            client.get(spec["paths"][0] if spec["paths"] else "/")
    measured = {}
    for spec in types:
        path = spec["paths"][0] if spec["paths"] else "/"
        # Counted as a full answer: a conditional header (the 304 type) is not sent here.
        cookie = spec.get("headers", {}).get("Cookie")
        headers = {"HTTP_COOKIE": cookie} if cookie and not spec.get("count_anonymous") else {}
        # As after a publish: pages are stale, renditions and site paths stay cached, and
        # the new generation is mirrored in the shared cache (the first request anywhere
        # after a publish reads it from the database, once: perf.cache).
        invalidate_pages("benchmark")
        current_generation()
        uncached, cached = QueryCounter(), QueryCounter()
        client = Client(HTTP_HOST="localhost")  # no cookies from the type before
        started = time.perf_counter()
        with connection.execute_wrapper(uncached):
            response = client.get(path, **headers)
        seconds = time.perf_counter() - started
        hit = False
        if response.status_code == 200:  # an error page is not cached: no second try
            client.get(path, **headers)
            with connection.execute_wrapper(cached):
                hit = client.get(path, **headers).get("X-Cache") == "HIT"
        measured[spec["name"]] = {
            "path": path,
            "status": response.status_code,
            "sql_queries": uncached.count,
            "sql_queries_cached": cached.count if hit else None,
            "bytes": len(response.content),
            "seconds": round(seconds, 3),
        }
    return measured


def search_engine_time(runs: int = 20) -> dict:
    """Elasticsearch's own time (``took``) for the benchmark's search, apart from the page.

    At most ``runs`` searches, and no more started after ``ENGINE_TIME_BUDGET`` seconds.
    """
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from search.query import FacetedStorySearch

    industry, intervention = _first_slugs()
    took, total = [], []
    deadline = time.perf_counter() + ENGINE_TIME_BUDGET
    for n in range(runs):
        if took and time.perf_counter() > deadline:
            break
        url = _search_url(industry, intervention, SEARCH_TERMS[n % len(SEARCH_TERMS)])
        params = QueryDict(url.split("?", 1)[1])
        results = FacetedStorySearch.from_params(params, AnonymousUser()).execute()
        took.append(results.took_ms)
        total.append(results.total_ms)
    took.sort()
    return {
        "took_p50_ms": statistics.median(took),
        "took_p95_ms": took[min(len(took) - 1, round(0.95 * (len(took) - 1)))],
        "client_total_p50_ms": round(statistics.median(total), 2),
        "hits": results.total,
        "runs": len(took),
        **suggestion_time(runs),
        **related_time(runs),
        **index_size(),
        **requests_per_page(industry, intervention),
    }


def warm_engine(searches: int, engine_pids: list[int] = ()) -> dict:
    """The benchmark's searches and suggestions, from ``WARM_UP_CLIENTS`` threads in rounds,
    until the engine's JIT compiler has settled (its process ``engine_pids`` is watched),
    ``searches`` have run or ``WARM_UP_LIMIT_SECONDS`` have passed. Reports Elasticsearch's
    time at the start and at the end, and the compiler's share of the engine's CPU in the
    last round, so a reader sees how much it mattered and whether it had settled."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from devtools.loadgen import JIT_COMPILER_THREADS, cpu_seconds
    from search.query import FacetedStorySearch, suggest

    industry, intervention = _first_slugs()
    urls = [_search_url(industry, intervention, term) for term in SEARCH_TERMS]
    typed = [term[:n] for term in SEARCH_TERMS for n in range(2, min(len(term), 9) + 1)]
    anonymous = AnonymousUser()

    def one(n: int) -> int:
        params = QueryDict(urls[n % len(urls)].split("?", 1)[1])
        took = FacetedStorySearch.from_params(params, anonymous).execute().took_ms
        suggest(typed[n % len(typed)], anonymous)
        return took

    took: list[int] = []
    share = None
    started = time.perf_counter()
    with ThreadPoolExecutor(WARM_UP_CLIENTS) as pool:
        while len(took) < searches and time.perf_counter() - started < WARM_UP_LIMIT_SECONDS:
            engine = cpu_seconds(engine_pids)
            compiler = cpu_seconds(engine_pids, JIT_COMPILER_THREADS)
            count = min(WARM_UP_ROUND, searches - len(took))
            took += pool.map(one, range(len(took), len(took) + count))
            engine = cpu_seconds(engine_pids) - engine
            compiler = cpu_seconds(engine_pids, JIT_COMPILER_THREADS) - compiler
            share = compiler / engine if engine else None
            if share is not None and share < WARM_UP_SETTLED:
                break
    window = max(1, min(100, len(took) // 4))
    return {
        "searches": len(took),
        "seconds": round(time.perf_counter() - started, 1),
        "took_first_mean_ms": round(statistics.mean(took[:window]), 1) if took else None,
        "took_last_mean_ms": round(statistics.mean(took[-window:]), 1) if took else None,
        "compiler_share_last_round": round(share, 3) if share is not None else None,
        "settled": share is not None and share < WARM_UP_SETTLED,
    }


def _p50_p95(milliseconds: list[float]) -> tuple[float, float]:
    ordered = sorted(milliseconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered), 2), round(p95, 2)


def related_time(runs: int = 20) -> dict:
    """A story's related practices (one more_like_this search), uncached, as a page asks."""
    from casestudies.models import CaseStudyPage
    from search.query import audiences_for
    from search.related import _search_related

    pages = list(CaseStudyPage.objects.visible_to(None).order_by("pk").specific()[:runs])
    audiences = audiences_for(None)
    seconds = []
    for page in pages:
        started = time.perf_counter()
        _search_related(page, audiences, 4)
        seconds.append((time.perf_counter() - started) * 1000)
    p50, p95 = _p50_p95(seconds)
    return {"related_p50_ms": p50, "related_p95_ms": p95}


class TransportCounter:
    """Counts the HTTP requests every Elasticsearch client of this process sends."""

    def __init__(self):
        from elastic_transport import Transport

        self.transport, self.count, self.first = Transport, 0, None
        self.original = Transport.perform_request

    def __enter__(self):
        original, counter = self.original, self

        def counted(transport, *args, **kwargs):
            counter.count += 1
            answer = original(transport, *args, **kwargs)
            if counter.first is None:
                counter.first = answer.body
            return answer

        self.transport.perform_request = counted
        return self

    def __exit__(self, *exc):
        self.transport.perform_request = self.original


def requests_per_page(industry: str, intervention: str) -> dict:
    """Elasticsearch requests behind one search page and one story page, uncached."""
    from django.test import Client

    from casestudies.models import CaseStudyPage
    from perf.cache import invalidate_pages

    story = CaseStudyPage.objects.visible_to(None).order_by("pk").first()
    counted = {}
    for name, path in (
        ("requests_per_search_page", _search_url(industry, intervention, SEARCH_TERMS[1])),
        ("requests_per_case_study_page", story.url if story else "/"),
    ):
        invalidate_pages("benchmark")  # nothing from the cache, related practices included
        client = Client(HTTP_HOST="localhost")
        with TransportCounter() as counter:
            status = client.get(path).status_code
        counted[name] = counter.count if status == 200 else None
        if name == "requests_per_search_page" and status == 200:
            # A page whose exact search finds little asks again, tolerating typos (issue 12
            # item 4): on a small corpus the bench's query and two facets can be such a page.
            exact = (counter.first or {}).get("responses", [{}])[0]
            counted["search_page_exact_hits"] = exact.get("hits", {}).get("total", {}).get("value")
    return counted


def suggestion_time(runs: int = 20) -> dict:
    """Time of ``/search/suggest/``'s work (one Elasticsearch request) as someone types."""
    from django.contrib.auth.models import AnonymousUser

    from search.query import suggest

    typed = [SEARCH_QUERY[:n] for n in range(2, len(SEARCH_QUERY) + 1)]
    seconds = []
    for n in range(runs):
        started = time.perf_counter()
        suggest(typed[n % len(typed)], AnonymousUser())
        seconds.append((time.perf_counter() - started) * 1000)
    p50, p95 = _p50_p95(seconds)
    return {"suggest_p50_ms": p50, "suggest_p95_ms": p95}


def index_size() -> dict:
    """Bytes on disk per indexed story (primaries, tombstones included in the count)."""
    from search.documents import alias_name, client

    stats = client().indices.stats(index=alias_name(), metric=["store", "docs"])["_all"]
    primaries = stats["primaries"]
    documents = max(1, primaries["docs"]["count"])
    return {"index_bytes_per_story": round(primaries["store"]["size_in_bytes"] / documents)}


def engine_named() -> dict:
    """Which engine answered, and its version: noida-db's figures are not Elasticsearch's."""
    from django.conf import settings

    from search.documents import search_engine
    from search.server import EngineError, engine_version

    try:
        version = engine_version(settings.ELASTICSEARCH_URL)
    except EngineError as exc:
        version = f"unknown ({exc})"
    return {"engine": search_engine(), "version": version}


def open_data_memory() -> dict:
    """Bytes of the open data CSV and the Python memory its answer took at its peak.

    Open data should stream with constant memory (issue 17); comparing the two corpus
    sizes shows whether building it grows with the corpus.
    """
    import tracemalloc

    from django.test import Client

    from perf.cache import invalidate_pages

    invalidate_pages("benchmark")
    tracemalloc.start()
    try:
        response = Client(HTTP_HOST="localhost").get("/data/metric-results.csv")
        body = b"".join(response) if response.streaming else response.content
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {
        "status": response.status_code,
        "streamed": response.streaming,
        "bytes": len(body),
        "peak_mib": round(peak / 2**20, 1),
    }


def rebuild_index() -> dict:
    from search.indexing import rebuild

    result = rebuild()
    documents = result["documents"]
    python_seconds = max(result["python_seconds"], 1e-9)
    es_seconds = max(result["elasticsearch_seconds"], 1e-9)
    return {
        "documents": documents,
        "seconds": round(result["seconds"], 3),
        "python_seconds": round(result["python_seconds"], 3),
        "elasticsearch_seconds": round(result["elasticsearch_seconds"], 3),
        "python_documents_per_second": round(documents / python_seconds, 1),
        "elasticsearch_documents_per_second": round(documents / es_seconds, 1),
    }


def routing_time(paths: list[str], rounds: int = 10) -> dict:
    """CPU and SQL to find a story from its address: the portal's routing against Wagtail's.

    ``ChildRoutingInOneQuery`` replaces Wagtail's ``Page.route`` on the home and listing
    pages (issue 13 asks for Wagtail's own unless a benchmark shows the override pays);
    here both walk the same addresses in the same process, the override switched off by
    putting Wagtail's method back for the second run.
    """
    from django.db import connection
    from django.test import RequestFactory
    from wagtail.models import Page, Site

    from casestudies.models import ChildRoutingInOneQuery

    factory = RequestFactory()
    requests = [(factory.get(path), [c for c in path.split("/") if c]) for path in paths]

    def measure() -> dict:
        root = Site.objects.get(is_default_site=True).root_page.specific
        for request, components in requests:  # warm: content types, compiled queries
            root.route(request, components)
        counter = QueryCounter()
        started = time.process_time()
        with connection.execute_wrapper(counter):
            for _ in range(rounds):
                for request, components in requests:
                    root.route(request, components)
        routed = rounds * len(requests) or 1
        return {
            "cpu_ms": round((time.process_time() - started) * 1000 / routed, 3),
            "sql_queries": round(counter.count / routed, 2),
        }

    portal = measure()
    override = ChildRoutingInOneQuery.route
    ChildRoutingInOneQuery.route = Page.route
    try:
        wagtail = measure()
    finally:
        ChildRoutingInOneQuery.route = override
    return {"addresses": len(paths), "portal": portal, "wagtail": wagtail}


def main() -> None:
    import argparse

    import django

    parser = argparse.ArgumentParser(prog="python -m devtools.probe")
    parser.add_argument("sample", type=int, nargs="?", default=SAMPLE)
    parser.add_argument(
        "--search",
        choices=["with", "without", "only"],
        default="with",
        help="Count the search page too, leave it out, or only count it and time the search "
        "server (no rebuild). A search the stand-in cannot finish in time keeps it busy "
        "after the timeout, so the benchmark counts and times it after the load.",
    )
    parser.add_argument(
        "--warm-engine",
        type=int,
        default=0,
        metavar="SEARCHES",
        help="Only warm the search server up with at most this many searches and suggestions.",
    )
    parser.add_argument(
        "--engine-pid",
        type=int,
        action="append",
        default=[],
        help="The search server's process, watched until its JIT compiler has settled.",
    )
    args = parser.parse_args()
    django.setup()
    from django.conf import settings

    settings.SEARCH_TIMEOUT_SECONDS = PROBE_SEARCH_TIMEOUT
    settings.SEARCH_RELATED_TIMEOUT = PROBE_SEARCH_TIMEOUT
    report: dict = {}
    if args.warm_engine:
        from search.documents import search_engine

        # The stand-in compiles nothing at run time; warming it would only take minutes.
        elasticsearch = search_engine() == "elasticsearch"
        warmed = warm_engine(args.warm_engine, args.engine_pid) if elasticsearch else {}
        json.dump(warmed, sys.stdout)
        return
    if args.search != "only":
        report["rebuild"] = rebuild_index()
    types = request_types(args.sample)
    report["types"] = types
    if args.search == "only":
        types = [t for t in types if t["name"] == "search"]
    elif args.search == "without":
        types = [t for t in types if t["name"] != "search"]
    report["requests"] = measure_requests(types)
    if args.search != "only":
        report["open_data"] = open_data_memory()
        stories = next(t for t in types if t["name"] == "case study")["paths"]
        stories += next(t for t in types if t["name"] == "bright spot")["paths"]
        report["routing"] = routing_time(stories)
    if args.search == "only":
        report["search_engine"] = engine_named()
        try:
            report["search_engine"].update(search_engine_time(runs=min(20, 4 * args.sample)))
        except Exception as exc:  # noqa: BLE001 - reported, the rest of the benchmark still runs
            report["search_engine"]["error"] = f"{exc.__class__.__name__}: {exc}"
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
