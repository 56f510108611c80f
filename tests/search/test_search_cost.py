"""What a search-backed answer costs does not grow with the corpus (issue 12 item 9, issue 17).

The search page, suggestions as you type, the open API's list and the feeds are measured
as the benchmark measures them: the first anonymous request after a publish (every cached
page and label stale), at 3 and at 30 stories of each kind, counting SQL statements and
the HTTP requests sent to the search engine.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from perf.cache import invalidate_pages
from tests.factories import BrightSpotPageFactory, MetricDefinitionFactory, MetricResultFactory
from tests.search.helpers import industries_and_practices, story

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30
# The content generation (its first read after a publish checks the row twice, perf.cache),
# every taxonomy's visible labels in one query, and the database's say on the hits.
SEARCH_PAGE_SQL = 4
SUGGEST_SQL = 4
# Steady state: labels cached for this generation; only the database's say on the hits.
SEARCH_PAGE_SQL_WARM = 1

URLS = {
    "search page": "/search/?q=fees&industry=apparel&intervention=fee-repayment",
    "search page finding little": "/search/?q=recruitmnet+fees",
    "suggestions": "/search/suggest/?q=fee",
    "api list": "/api/stories/",
    "api search": "/api/stories/?q=fees&industry=apparel",
    "feed": "/feeds/rss/",
    "search feed": "/feeds/search/rss/?q=fees",
}
# Elasticsearch requests each answer sends: the database lists stories without a query.
# A search page sends the exact search alone; only when that finds little, a second
# request with the typo-tolerant search and "did you mean", and a third with the check
# of the correction when there is one.
SEARCH_REQUESTS = {
    "search page": 1,
    "search page finding little": 3,
    "suggestions": 1,
    "api list": 0,
    "api search": 1,
    "feed": 0,
    "search feed": 1,
}


@pytest.fixture
def grow(published):
    """``grow(n)``: publish case studies and bright spots until there are ``n`` of each."""
    apparel, seafood, repay, grievance = industries_and_practices()
    metric = MetricDefinitionFactory(name="Fees repaid", unit="USD")
    stories: list = []

    def to(n: int) -> None:
        pages = []
        while len(stories) + len(pages) < 2 * n:
            k = (len(stories) + len(pages)) // 2
            case_study = story(
                f"Supplier {k} repays recruitment fees",
                summary="Recruitment fees repaid to every worker.",
                industry=apparel if k % 2 else seafood,
                intervention_types=[repay, grievance],
            )
            MetricResultFactory(page=case_study, metric=metric)
            spot = BrightSpotPageFactory(
                title=f"Fees repaid at site {k}",
                industry=apparel if k % 2 else seafood,
                intervention_types=[repay],
                metric=metric,
                case_study=case_study,
            )
            pages += [case_study, spot]
        stories.extend(published(*pages))

    return to


def measure(client, engine_calls, url: str) -> tuple[int, int]:
    """SQL statements and search engine requests of one uncached anonymous request."""
    invalidate_pages("test")  # as after a publish: nothing cached answers
    engine_calls.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response.get("X-Cache") != "HIT", url
    return len(queries), len(engine_calls)


def test_search_backed_answers_cost_the_same_at_3_and_30_stories(client, grow, engine_calls):
    counted: dict[int, dict[str, tuple[int, int]]] = {}
    for size in (SMALL, LARGE):
        grow(size)
        for url in URLS.values():  # a warm process: content types, site root, synonyms
            client.get(url)
        counted[size] = {name: measure(client, engine_calls, url) for name, url in URLS.items()}
    assert counted[SMALL] == counted[LARGE]
    assert {name: es for name, (_sql, es) in counted[LARGE].items()} == SEARCH_REQUESTS
    assert counted[LARGE]["search page"][0] <= SEARCH_PAGE_SQL
    assert counted[LARGE]["suggestions"][0] <= SUGGEST_SQL


def test_a_search_page_in_a_warm_process_asks_the_database_once(client, grow, engine_calls):
    grow(SMALL)
    client.get("/search/?q=workers")  # labels cached for this content generation
    engine_calls.clear()
    with CaptureQueriesContext(connection) as queries:
        html = client.get(URLS["search page"]).content.decode()
    assert "Supplier 1 repays recruitment" in html  # the cards, with their highlights
    assert "<mark>fees</mark>" in html
    assert len(engine_calls) == 1
    assert len(queries) <= SEARCH_PAGE_SQL_WARM + 1  # + the generation, when its mirror aged


def test_facet_counts_and_labels_are_the_visible_stories_after_a_publish(client, grow):
    """One query for every taxonomy's labels still names each term as its own taxonomy
    does, in its own order, with the counts of the stories found."""
    grow(SMALL)
    html = client.get("/search/?q=fees&industry=apparel").content.decode()
    assert 'data-facet="industry"' in html and 'data-facet="intervention"' in html
    # Supplier 1 (apparel) and its bright spot; seafood counted beside it, unselected.
    assert 'name="industry" value="apparel" checked>' in html
    assert 'Apparel <span class="facet__count" data-count>(2)</span>' in html
    assert 'Seafood <span class="facet__count" data-count>(4)</span>' in html
    assert html.index(">Fee repayment <") < html.index(">Grievance channel <")


def test_only_a_search_that_finds_little_asks_again_tolerating_typos(client, grow, engine_calls):
    """The typo-tolerant search is asked for only when the exact one finds fewer than two
    stories, in one second request with "did you mean", and a third checks that the
    correction finds a story; the reader still gets the near spellings' stories, marked,
    and the correction."""
    grow(SMALL)
    client.get("/search/?q=workers")  # a warm process
    engine_calls.clear()
    html = client.get("/search/", {"q": "recruitment fees"}).content.decode()
    assert engine_calls == ["/_msearch"]
    assert "Supplier 1 repays recruitment fees" in html
    assert "Did you mean" not in html

    engine_calls.clear()
    html = client.get("/search/", {"q": "recruitmnet fees"}).content.decode()
    assert engine_calls == ["/_msearch", "/_msearch", "/_msearch"]
    assert "Supplier 1 repays recruitment fees" in html
    assert "<mark>fees</mark> repaid to every worker" in html
    assert "Did you mean <a" in html and ">recruitment fees</a>?" in html

    # A word nobody wrote: no near spelling, no correction, nothing shown, two requests.
    engine_calls.clear()
    html = client.get("/search/", {"q": "zzyzx"}).content.decode()
    assert engine_calls == ["/_msearch", "/_msearch"]
    assert "Supplier 1" not in html

    # Quotes ask for exactly what was typed: no typo-tolerant search, only "did you mean",
    # and without a correction nothing to check.
    engine_calls.clear()
    html = client.get("/search/", {"q": '"zzyzx"'}).content.decode()
    assert engine_calls == ["/_msearch", "/_msearch"]
    assert "Supplier 1" not in html and "Did you mean" not in html
