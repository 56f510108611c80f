"""A visitor's browser draws the case study chart and the dashboard (screenshots kept)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.chromium import launch
from tests.impact.world import build_world


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_case_study_chart_and_dashboard_render_in_a_browser(live_server, tmp_path):
    world = build_world()
    case_study_url = live_server.url + world.pages["apparel1"].url

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        page.goto(case_study_url)
        chart = page.locator('svg[data-chart="results"]')
        chart.scroll_into_view_if_needed()
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50
        assert page.locator('svg[data-chart="results"] rect').count() == 4
        assert chart.get_attribute("role") == "img"
        chart.screenshot(path=tmp_path / "case-study-chart.png")

        page.goto(live_server.url + "/impact/")
        totals = page.locator(".headline-totals")
        assert "1,515.50 workers" in totals.inner_text()
        bars = page.locator(f"#chart-{world.workers.slug}-industry")
        bars.scroll_into_view_if_needed()
        box = bars.bounding_box()
        assert bars.is_visible() and box and box["width"] > 100 and box["height"] > 20
        page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

        page.get_by_label("Verified results only").check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/impact/?verified=1")
        assert "505.50 workers" in page.locator(".headline-totals").inner_text()
        browser.close()

    for name in ["case-study-chart.png", "dashboard.png"]:
        assert (tmp_path / name).stat().st_size > 1000
