"""Search on a phone and by keyboard: results first, filters folded, skip link, explicit sort."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.chromium import PHONE, launch
from tests.browser.test_search_browser import build_catalogue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1200, "height": 800}


@pytest.fixture
def browser(live_server):
    build_catalogue()
    with sync_playwright() as p:
        browser = launch(p)
        browser.base_url = live_server.url
        yield browser
        browser.close()


def open_page(browser, viewport, path, javascript=True):
    page = browser.new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(browser.base_url + path)
    return page


def top_of(locator) -> float:
    """Distance from the top of the page (not the viewport) in CSS pixels."""
    return locator.evaluate("el => el.getBoundingClientRect().top + window.scrollY")


def test_on_a_phone_the_results_come_first_and_the_filters_fold_away(browser):
    page = open_page(browser, PHONE, "/search/?intervention=fee-repayment&intervention=grievance")
    expect(page.locator("#result-count")).to_have_text("4 results")
    first_result = page.locator(".search__cards .card").first
    assert top_of(first_result) < 600
    toggle = page.locator("#search-filters > summary")
    expect(toggle).to_have_text("Filters (2)")
    seafood = page.locator("fieldset[data-facet=industry]").get_by_label(re.compile("Seafood"))
    expect(seafood).to_be_hidden()

    toggle.click()
    expect(seafood).to_be_visible()
    seafood.check()
    page.wait_for_url(
        re.compile(r"industry=seafood&intervention=fee-repayment&intervention=grievance$")
    )
    expect(page.locator("#result-count")).to_have_text("2 results")
    # The filters stay open while the visitor ticks boxes, and focus stays on the box.
    expect(toggle).to_have_text("Filters (3)")
    expect(seafood).to_be_visible()
    expect(seafood).to_be_checked()
    expect(seafood).to_be_focused()

    toggle.click()
    expect(seafood).to_be_hidden()
    page.get_by_role("link", name="Clear all filters").click()
    page.wait_for_url(re.compile(r"/search/$"))
    expect(page.locator("#result-count")).to_have_text("4 results")
    expect(toggle).to_have_text("Filters")
    expect(seafood).to_be_hidden()


def test_on_a_wide_screen_the_filters_stay_beside_the_results(browser):
    page = open_page(browser, DESKTOP, "/search/?industry=seafood")
    expect(page.locator("#result-count")).to_have_text("2 results")
    expect(page.locator("#search-filters > summary")).to_be_hidden()
    apparel = page.locator("fieldset[data-facet=industry]").get_by_label(re.compile("Apparel"))
    expect(apparel).to_be_visible()
    filters_box = page.locator("#search-filters").bounding_box()
    results_box = page.locator(".search__results").bounding_box()
    assert filters_box["x"] + filters_box["width"] <= results_box["x"]
    assert abs(filters_box["y"] - results_box["y"]) < 5

    # Narrowing the window folds them away; widening opens them again.
    page.set_viewport_size(PHONE)
    expect(apparel).to_be_hidden()
    expect(page.locator("#search-filters > summary")).to_have_text("Filters (1)")
    page.set_viewport_size(DESKTOP)
    expect(apparel).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_skip_to_results_is_the_first_stop_in_the_page_content(browser, viewport):
    page = open_page(browser, viewport, "/search/?q=fees")
    expect(page.locator("#result-count")).to_have_text("3 results for “fees”")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).not_to_be_in_viewport()

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # seen when focused

    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page.locator(".search__cards .card").first).to_be_in_viewport()
    assert "#results" not in page.url  # no fragment in a link someone shares
    page.keyboard.press("Tab")  # the next stop is inside the results
    assert page.evaluate("document.activeElement.closest('.search__results') !== null"), (
        page.evaluate("document.activeElement.outerHTML")
    )


def test_arrow_keys_in_the_sort_menu_apply_nothing_until_sort_is_pressed(browser):
    page = open_page(browser, DESKTOP, "/search/?q=fees")
    count = page.locator("#result-count")
    expect(count).to_have_text("3 results for “fees”")
    titles = page.locator(".search__cards .card__title")
    relevance_order = titles.all_text_contents()
    before = page.evaluate("history.length")

    sort = page.get_by_label("Sort by")
    sort.evaluate("el => el.addEventListener('change', () => { window.sortChanged = true; })")
    sort.focus()
    page.keyboard.press("ArrowDown")
    expect(sort).to_have_value("newest")  # the arrow really moved through the menu...
    assert page.evaluate("window.sortChanged") is True  # ...and the browser said so
    page.wait_for_timeout(1500)  # longer than any fetch on a change would take
    assert page.url.endswith("/search/?q=fees")
    assert page.evaluate("history.length") == before
    assert titles.all_text_contents() == relevance_order

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sort", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=fees&sort=newest$"))
    expect(titles.first).to_have_text("Trawler fees hotline")  # published last
    expect(count).to_have_text("3 results for “fees”")
    expect(page.get_by_role("button", name="Sort", exact=True)).to_be_focused()
    assert page.evaluate("history.length") == before + 1


def test_without_javascript_a_phone_can_filter_sort_and_skip(browser):
    page = open_page(browser, PHONE, "/search/?q=fees", javascript=False)
    expect(page.locator("#result-count")).to_have_text("3 results for “fees”")
    assert top_of(page.locator(".search__cards .card").first) < 600
    seafood = page.locator("fieldset[data-facet=industry]").get_by_label(re.compile("Seafood"))
    expect(seafood).to_be_hidden()

    page.get_by_text("Filters", exact=True).click()
    seafood.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/search/\?q=fees&industry=seafood&sort=relevance$"))
    expect(page.locator("#result-count")).to_have_text("2 results for “fees”")
    expect(page.locator("#search-filters > summary")).to_have_text("Filters (1)")

    page.get_by_label("Sort by").select_option("newest")
    page.get_by_role("button", name="Sort", exact=True).click()
    page.wait_for_url(re.compile(r"/search/\?q=fees&industry=seafood&sort=newest$"))
    expect(page.locator(".search__cards .card__title").first).to_have_text("Trawler fees hotline")

    page.get_by_role("link", name="Skip to results").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_be_focused()
