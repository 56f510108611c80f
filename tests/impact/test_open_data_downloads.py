"""The open-data downloads as a reader, a crawler and an operator meet them.

They are files written once per content generation and served from disk (impact.downloads):
the same columns, rows and bytes as before, validators and CDN headers like every cached
answer, a 304 for a reader who has them, and a change on the site reaching them at once.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from impact.downloads import files_dir
from impact.figures import OPEN_DATA_FIELDS
from perf import responses
from tests.factories import (
    CaseStudyPageFactory,
    IndustryFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    withdraw,
)
from tests.factories import publish as publish_page
from tests.reading import response_bytes

pytestmark = pytest.mark.django_db

CSV = "/data/metric-results.csv"
JSON = "/data/metric-results.json"


@pytest.fixture
def metric():
    return MetricDefinitionFactory(name="Workers reached", slug="workers-reached", unit="workers")


def story(title: str, metric, value=100):
    page = publish_page(
        CaseStudyPageFactory(title=title, industry=IndustryFactory(name="Seafood", slug="seafood"))
    )
    result = MetricResultFactory(
        page=page, metric=metric, baseline=0, result=value, precision="exact"
    )
    return publish_page(page), result


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response_bytes(response).decode())))


def titles(client) -> tuple[set[str], set[str]]:
    """The case study titles of the CSV and of the JSON."""
    in_json = json.loads(response_bytes(client.get(JSON)))["results"]
    return (
        {r["case_study_title"] for r in csv_rows(client.get(CSV))},
        {r["case_study_title"] for r in in_json},
    )


def test_csv_and_json_keep_their_columns_rows_and_format(client, metric):
    _, first = story("Case study fees", metric, 100)
    _, second = story("Case study wages — €", metric, -12.5)

    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="metric-results.csv"'
    body = response_bytes(response)
    assert body.decode().splitlines()[0] == ",".join(name for name, _ in OPEN_DATA_FIELDS)
    rows = csv_rows(client.get(CSV))
    assert {r["result_id"] for r in rows} == {str(first.pk), str(second.pk)}
    assert int(response["Content-Length"]) == len(body)

    document = client.get(JSON)
    assert document["Content-Type"] == "application/json"
    body = response_bytes(document)  # a stream: read once
    data = json.loads(body)
    assert list(data) == ["dictionary", "note", "count", "results"]
    assert data["dictionary"].endswith("/data/")
    assert data["count"] == 2 and data["results"] == rows
    # Byte for byte what one json.dumps of the document writes: compact, letters as they are.
    assert body == json.dumps(data, ensure_ascii=False).encode()


def test_with_no_results_yet_the_files_are_still_well_formed(client, db):
    assert response_bytes(client.get(CSV)).decode().count("\n") == 1  # the header alone
    data = json.loads(response_bytes(client.get(JSON)))
    assert (data["count"], data["results"]) == (0, [])


@pytest.mark.parametrize("url", [CSV, JSON])
def test_a_second_request_has_the_same_etag_and_a_conditional_one_answers_304(
    client, metric, url, django_assert_max_num_queries
):
    story("Case study fees", metric)
    first = client.get(url)
    second = client.get(url)
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert first.streaming and second.streaming  # served from the file, never held whole
    assert response_bytes(first) == response_bytes(second)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert (second["ETag"], second["Last-Modified"]) == (etag, modified)
    assert second["Cache-Control"] == responses.OPEN_DATA.cache_control

    with django_assert_max_num_queries(1):  # the content generation at most: nothing built
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert (again["ETag"], again["Cache-Control"]) == (etag, responses.OPEN_DATA.cache_control)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.parametrize("how", ["unpublish", "members-only"])
def test_a_story_withdrawn_leaves_both_files_at_once(client, metric, how):
    kept, _ = story("Case study kept", metric)
    gone, _ = story("Case study withdrawn", metric)
    before = {url: client.get(url)["ETag"] for url in (CSV, JSON)}
    assert titles(client) == ({"Case study kept", "Case study withdrawn"},) * 2

    withdraw(gone, how)

    assert titles(client) == ({"Case study kept"},) * 2
    for url, etag in before.items():
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, url  # the reader's copy is stale: not a 304
        assert response["ETag"] != etag, url


def test_publishing_a_story_or_a_change_reaches_both_files_at_once(client, metric):
    page, result = story("Case study first", metric, 100)
    client.get(CSV), client.get(JSON)

    story("Case study second", metric, 200)
    assert titles(client) == ({"Case study first", "Case study second"},) * 2

    result.result = 175
    result.save()
    publish_page(page)
    [row] = [r for r in csv_rows(client.get(CSV)) if r["result_id"] == str(result.pk)]
    assert row["result"] == "175.00"


def test_a_metric_or_taxonomy_edit_reaches_both_files_at_once(client, metric):
    page, _ = story("Case study fees", metric)
    client.get(CSV), client.get(JSON)

    metric.name = "Migrant workers reached"
    metric.save()
    page.industry.slug = "fisheries"
    page.industry.save()

    [row] = csv_rows(client.get(CSV))
    [result] = json.loads(response_bytes(client.get(JSON)))["results"]
    for shown in (row, result):
        assert (shown["metric_name"], shown["industry"]) == ("Migrant workers reached", "fisheries")


def test_a_members_only_row_never_appears_not_even_to_a_member(client, metric):
    story("Case study public", metric)
    secret, _ = story("Case study members", metric)
    withdraw(secret, "members-only")
    member = User.objects.create_user("amira", password="pw")
    member.groups.add(Group.objects.get(name="Member: Acme"))
    signed_in = Client()
    signed_in.force_login(member)

    for reader in (client, signed_in):
        assert titles(reader) == ({"Case study public"},) * 2
    response = signed_in.get(CSV)
    # A member's answer is nobody else's to keep, and is written for them alone.
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    assert "ETag" not in response and response["X-Cache"] == "BYPASS"
    # Unknown parameters are answered, but from no shared file either.
    tracked = client.get(CSV, {"utm_source": "newsletter"})
    assert tracked["X-Cache"] == "BYPASS" and "ETag" not in tracked
    assert csv_rows(tracked) == csv_rows(client.get(CSV))


def test_files_of_earlier_generations_are_deleted_once_a_newer_one_is_in_place(client, metric):
    page, _ = story("Case study fees", metric)
    client.get(CSV)
    first = set(files_dir().iterdir())

    page.title = "Case study fees repaid"
    publish_page(page)
    client.get(CSV), client.get(JSON)

    now = set(files_dir().iterdir())
    assert not first & now
    assert {p.suffix for p in now} == {".csv", ".json", ".etag", ".lock"}
    assert not any(p.name.startswith(".") for p in now)  # no half-written file left behind


def test_the_files_are_never_at_a_media_address(client, metric, settings):
    story("Case study fees", metric)
    client.get(CSV)
    [written] = [p for p in files_dir().iterdir() if p.suffix == ".csv"]
    assert written.is_relative_to(settings.MEDIA_ROOT / "private")
