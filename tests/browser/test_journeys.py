"""Every journey smooth, in a real browser: a phone, paper, a member, a keyboard, a partner.

And axe-core (from npm, installed once into the gitignored var/ by ``axe_source``) finds no
serious or critical accessibility problem on any page type.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.chromium import DESKTOP, PARTNER_HOST, PHONE, launch, overflow, partner_site
from tests.factories import BrightSpotPageFactory, publish
from tests.impact.world import build_world
from tests.search.helpers import empty_index


def build_site():
    """Stories published for real (the live server's commits run the index updates)."""
    empty_index()
    world = build_world()
    result = world.pages["apparel1"].results.get(metric=world.fees)
    result.note = "Repaid in two instalments through the supplier's payroll."
    result.save()
    publish(world.pages["apparel1"])
    bright_spot = publish(
        BrightSpotPageFactory(title="Fees repaid to 1,200 fishers", metric=world.workers)
    )
    return world, bright_spot


def smallest_chart_text_px(page) -> float:
    """The smallest rendered text height of the results chart, in CSS pixels."""
    return page.evaluate(
        """() => {
          const svg = document.querySelector('svg[data-chart="results"]');
          const scale = svg.getScreenCTM().a;
          return Math.min(...[...svg.querySelectorAll('text')].map(
            (t) => parseFloat(getComputedStyle(t).fontSize) * scale));
        }"""
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_story_reads_on_a_phone_and_prints_as_a_checklist(live_server):
    world, _ = build_site()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport=PHONE)
        page.goto(live_server.url + world.pages["apparel1"].url)

        assert overflow(page) <= 0
        table = page.locator("table.results")
        table.scroll_into_view_if_needed()
        for cell in table.locator("th, td").all():
            if not cell.is_visible():
                continue
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5
        audited_row = table.locator("tbody tr").filter(has_text="Recruitment fees repaid")
        labels = audited_row.evaluate(
            "row => [...row.querySelectorAll('td')]"
            ".map(td => getComputedStyle(td, '::before').content)"
        )
        assert labels == ['"Baseline"', '"Result"', '"Period"', '"Verification"']  # stacked, named
        expect(audited_row).to_contain_text("Independently audited")
        expect(audited_row.locator(".results__note")).to_have_text(
            "Note: Repaid in two instalments through the supplier's payroll."
        )
        assert smallest_chart_text_px(page) >= 11.9

        page.emulate_media(media="print")
        expect(page.locator(".site-header nav")).to_be_hidden()
        expect(page.locator(".site-footer")).to_be_hidden()
        expect(page.locator(".share")).to_be_hidden()
        expect(page.locator(".impact-chart")).to_be_hidden()
        step = page.locator(".steps .step").first
        expect(step).to_be_visible()
        for part in ["Who was involved", "How long it took", "Rough cost", "Pitfalls"]:
            expect(step).to_contain_text(part)
        expect(page.locator("table.results")).to_be_visible()
        expect(page.locator(".story__source")).to_be_visible()
        checkbox = page.evaluate(
            "getComputedStyle(document.querySelector('.step h3'), '::before').content"
        )
        assert "☐" in checkbox
        assert len(page.pdf()) > 1000
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_member_finds_the_sign_in_and_how_to_join(live_server, django_user_model):
    django_user_model.objects.create_user("amira", "amira@example.org", "a-good-passphrase")
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport=PHONE)
        page.goto(live_server.url + "/case-studies/")
        sign_in = page.get_by_role("link", name="Member sign in").first
        expect(sign_in).to_be_visible()
        sign_in.click()
        page.wait_for_url("**/_util/login/**")
        expect(page.get_by_role("heading", level=1)).to_have_text("Member sign in")
        username, password = page.get_by_label("Username"), page.get_by_label("Password")
        assert username.bounding_box()["width"] == password.bounding_box()["width"]
        assert overflow(page) <= 0

        page.get_by_role("link", name="What members get and how to join").click()
        page.wait_for_url("**/membership/")
        expect(page.get_by_role("heading", name="What members get")).to_be_visible()
        expect(page.get_by_role("heading", name="How to join")).to_be_visible()

        page.get_by_role("link", name="Member sign in").first.click()
        page.get_by_label("Username").fill("amira")
        page.get_by_label("Password").fill("a-good-passphrase")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/membership/")  # back where the visitor was
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_copying_the_embed_code_with_the_keyboard_only(live_server, settings):
    settings.SITE_URL = live_server.url
    world, _ = build_site()
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport=DESKTOP)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        page = context.new_page()
        page.goto(live_server.url + world.pages["apparel1"].url)

        for _ in range(80):  # Tab through the page, as a keyboard user does, to the panel
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('.share__embed summary')"):
                break
        else:
            pytest.fail("Tab never reached the 'Embed this story' panel")
        page.keyboard.press("Enter")
        code = page.locator("#embed-code")
        expect(code).to_be_visible()
        assert code.bounding_box()["width"] >= page.locator(".share").bounding_box()["width"] - 2
        page.keyboard.press("Tab")
        expect(code).to_be_focused()
        page.keyboard.press("Tab")
        button = page.get_by_role("button", name="Copy embed code")
        expect(button).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#embed-code-status")).to_have_text("Copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == code.input_value()
        assert f"{live_server.url}/embed/{world.pages['apparel1'].pk}/" in copied
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_partners_embed_after_the_story_is_unpublished(live_server, settings):
    settings.SITE_URL = live_server.url
    world, _ = build_site()
    story = world.pages["apparel1"]
    query = urllib.parse.urlencode({"url": live_server.url + story.url, "format": "json"})
    with urllib.request.urlopen(f"{live_server.url}/oembed/?{query}") as response:
        oembed = json.load(response)
    partner = partner_site(
        {
            "/story.html": "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Partner news</title></head><body><h1>News</h1>{oembed['html']}</body></html>"
        }
    )
    partner_url = f"http://{PARTNER_HOST}:{partner.server_address[1]}/story.html"
    try:
        with sync_playwright() as p:
            browser = launch(p)
            reader = browser.new_page(viewport=DESKTOP)
            reader.goto(partner_url)
            card = reader.frame_locator("iframe[data-heres-how-embed]")
            expect(card.get_by_role("heading", level=1)).to_have_text(story.title)
            browser.close()

        story.unpublish()  # outside Playwright's event loop, as Django requires

        with sync_playwright() as p:
            browser = launch(p)
            later_reader = browser.new_page(viewport=DESKTOP)
            later_reader.goto(partner_url)
            card = later_reader.frame_locator("iframe[data-heres-how-embed]")
            expect(card.get_by_role("heading", level=1)).to_have_text(
                "This story is no longer available"
            )
            link = card.get_by_role("link", name="Visit Here's How")
            assert link.get_attribute("href") == f"{live_server.url}/"
            # The loader fits the frame to the small card: no empty 520 px box on their page.
            later_reader.wait_for_function(
                "document.querySelector('iframe[data-heres-how-embed]')"
                ".getBoundingClientRect().height < 300"
            )
            assert story.title not in card.locator("body").inner_text()
            browser.close()
    finally:
        partner.shutdown()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_axe_finds_nothing_serious_on_any_page_type(live_server, axe_source):
    world, bright_spot = build_site()
    pages = {
        "home": "/",
        "case study": world.pages["apparel1"].url,
        "bright spot": bright_spot.url,
        "case study listing": "/case-studies/",
        "bright spot listing": "/bright-spots/",
        "search": "/search/?q=fees",
        "impact dashboard": "/impact/",
        "metric page": f"/metrics/{world.workers.slug}/",
        "metric index": "/metrics/",
        "data dictionary": "/data/",
        "membership": "/membership/",
        "sign-in": "/_util/login/",
        "password reset": "/accounts/password-reset/",
        "404": "/no-such-page/",
    }
    assert_no_axe_violations(live_server.url, pages, axe_source)
