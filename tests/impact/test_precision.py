"""Published precision: no public figure, alone or subtracted from another, gives a story's
exact number or its exact months away."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from html import unescape

import pytest

from casestudies.figures import Band, band, publish_number, round_significant
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    RegionFactory,
    publish,
)
from tests.reading import response_bytes

pytestmark = pytest.mark.django_db

# The figure of the only Middle East case study, as the company's own report would print it.
EXACT = Decimal("412345")


def test_rounding_and_bands():
    assert round_significant(Decimal("412345")) == Decimal("410000")
    assert round_significant(Decimal("6166000")) == Decimal("6200000")
    assert round_significant(Decimal("3.456")) == Decimal("3.5")
    assert round_significant(Decimal("-1250")) == Decimal("-1300")
    assert band(Decimal("412345")) == Band(Decimal("200000"), Decimal("500000"))
    assert band(Decimal("1200")) == Band(Decimal("1000"), Decimal("2000"))
    assert band(Decimal("-70")) == Band(Decimal("-100"), Decimal("-50"))
    assert publish_number(EXACT, "exact") == EXACT
    assert publish_number(None, "rounded") is None


@pytest.fixture
def regions_world():
    """Three South Asia case studies and one Middle East one, all reporting fees repaid."""
    fees = MetricDefinitionFactory(name="Recruitment fees repaid", unit="USD")
    asia = RegionFactory(name="South Asia")
    gulf = RegionFactory(name="Middle East")
    pages = {}
    for key, region, result in [
        ("asia1", asia, Decimal("1234567")),
        ("asia2", asia, Decimal("2345678")),
        ("asia3", asia, Decimal("2173410")),
        ("gulf", gulf, EXACT),
    ]:
        page = CaseStudyPageFactory(title=f"Fees repaid {key}", slug=key, region=region)
        MetricResultFactory(
            page=page,
            metric=fees,
            baseline=Decimal(0),
            result=result,
            period_start=datetime.date(2022, 3, 1),
            period_end=datetime.date(2023, 6, 30),
        )
        pages[key] = publish(page)
    return fees, asia, gulf, pages


def total(client, metric, query: str = "") -> Decimal:
    html = client.get(f"/metrics/{metric.slug}/{query}").content.decode()
    match = re.search(r'data-figure="total-change">([^<]*)<', html)
    assert match, "the metric page shows no total"
    return Decimal(unescape(match.group(1)).split()[0].replace(",", ""))


def test_subtracting_totals_gives_only_the_published_figure(client, regions_world):
    fees, asia, gulf, pages = regions_world
    everywhere = total(client, fees)
    all_but_gulf = total(client, fees, f"?region={asia.slug}")

    assert everywhere - all_but_gulf == Decimal("410000")  # what the story's own page shows
    assert everywhere == Decimal("1200000") + Decimal("2300000") + Decimal("2200000") + 410000


def exact_traces(text: str) -> list[str]:
    found = [
        s for s in ("412,345", "412345", "412 345", "Mar 2022", "2022-03", "Jun 2023") if s in text
    ]
    return found


def test_no_public_surface_shows_the_exact_figure_or_months(client, regions_world):
    fees, _, gulf, pages = regions_world
    story = pages["gulf"]
    story_html = client.get(story.url).content.decode()
    assert "410,000 USD" in story_html
    assert "2022–2023" in story_html

    surfaces = {
        "case study page": story_html,
        "metric page": client.get(f"/metrics/{fees.slug}/").content.decode(),
        "metric page, one region": client.get(
            f"/metrics/{fees.slug}/?region={gulf.slug}"
        ).content.decode(),
        "dashboard": client.get("/impact/").content.decode(),
        "open data CSV": response_bytes(client.get("/data/metric-results.csv")).decode(),
        "open data JSON": response_bytes(client.get("/data/metric-results.json")).decode(),
        "API detail": client.get(f"/api/stories/{story.pk}/").content.decode(),
        "embed card": client.get(f"/embed/{story.pk}/").content.decode(),
        "RSS feed": client.get("/feeds/rss/").content.decode(),
    }
    assert {name: exact_traces(text) for name, text in surfaces.items()} == {
        name: [] for name in surfaces
    }


def test_open_data_and_api_say_how_precise_each_figure_is(client, regions_world):
    fees, _, _, pages = regions_world
    result = pages["gulf"].results.get()
    result.precision = "banded"
    result.save()

    rows = list(
        csv.DictReader(io.StringIO(response_bytes(client.get("/data/metric-results.csv")).decode()))
    )
    gulf = next(r for r in rows if r["case_study_title"] == "Fees repaid gulf")
    assert (gulf["precision"], gulf["result"], gulf["change"]) == ("banded", "200000..500000", "")
    assert (gulf["period_start"], gulf["period_end"]) == ("2022", "2023")

    detail = client.get(f"/api/stories/{pages['gulf'].pk}/").json()
    (shown,) = detail["results"]
    assert shown["precision"] == "banded"
    assert shown["result"] is None
    assert shown["result_range"] == [200000, 500000]

    # A range is counted but never added, so the total of the other three stays exact to
    # their published figures and the dashboard says how many results it covers.
    assert total(client, fees) == Decimal("5700000")
    html = client.get("/data/").content.decode()
    assert "banded" in html and "LOW..HIGH" in html


def test_editor_can_publish_a_figure_exactly(client, regions_world):
    _, _, _, pages = regions_world
    result = pages["asia1"].results.get()
    result.precision = "exact"
    result.period_detail = "months"
    result.save()

    html = client.get(pages["asia1"].url).content.decode()
    assert "1,234,567 USD" in html
    assert "Mar 2022 – Jun 2023" in html


def test_a_bright_spot_headline_is_published_at_its_precision(client):
    spot = publish(
        BrightSpotPageFactory(
            title="Fees repaid in the Gulf",
            metric_value=EXACT,
            metric__name="Recruitment fees repaid",
            metric__unit="USD",
        )
    )
    surfaces = {
        "page": client.get(spot.url).content.decode(),
        "listing": client.get("/bright-spots/").content.decode(),
        "embed card": client.get(f"/embed/{spot.pk}/").content.decode(),
        "RSS feed": client.get("/feeds/rss/").content.decode(),
        "API": client.get(f"/api/stories/{spot.pk}/").content.decode(),
    }
    assert {name: exact_traces(text) for name, text in surfaces.items()} == {
        name: [] for name in surfaces
    }
    assert "410,000 USD" in surfaces["page"] and "410,000 USD" in surfaces["embed card"]
    assert client.get(f"/api/stories/{spot.pk}/").json()["headline_metric"]["value"] == 410000

    spot.metric_precision = "banded"
    publish(spot)
    assert "200,000–500,000 USD" in client.get(spot.url).content.decode()
    headline = client.get(f"/api/stories/{spot.pk}/").json()["headline_metric"]
    assert (headline["value"], headline["value_range"]) == (None, [200000, 500000])
