"""A playbook and the comparison on a phone: readable, usable without JavaScript, accessible.

From a playbook (JavaScript off) and from search results (JavaScript on), a visitor ticks
stories and compares them; the comparison's columns scroll sideways inside their own
region while the page itself never does, and axe-core finds nothing serious.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from search.indexing import rebuild
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.chromium import PHONE, launch, overflow
from tests.playbooks.world import build_world
from tests.search.helpers import empty_index

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def build_site():
    empty_index()
    world = build_world()
    rebuild()
    return world


def test_a_playbook_on_a_phone_leads_to_a_comparison_without_javascript(live_server):
    world = build_site()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
        page.goto(live_server.url + "/playbooks/employer-pays/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Employer pays")
        assert overflow(page) <= 0
        mapping = page.locator('[data-step-kind="map-recruitment-channels"]')
        expect(mapping).to_contain_text("shortest 2 weeks, median 5 weeks, longest 3 months")
        box = mapping.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

        page.get_by_label("Compare “Case study alpha”").check()
        page.get_by_label("Compare “Case study seafood”").check()
        page.get_by_role("button", name="Compare the ticked stories").click()
        alpha, seafood = world.pages["alpha"].pk, world.pages["seafood"].pk
        page.wait_for_url(re.compile(rf"/compare/\?story={alpha}&story={seafood}$"))

        table = page.locator("table.compare")
        expect(table.locator("th[scope=col]")).to_have_count(2)
        expect(table.locator("th[scope=col]").first).to_contain_text("Case study alpha")
        assert overflow(page) <= 0  # the page never scrolls sideways...
        region = page.get_by_role("region", name="Compare side by side")
        widths = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert widths[0] > widths[1]  # ...the comparison does, inside its own region
        # The row headings stay in view while the columns scroll.
        region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        heading = table.locator("th[scope=row]", has_text="Durations")
        box = heading.bounding_box()
        assert 0 <= box["x"] < PHONE["width"] / 2
        expect(table.locator("tr", has_text="Durations")).to_contain_text("3 months")
        browser.close()


def test_search_results_are_ticked_and_compared_with_javascript(live_server):
    world = build_site()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(viewport=PHONE).new_page()
        page.goto(live_server.url + "/search/?q=fees")
        expect(page.locator(".search__cards .card").first).to_be_visible()
        first = page.locator("input[name=story][form=compare-form]").nth(0)
        second = page.locator("input[name=story][form=compare-form]").nth(1)
        first.check()
        second.check()
        # Ticking a story is not a filter: the results stay, and so do the ticks.
        page.wait_for_timeout(300)
        expect(first).to_be_checked()
        expect(second).to_be_checked()
        assert "/search/?q=fees" in page.url
        picked = [first.get_attribute("value"), second.get_attribute("value")]
        page.get_by_role("button", name="Compare the ticked stories").click()
        page.wait_for_url(re.compile(r"/compare/\?story=\d+&story=\d+$"))
        expect(page.locator("table.compare th[scope=col]")).to_have_count(2)
        shown = page.locator("table.compare th[scope=col]").evaluate_all(
            "cells => cells.map(c => c.dataset.story)"
        )
        assert shown == picked
        public = {str(story.pk) for key, story in world.pages.items() if key != "members"}
        assert set(picked) <= public
        browser.close()


def test_axe_finds_nothing_serious_on_playbook_and_compare_pages(live_server, axe_source):
    world = build_site()
    alpha, bravo, seafood = (world.pages[k].pk for k in ("alpha", "bravo", "seafood"))
    pages = {
        "playbook index": "/playbooks/",
        "playbook": "/playbooks/employer-pays/",
        "playbook with too few": "/playbooks/worker-voice/",
        "industry playbook": "/playbooks/employer-pays/apparel/",
        "compare": f"/compare/?story={alpha}&story={bravo}&story={seafood}",
        "compare, bad request": "/compare/?story=abc",
        "compare, how to": "/compare/",
    }
    assert_no_axe_violations(live_server.url, pages, axe_source)
