"""Typing into search, in a real browser: the address, history, suggestions and paging."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.chromium import launch
from tests.browser.test_search_browser import build_catalogue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Records whether "no results" was ever on screen, however briefly.
WATCH_FOR_NO_RESULTS = """() => {
  window.sawNoResults = false;
  const check = () => {
    const text = document.getElementById("result-count").textContent
      + document.getElementById("search-live").textContent;
    if (/No results|No stories match/.test(text)) window.sawNoResults = true;
  };
  new MutationObserver(check).observe(document.querySelector("main") || document.body,
    {childList: true, subtree: true, characterData: true});
}"""


@pytest.fixture
def browser_page(live_server):
    build_catalogue()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1200, "height": 600})
        page.base_url = live_server.url
        yield page
        browser.close()


def history_length(page) -> int:
    return page.evaluate("history.length")


def test_typing_rewrites_the_address_and_a_submit_adds_one_entry(browser_page):
    page = browser_page
    page.goto(page.base_url + "/search/")
    count = page.locator("#result-count")
    expect(count).to_have_text("4 results")
    before = history_length(page)
    page.evaluate(WATCH_FOR_NO_RESULTS)

    # Slower than the typing delay: "f" and "fe" are searched (and find nothing) on the way.
    page.locator("#search-q").press_sequentially("fees", delay=450)
    page.wait_for_url(re.compile(r"/search/\?q=fees$"))
    expect(count).to_have_text("3 results for “fees”")
    assert history_length(page) == before
    assert page.evaluate("window.sawNoResults") is False

    page.locator("#search-q").press("Enter")
    expect(count).to_have_text("3 results for “fees”")
    page.wait_for_function(f"history.length === {before + 1}")
    assert page.url.endswith("/search/?q=fees")

    page.go_back()  # one step back is where typing started
    page.wait_for_url(re.compile(r"/search/$"))
    expect(count).to_have_text("4 results")
    expect(page.locator("#search-q")).to_have_value("")


def test_a_word_without_results_still_says_so_once_typing_stops(browser_page):
    page = browser_page
    page.goto(page.base_url + "/search/")
    page.locator("#search-q").press_sequentially("zebra", delay=50)
    expect(page.locator("#result-count")).to_have_text("No results for “zebra”")
    page.wait_for_url(re.compile(r"q=zebra$"))


def test_a_story_suggestion_opens_the_story_by_keyboard(browser_page):
    page = browser_page
    page.goto(page.base_url + "/search/")
    page.locator("#search-q").press_sequentially("Cann", delay=50)
    suggestion = page.locator("#search-q-suggestions").get_by_role(
        "link", name=re.compile("Cannery repays fees")
    )
    expect(suggestion).to_be_visible()
    expect(suggestion).to_have_attribute("href", "/case-studies/cannery-repays-fees/")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#search-q-suggestions a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#search-q")).to_be_focused()
    expect(suggestion).to_be_hidden()

    page.locator("#search-q").press_sequentially("e", delay=50)  # "Canne"
    expect(suggestion).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(suggestion).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/case-studies/cannery-repays-fees/$"))
    expect(page.locator("h1")).to_have_text("Cannery repays fees")


def test_a_term_suggestion_applies_the_filter(browser_page):
    page = browser_page
    page.goto(page.base_url + "/search/")
    page.locator("#search-q").press_sequentially("Seaf", delay=50)
    suggestion = page.locator("#search-q-suggestions").get_by_role("link", name="Seafood Industry")
    expect(suggestion).to_be_visible()
    suggestion.click()
    page.wait_for_url(re.compile(r"/search/\?industry=seafood$"))
    expect(page.locator("#result-count")).to_have_text("2 results")
    industry = page.locator("fieldset[data-facet=industry]")
    expect(industry.get_by_label(re.compile("Seafood"))).to_be_checked()


def test_the_home_page_search_box_suggests_too(browser_page):
    page = browser_page
    page.goto(page.base_url + "/")
    page.get_by_label("Search peer practices").press_sequentially("Spinn", delay=50)
    suggestion = page.locator("#home-q-suggestions").get_by_role(
        "link", name=re.compile("Spinning mill repays fees")
    )
    expect(suggestion).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/case-studies/spinning-mill-repays-fees/$"))

    page.goto(page.base_url + "/")
    page.get_by_label("Search peer practices").press_sequentially("Griev", delay=50)
    page.locator("#home-q-suggestions").get_by_role(
        "link", name="Grievance channel Intervention type"
    ).click()
    page.wait_for_url(re.compile(r"/search/\?intervention=grievance$"))
    expect(page.locator("#result-count")).to_have_text("2 results")


def test_next_and_previous_take_focus_and_view_to_the_results(browser_page, settings):
    settings.SEARCH_PAGE_SIZE = 1
    page = browser_page
    page.goto(page.base_url + "/search/?q=fees")
    expect(page.locator("#result-count")).to_have_text("3 results, page 1 of 3 for “fees”")
    heading = page.locator("#results-heading")
    results = page.locator(".search__results")

    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"q=fees&page=2$"))
    expect(page.locator("#result-count")).to_have_text("3 results, page 2 of 3 for “fees”")
    expect(heading).to_be_focused()
    expect(results).to_be_in_viewport()
    assert abs(results.evaluate("el => el.getBoundingClientRect().top")) < 5

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.get_by_role("link", name="Previous").click()
    page.wait_for_url(re.compile(r"/search/\?q=fees$"))
    expect(heading).to_be_focused()
    assert abs(results.evaluate("el => el.getBoundingClientRect().top")) < 5
