"""A visitor searches, narrows by two facets, goes back, and opens a result, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.chromium import launch
from tests.factories import publish
from tests.search.helpers import empty_index, industries_and_practices, story


def build_catalogue() -> None:
    """Published for real: with a live server each commit runs the index update."""
    empty_index()
    apparel, seafood, repay, grievance = industries_and_practices()
    for title, industry, intervention in [
        ("Spinning mill repays fees", apparel, repay),
        ("Cannery repays fees", seafood, repay),
        ("Trawler fees hotline", seafood, grievance),
        ("Factory hotline", apparel, grievance),
    ]:
        publish(
            story(title, summary=f"{title}.", industry=industry, intervention_types=[intervention])
        )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_facets_history_and_opening_a_result(live_server):
    build_catalogue()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(live_server.url + "/search/")
        count = page.locator("#result-count")
        expect(count).to_have_text("4 results")
        # JavaScript hides the no-JS "Apply filters" button.
        expect(page.get_by_role("button", name="Apply filters")).to_be_hidden()

        page.get_by_label("Search case studies and bright spots").fill("fees")
        page.wait_for_url(re.compile(r"/search/\?q=fees$"))
        expect(count).to_have_text("3 results for “fees”")
        intervention = page.locator("fieldset[data-facet=intervention]")
        expect(intervention.locator("label", has_text="Fee repayment")).to_contain_text("(2)")

        page.locator("fieldset[data-facet=industry]").get_by_label(re.compile("Seafood")).check()
        page.wait_for_url(re.compile(r"q=fees&industry=seafood$"))
        expect(count).to_have_text("2 results for “fees”")
        expect(intervention.locator("label", has_text="Fee repayment")).to_contain_text("(1)")
        expect(intervention.locator("label", has_text="Grievance channel")).to_contain_text("(1)")

        intervention.get_by_label(re.compile("Grievance channel")).check()
        page.wait_for_url(re.compile(r"industry=seafood&intervention=grievance$"))
        expect(count).to_have_text("1 result for “fees”")
        expect(page.locator(".search__cards .card")).to_have_count(1)
        expect(
            page.get_by_role("link", name="Remove filter Intervention type: Grievance channel")
        ).to_be_visible()

        page.go_back()
        page.wait_for_url(re.compile(r"q=fees&industry=seafood$"))
        expect(count).to_have_text("2 results for “fees”")
        expect(intervention.get_by_label(re.compile("Grievance channel"))).not_to_be_checked()
        expect(page.locator(".search__cards .card")).to_have_count(2)

        page.get_by_role("link", name="Cannery repays fees").click()
        page.wait_for_url(re.compile(r"/case-studies/cannery-repays-fees/$"))
        expect(page.locator("h1")).to_have_text("Cannery repays fees")
        browser.close()
