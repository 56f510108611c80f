"""Risks addressed (the ILO's 11 indicators) and step kinds, as a visitor, a partner and an
analyst meet them: the search facet and its counts, the words of the search box, the open
API, the dashboard and the open data."""

from __future__ import annotations

import csv
import io
import re

import pytest

from anonymity.members import make_members_only
from tests.factories import (
    CaseStudyPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    MetricResultFactory,
    StepKindFactory,
    step,
)
from tests.reading import response_bytes
from tests.search.helpers import card_titles, facet_counts, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.pip_only]


@pytest.fixture
def stories(published, committed):
    apparel, seafood = IndustryFactory(name="Apparel"), IndustryFactory(name="Seafood")
    vetting = StepKindFactory(name="Vet labour brokers", slug="vet-labour-brokers")
    fees = InterventionTypeFactory(name="Employer pays")
    fees.knowthechain_theme = "recruitment"
    fees.save()

    def story(title, industry, risks, kind=None):
        page = CaseStudyPageFactory(
            title=title,
            summary="A company changed how it works.",
            challenge="<p>Workers faced hardship.</p>",
            steps=[step("Plan the work", "<p>It took a year.</p>", kind=kind, pitfalls="")],
            what_did_not_work="",
            lessons="",
            industry=industry,
            intervention_types=[fees],
            risks_addressed=risks,
        )
        MetricResultFactory(page=page)
        return page

    pages = {
        "bondage": story("Story bondage", apparel, ["debt-bondage"], kind=vetting),
        "both": story("Story both", seafood, ["debt-bondage", "withholding-of-wages"]),
        "wages": story("Story wages", apparel, ["withholding-of-wages", "excessive-overtime"]),
        "none": story("Story none", seafood, []),
        "secret": story("Story secret", apparel, ["isolation"]),
    }
    published(*pages.values())
    with committed():
        make_members_only(pages["secret"])
    return pages


def risk_facet(html: str) -> dict[str, int]:
    return facet_counts(html, "risk", "Risks addressed")


def test_search_page_filters_by_risk_and_counts_each_indicator(client, stories):
    html = client.get("/search/").content.decode()
    counts = risk_facet(html)
    assert counts["Debt bondage"] == 2
    assert counts["Withholding of wages"] == 2
    assert counts["Excessive overtime"] == 1
    assert "Isolation" not in counts, "a members-only story's risk is not counted for outsiders"

    html = client.get("/search/?risk=debt-bondage").content.decode()
    assert card_titles(html) == {"Story bondage", "Story both"}
    assert re.search(r'name="risk" value="debt-bondage" checked', html)

    # Values of one facet combine with OR, facets with AND; counts follow the other facets.
    html = client.get("/search/?risk=debt-bondage&risk=excessive-overtime").content.decode()
    assert card_titles(html) == {"Story bondage", "Story both", "Story wages"}
    html = client.get("/search/?risk=withholding-of-wages&industry=apparel").content.decode()
    assert card_titles(html) == {"Story wages"}
    assert risk_facet(html)["Debt bondage"] == 1  # apparel stories with debt bondage

    html = client.get("/search/?risk=no-such-risk").content.decode()
    assert card_titles(html) == set()


def test_members_find_members_only_stories_by_risk(client, stories):
    client.force_login(make_member())
    html = client.get("/search/?risk=isolation").content.decode()
    assert card_titles(html) == {"Story secret"}


def test_risk_and_step_kind_names_are_searchable_words(client, stories):
    assert card_titles(client.get("/search/?q=brokers").content.decode()) == {"Story bondage"}
    assert card_titles(client.get("/search/?q=overtime").content.decode()) == {"Story wages"}


def test_api_filters_by_risk_and_shows_risks_kinds_and_themes(client, stories):
    listing = client.get("/api/stories/", {"risk": ["debt-bondage"]}).json()
    assert {s["title"] for s in listing["results"]} == {"Story bondage", "Story both"}
    both = next(s for s in listing["results"] if s["title"] == "Story both")
    assert [r["slug"] for r in both["risks_addressed"]] == ["debt-bondage", "withholding-of-wages"]
    assert both["interventions"][0]["knowthechain_theme"] == "recruitment"

    detail = client.get(f"/api/stories/{stories['bondage'].pk}/").json()
    assert detail["risks_addressed"] == [{"slug": "debt-bondage", "name": "Debt bondage"}]
    assert detail["steps"][0]["kind"] == {
        "slug": "vet-labour-brokers",
        "name": "Vet labour brokers",
    }
    other = client.get(f"/api/stories/{stories['none'].pk}/").json()
    assert other["risks_addressed"] == [] and other["steps"][0]["kind"] is None

    # Only a members-only story addressed isolation: outsiders learn nothing of it.
    secret = client.get("/api/stories/", {"risk": "isolation"})
    assert secret.status_code in (200, 422)
    assert "Story secret" not in secret.content.decode()

    wrong = client.get("/api/stories/", {"risk": "not-an-indicator"})
    assert wrong.status_code == 422
    assert "not-an-indicator" in wrong.content.decode()
    schema = client.get("/api/openapi.json").json()
    risk = next(
        p for p in schema["paths"]["/api/stories/"]["get"]["parameters"] if p["name"] == "risk"
    )
    # The indicators public stories addressed (search.query.facet_labels: what outsiders see).
    assert set(risk["schema"]["items"]["enum"]) == {
        "debt-bondage",
        "withholding-of-wages",
        "excessive-overtime",
    }


def test_dashboard_and_open_data_know_the_risks(client, stories):
    html = client.get("/impact/?risk=debt-bondage").content.decode()
    assert re.search(r'name="risk" value="debt-bondage" checked', html)
    assert 'name="risk" value="excessive-overtime"' in html
    assert 'value="isolation"' not in html  # only a members-only story addressed it

    rows = list(
        csv.DictReader(io.StringIO(response_bytes(client.get("/data/metric-results.csv")).decode()))
    )
    by_title = {r["case_study_title"]: r["risks_addressed"] for r in rows}
    assert by_title == {
        "Story bondage": "debt-bondage",
        "Story both": "debt-bondage|withholding-of-wages",
        "Story wages": "excessive-overtime|withholding-of-wages",
        "Story none": "",
    }
    assert "<code>risks_addressed</code>" in client.get("/data/").content.decode()


def test_story_page_links_its_risks_to_the_facet_and_suggestions_offer_them(client, stories):
    html = client.get(stories["both"].url).content.decode()
    assert re.search(r'<dt>Risks addressed</dt><dd><a href="/search/\?risk=debt-bondage"', html)
    assert ">Withholding of wages</a>" in html
    assert "Risks addressed" not in client.get(stories["none"].url).content.decode()

    suggestions = client.get("/search/suggest/?q=debt").json()["suggestions"]
    risk = next(s for s in suggestions if s["kind"] == "risk")
    assert risk["text"] == "Debt bondage" and risk["url"] == "/search/?risk=debt-bondage"
    assert risk["kind_label"] == "Risks addressed"


def test_renaming_a_step_kind_reaches_the_search(client, stories, committed):
    kind = StepKindFactory(slug="vet-labour-brokers")
    with committed():
        kind.name = "Screen recruitment intermediaries"
        kind.save()

    found = card_titles(client.get("/search/?q=intermediaries").content.decode())
    assert found == {"Story bondage"}
    assert card_titles(client.get("/search/?q=brokers").content.decode()) == set()
