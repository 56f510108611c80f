"""The dashboard, metric pages, case study charts and open data, as a visitor reads them."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group, User

from casestudies.models import MEMBER_GROUP_PREFIX
from impact.charts import format_figure
from tests.reading import response_bytes

pytestmark = pytest.mark.django_db


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    return unescape(match.group(1)).strip() if match else ""


def section(html: str, metric_slug: str) -> str:
    match = re.search(
        rf'<section class="metric-figures"[^>]*data-metric="{metric_slug}">(.*?)</section>\s*'
        r"(?=<section class=\"metric-figures\"|</div>|<section aria)",
        html,
        re.S,
    )
    assert match, f"no section for {metric_slug}"
    return match.group(1)


def test_dashboard_shows_headline_totals_and_says_what_it_includes(client, world):
    html = client.get("/impact/").content.decode()

    workers = section(html, world.workers.slug)
    assert figure(workers, "case-studies") == "5"
    assert figure(workers, "total-change") == "1,515.50 workers"
    assert figure(workers, "median-change") == "200.50 workers"
    assert "1,515.50 workers" in re.search(r'class="headline-totals">(.*?)</ul>', html, re.S)[1]
    assert "self-reported, second-party verified and independently audited results" in html, (
        "the page states that verification levels are mixed"
    )
    assert "99,999" not in html and "88,888" not in html
    assert "Case study members" not in html and "Case study draft" not in html


def test_dashboard_facet_form_reuses_the_search_facets(client, world):
    html = client.get("/impact/?industry=apparel").content.decode()
    for param in ["industry", "intervention", "stage", "region", "type", "year", "verification"]:
        assert f'name="{param}"' in html, param
    assert re.search(r'name="industry" value="apparel" checked', html)
    assert not re.search(r'name="industry" value="seafood" checked', html)
    assert figure(section(html, world.workers.slug), "total-change") == "1,305 workers"


def test_dashboard_filters_and_verified_only(client, world):
    verified = client.get("/impact/?verified=1").content.decode()
    assert figure(section(verified, world.workers.slug), "total-change") == "505.50 workers"
    assert "second-party verified and independently audited results</strong>" in verified

    audited = client.get("/impact/?verification=independently-audited").content.decode()
    assert "independently audited results only" in audited
    assert figure(section(audited, world.workers.slug), "suppressed").startswith("Not shown")


def test_members_see_members_only_figures_on_the_dashboard(client, world):
    client.force_login(_member())
    html = client.get("/impact/").content.decode()
    assert figure(section(html, world.workers.slug), "total-change") == "101,514.50 workers"
    assert "public and members-only" in html


def test_a_metric_with_fewer_than_three_case_studies_lists_results_without_a_total(client, world):
    html = client.get(f"/metrics/{world.fees.slug}/").content.decode()
    assert figure(html, "case-studies") == "2"
    assert figure(html, "suppressed").startswith("Not shown: fewer than 3 case studies")
    assert 'data-figure="total-change"' not in html
    assert "12,345.67 USD" in html and "800 USD" in html  # the list is still there
    assert "ILO indicator: debt bondage" in html
    assert 'id="chart-' not in html  # no bars either


def test_metric_page_shows_definition_figures_and_reporting_case_studies(client, world):
    html = client.get(f"/metrics/{world.workers.slug}/").content.decode()
    assert figure(html, "total-change") == "1,515.50 workers"
    assert "Higher is better" in html
    for key in ["apparel1", "apparel2", "seafood1", "seafood2", "apparel3"]:
        assert f"Case study {key}" in html
    assert "Case study members" not in html and "Case study draft" not in html
    for dimension in ["industry", "intervention", "year"]:
        assert f'id="chart-{world.workers.slug}-{dimension}"' in html
    assert html.count("✓ Independently audited") == 2  # badge on each audited result


def test_group_bars_show_the_same_numbers_as_their_table(client, world):
    html = client.get(f"/metrics/{world.workers.slug}/").content.decode()
    svg = re.search(rf'<svg[^>]*id="chart-{world.workers.slug}-industry".*?</svg>', html, re.S)[0]
    bars = dict(
        re.findall(
            r'text-anchor="end"[^>]*>([^<]+)</text>.*?data-kind="\w+"[^>]*>([^<]+)<', svg, re.S
        )
    )
    assert bars == {"Apparel": "1,305 workers", "Seafood": "fewer than 3 case studies"}
    assert svg.count("<rect") == 1  # no bar for the suppressed group
    table = re.search(r"</svg>\s*<table.*?</table>", html[html.index(svg) :], re.S)[0]
    assert re.search(r"Apparel</th><td>3</td>\s*<td>1,305 workers</td><td>300 workers</td>", table)
    assert 'Seafood</th><td>2</td>\n    <td colspan="2">not shown' in table
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg


def results_table(html: str) -> list[tuple[str, str, str]]:
    body = re.search(r'<table class="results">.*?<tbody>(.*?)</tbody>', html, re.S)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        metric = unescape(re.search(r"<a [^>]*>([^<]+)</a>", row)[1])
        cells = [unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows.append((metric, cells[0], cells[1]))
    return rows


def results_chart(html: str) -> tuple[str, list[tuple[str, str, str]]]:
    svg = re.search(r'<svg[^>]*data-chart="results".*?</svg>', html, re.S)[0]
    rows = []
    for group in re.findall(r'<g class="impact-chart__metric">(.*?)</g>', svg, re.S):
        label = unescape(re.search(r'font-weight="600"[^>]*>([^<(]+)\(', group)[1]).strip()
        values = dict(re.findall(r'data-kind="(\w+)"[^>]*>([^<]+)<', group))
        rows.append((label, unescape(values["baseline"]), unescape(values["result"])))
    return svg, rows


def test_case_study_chart_shows_the_same_numbers_as_the_table(client, world):
    page = world.pages["apparel1"]
    html = client.get(page.url).content.decode()
    svg, chart_rows = results_chart(html)

    assert chart_rows == results_table(html)
    assert chart_rows == [
        ("Recruitment fees repaid", "0 USD", "12,345.67 USD"),
        ("Workers reached", "100 workers", "400 workers"),
    ] or chart_rows == [
        ("Workers reached", "100 workers", "400 workers"),
        ("Recruitment fees repaid", "0 USD", "12,345.67 USD"),
    ]
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="results-chart-title', svg)
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)[1]
    assert "Workers reached: baseline 100 workers, result 400 workers" in unescape(desc)
    assert "independently audited" in svg  # the badge, in the chart and in the table
    assert re.search(r'<table class="results">.*badge--audited.*</table>', html, re.S)


def test_chart_bars_are_proportional_to_the_values(client, world):
    html = client.get(world.pages["apparel1"].url).content.decode()
    svg, _ = results_chart(html)
    for group in re.findall(r'<g class="impact-chart__metric">(.*?)</g>', svg, re.S):
        widths = [float(w) for w in re.findall(r'<rect[^>]*width="([\d.]+)"', group)]
        if "Workers reached" in group:
            assert widths[1] / widths[0] == pytest.approx(4, rel=0.02)  # 400 against 100


def open_data(client) -> list[dict[str, str]]:
    response = client.get("/data/metric-results.csv")
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response_bytes(response).decode())))


def test_csv_and_json_hold_the_same_public_rows(client, world):
    rows = open_data(client)
    data = json.loads(response_bytes(client.get("/data/metric-results.json")))
    assert data["results"] == rows
    assert data["count"] == len(rows) == 7  # 5 workers results + 2 fees results
    assert {r["case_study_title"] for r in rows} == {
        f"Case study {k}" for k in ["apparel1", "apparel2", "seafood1", "seafood2", "apparel3"]
    }
    row = next(
        r
        for r in rows
        if r["case_study_title"] == "Case study seafood1" and r["metric_slug"] == world.workers.slug
    )
    assert row | {"result_id": "", "metric_id": "", "page_url": ""} == {
        "result_id": "",
        "metric_id": "",
        "metric_slug": "workers-reached",
        "metric_name": "Workers reached",
        "unit": "workers",
        "higher_is_better": "true",
        "precision": "exact",
        "baseline": "50.00",
        "result": "250.50",
        "change": "200.50",
        "period_start": "2022-01",
        "period_end": "2022-12",
        "verification": "second-party",
        "industry": "seafood",
        "intervention_types": "grievance-channel",
        "region": "south-asia",
        "risks_addressed": "",
        "case_study_title": "Case study seafood1",
        "page_url": "",
    }
    assert row["metric_id"] == str(world.workers.pk)
    assert row["page_url"].endswith("/case-studies/seafood1/")


def test_open_data_never_includes_members_only_results_even_for_members(client, world):
    client.force_login(_member())
    titles = {r["case_study_title"] for r in open_data(client)}
    assert "Case study members" not in titles and "Case study draft" not in titles


def test_downloads_and_pages_agree_to_the_last_digit(client, world):
    rows = open_data(client)
    for row in rows:
        page_html = client.get(urlparse(row["page_url"]).path).content.decode()
        table = results_table(page_html)
        unit = row["unit"]
        expected = (
            row["metric_name"],
            f"{format_figure(Decimal(row['baseline']))} {unit}",
            f"{format_figure(Decimal(row['result']))} {unit}",
        )
        assert expected in table, row
        assert (
            Decimal(row["result"]).normalize()
            == Decimal(expected[2].removesuffix(f" {unit}").replace(",", "")).normalize()
        )

    workers = [r for r in rows if r["metric_slug"] == world.workers.slug]
    total = sum((Decimal(r["change"]) for r in workers), Decimal(0))
    metric_html = client.get(f"/metrics/{world.workers.slug}/").content.decode()
    assert figure(metric_html, "total-change") == f"{format_figure(total)} workers"
    assert figure(metric_html, "case-studies") == str(len({r["page_url"] for r in workers}))


def test_data_dictionary_explains_every_column(client, world):
    html = client.get("/data/").content.decode()
    header = response_bytes(client.get("/data/metric-results.csv")).decode().splitlines()[0]
    for column in header.split(","):
        assert f"<code>{column}</code>" in html


@pytest.mark.parametrize(
    "url",
    [
        "/impact/?year=abc&industry=%3Cscript%3E&verified=maybe",
        "/impact/?" + "&".join(f"industry=x{n}" for n in range(200)),
        "/metrics/workers-reached/?year=99999999999999999999&page=-1",
        "/impact/?type=bright-spot",
    ],
)
def test_bad_or_empty_filters_never_fail(client, world, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_unknown_metric_is_a_404(client, db):
    assert client.get("/metrics/no-such-metric/").status_code == 404


def _member() -> User:
    """A person of a member company (staff who are not in one are not members)."""
    user = User.objects.create_user("member")
    user.groups.add(Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}Test member"))
    return user
