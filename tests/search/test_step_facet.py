"""The steps taken as a search facet (``step=<step kind>``), as a visitor, a partner and an
editor meet it: the search page's checkboxes, counts and chips, the open API and its 422,
feeds, downloads, followed searches and the dashboard.

Only published steps count: a kind an editor adds in a draft matches nothing until the
draft is published, and a kind only a members-only story took is never named to outsiders.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from wagtail.test.utils.form_data import nested_form_data, streamfield

from anonymity.members import make_members_only
from casestudies.models import CaseStudyPage, StepKind
from tests.anonymity.admin_forms import draftail, edit_form_data
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    MetricResultFactory,
    StepKindFactory,
    step,
)
from tests.search.helpers import card_titles, facet_counts, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.pip_only]

SECRET_KIND = "Audit cocoa cooperatives"  # only a members-only story took this step
LATER_KIND = "Change purchasing terms"  # no published story takes this step


@pytest.fixture
def kinds():
    return {
        "vet": StepKindFactory(name="Vet labour brokers", slug="vet-labour-brokers"),
        "repay": StepKindFactory(name="Repay recruitment fees", slug="repay-fees"),
        "secret": StepKindFactory(name=SECRET_KIND, slug="audit-cooperatives"),
        "later": StepKindFactory(name=LATER_KIND, slug="change-purchasing-terms"),
    }


@pytest.fixture
def stories(published, committed, kinds):
    apparel, seafood = IndustryFactory(name="Apparel"), IndustryFactory(name="Seafood")

    def story(title, industry, *taken):
        steps = [step(f"Step {n}", "<p>It took a year.</p>", kind=k) for n, k in enumerate(taken)]
        page = CaseStudyPageFactory(
            title=title,
            summary="A company changed how it works.",
            challenge="<p>Workers faced hardship.</p>",
            steps=steps or [step("Plan the work", "<p>It took a year.</p>")],
            what_did_not_work="",
            lessons="",
            industry=industry,
        )
        MetricResultFactory(page=page)
        return page

    pages = {
        "vetting": story("Story vetting", apparel, kinds["vet"], kinds["repay"], kinds["vet"]),
        "repaid": story("Story repaid", seafood, kinds["repay"]),
        "plain": story("Story plain", apparel),  # its steps are of no kind
        "secret": story("Story secret", apparel, kinds["secret"]),
        "bright": BrightSpotPageFactory(title="Story bright", industry=apparel),
    }
    published(*pages.values())
    with committed():
        make_members_only(pages["secret"])
    return pages


def found(client, url: str) -> set[str]:
    """The stories a search page lists."""
    return card_titles(client.get(url).content.decode())


def step_facet(html: str) -> dict[str, int]:
    return facet_counts(html, "step", "Steps taken")


def api_titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {story["title"] for story in response.json()["results"]}


def test_search_page_filters_by_step_taken_counts_each_kind_and_names_the_chip(client, stories):
    html = client.get("/search/").content.decode()
    # A story that takes a kind twice counts once; a bright spot takes no steps.
    assert step_facet(html) == {"Repay recruitment fees": 2, "Vet labour brokers": 1}

    html = client.get("/search/?step=repay-fees").content.decode()
    assert card_titles(html) == {"Story vetting", "Story repaid"}
    assert re.search(r'name="step" value="repay-fees" checked', html)
    assert 'aria-label="Remove filter Steps taken: Repay recruitment fees"' in html

    # Values of one facet combine with OR, facets with AND; counts follow the other facets.
    html = client.get("/search/?step=vet-labour-brokers&step=repay-fees").content.decode()
    assert card_titles(html) == {"Story vetting", "Story repaid"}
    html = client.get("/search/?step=repay-fees&industry=seafood").content.decode()
    assert card_titles(html) == {"Story repaid"}
    assert step_facet(html) == {"Repay recruitment fees": 1}
    assert found(client, "/search/?step=repay-fees&type=bright-spot") == set()
    assert found(client, "/search/?step=no-such-step") == set()


def test_a_case_study_links_each_step_kind_to_the_stories_that_took_it(client, stories):
    html = client.get(stories["vetting"].url).content.decode()
    link = re.search(r'<p class="step__kind"><a href="([^"]+)">Repay recruitment fees</a>', html)
    assert link, "the step's kind links to the facet"
    assert found(client, link[1]) == {"Story vetting", "Story repaid"}


def test_step_kinds_are_suggested_as_you_type(client, stories):
    suggestions = client.get("/search/suggest/?q=repay").json()["suggestions"]
    kind = next(s for s in suggestions if s["kind"] == "step")
    assert kind["text"] == "Repay recruitment fees" and kind["url"] == "/search/?step=repay-fees"
    assert kind["kind_label"] == "Steps taken"
    assert SECRET_KIND not in client.get("/search/suggest/?q=audit").content.decode()


def test_api_filters_by_step_and_answers_422_naming_an_unknown_kind(client, stories):
    assert api_titles(client.get("/api/stories/", {"step": "repay-fees"})) == {
        "Story vetting",
        "Story repaid",
    }
    both = client.get("/api/stories/", {"step": ["vet-labour-brokers", "repay-fees"]})
    assert api_titles(both) == {"Story vetting", "Story repaid"}
    assert api_titles(client.get("/api/stories/", {"step": "repay-fees", "industry": "seafood"}))
    assert api_titles(client.get("/api/stories/?step=repay-fees&type=bright-spot")) == set()

    wrong = client.get("/api/stories/", {"step": "not-a-step"})
    assert wrong.status_code == 422
    assert "unknown step: 'not-a-step'" in wrong.content.decode()
    # A kind no public story took is as unknown to the public as a made-up one.
    for slug in ("audit-cooperatives", "change-purchasing-terms"):
        answer = client.get("/api/stories/", {"step": slug})
        assert answer.status_code == 422 and "Story secret" not in answer.content.decode()

    schema = client.get("/api/openapi.json")
    parameter = next(
        p
        for p in schema.json()["paths"]["/api/stories/"]["get"]["parameters"]
        if p["name"] == "step"
    )
    assert set(parameter["schema"]["items"]["enum"]) == {"repay-fees", "vet-labour-brokers"}
    assert SECRET_KIND not in schema.content.decode()


def test_feeds_downloads_and_followed_searches_take_the_step_facet(client, stories):
    feed = client.get("/feeds/search/rss/?step=vet-labour-brokers")
    assert feed.status_code == 200
    items = ET.fromstring(feed.content).find("channel").findall("item")
    assert [item.findtext("title") for item in items] == ["Story vetting"]
    unknown = client.get("/feeds/search/rss/?step=audit-cooperatives")
    assert unknown.status_code == 400 and "audit-cooperatives" in unknown.content.decode()

    download = client.get("/api/stories/export.csv?step=repay-fees")
    rows = csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode()))
    assert {row["title"] for row in rows} == {"Story vetting", "Story repaid"}
    assert client.get("/api/stories/export.json?step=nope").status_code == 422

    follow = client.get("/alerts/follow/?step=repay-fees")
    assert follow.status_code == 200
    assert "Steps taken: Repay recruitment fees" in follow.content.decode()
    refused = client.get("/alerts/follow/?step=audit-cooperatives")
    assert refused.status_code == 400
    assert "“audit-cooperatives” is not a value this portal knows" in refused.content.decode()
    assert SECRET_KIND not in refused.content.decode()


def test_the_dashboard_offers_the_kinds_outsiders_may_see(client, stories):
    html = client.get("/impact/?step=repay-fees").content.decode()
    assert re.search(r'name="step" value="repay-fees" checked', html)
    assert 'name="step" value="vet-labour-brokers"' in html
    assert 'value="audit-cooperatives"' not in html and SECRET_KIND not in html
    assert 'value="change-purchasing-terms"' not in html


def test_members_only_kind_is_invisible_to_outsiders_and_found_by_members(client, stories):
    for url in ("/search/", "/search/?step=audit-cooperatives", "/impact/", "/api/openapi.json"):
        assert SECRET_KIND not in client.get(url).content.decode(), url
    assert found(client, "/search/?step=audit-cooperatives") == set()

    client.force_login(make_member())
    html = client.get("/search/?step=audit-cooperatives").content.decode()
    assert card_titles(html) == {"Story secret"}
    assert step_facet(html)[SECRET_KIND] == 1
    assert 'name="step" value="audit-cooperatives"' in client.get("/impact/").content.decode()


def _step_form(heading: str, kind: StepKind) -> dict:
    """One step as the case study editor posts it, its kind picked in the snippet chooser."""
    return {
        "heading": heading,
        "kind": str(kind.pk),
        "what_was_done": draftail("It took a year."),
        "who_was_involved": "",
        "duration": "",
        "cost_band": "",
        "pitfalls": "",
    }


def _edit(admin_client, page, kinds_taken, **changes):
    data = edit_form_data(admin_client, page, **changes)
    steps = [("step", _step_form(f"Step {n}", kind)) for n, kind in enumerate(kinds_taken)]
    data.update(nested_form_data({"steps": streamfield(steps)}))
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_kind_added_in_a_draft_matches_only_once_published(
    admin_client, client, stories, kinds, committed
):
    page = stories["repaid"]
    with committed():  # "Save draft": the live story keeps its published steps
        _edit(admin_client, page, [kinds["repay"], kinds["later"]])
    draft = CaseStudyPage.objects.get(pk=page.pk)
    assert draft.live and draft.has_unpublished_changes
    assert kinds["later"] in draft.get_latest_revision_as_object().kinds_in_steps()

    assert found(client, "/search/?step=change-purchasing-terms") == set()
    assert LATER_KIND not in client.get("/search/").content.decode()
    assert client.get("/api/stories/", {"step": "change-purchasing-terms"}).status_code == 422
    assert LATER_KIND not in client.get("/impact/").content.decode()
    assert "Story repaid" in found(client, "/search/?step=repay-fees")

    with committed():  # "Publish"
        _edit(admin_client, page, [kinds["later"]], **{"action-publish": "1"})
    assert CaseStudyPage.objects.get(pk=page.pk).has_unpublished_changes is False
    html = client.get("/search/?step=change-purchasing-terms").content.decode()
    assert card_titles(html) == {"Story repaid"}
    assert step_facet(html)[LATER_KIND] == 1
    listing = client.get("/api/stories/", {"step": "change-purchasing-terms"})
    assert api_titles(listing) == {"Story repaid"}
    # The step it dropped no longer counts it, on the page and in the database alike.
    assert found(client, "/search/?step=repay-fees") == {"Story vetting"}
    assert api_titles(client.get("/api/stories/", {"step": "repay-fees"})) == {"Story vetting"}


def test_a_kind_a_public_story_dropped_leaves_the_facet_at_once(
    admin_client, client, stories, kinds, committed
):
    with committed():
        _edit(admin_client, stories["vetting"], [kinds["repay"]], **{"action-publish": "1"})
    html = client.get("/search/").content.decode()
    assert step_facet(html) == {"Repay recruitment fees": 2}
    assert client.get("/api/stories/", {"step": "vet-labour-brokers"}).status_code == 422
    assert 'value="vet-labour-brokers"' not in client.get("/impact/").content.decode()


def test_dropping_a_kind_whose_name_became_confidential_lets_the_story_publish(
    admin_client, client, stories, kinds, committed
):
    """The guard reads the revision being published whole: the kinds its own steps take,
    not those of an earlier version."""
    page = stories["vetting"]
    with committed():
        _edit(
            admin_client,
            page,
            [kinds["repay"]],
            confidential_terms="Vet labour brokers",
            **{"action-publish": "1"},
        )
    published = CaseStudyPage.objects.get(pk=page.pk)
    assert published.has_unpublished_changes is False, "the guard refused the publish"
    assert [k.slug for k in published.step_kinds.all()] == ["repay-fees"]
    assert found(client, "/search/?step=repay-fees") == {"Story vetting", "Story repaid"}
