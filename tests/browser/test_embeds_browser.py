"""A partner site on another origin embeds a case study from its oEmbed HTML and loader."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

from embeds.models import PartnerActivity
from tests.browser.chromium import PARTNER_HOST, launch, partner_site
from tests.embeds.conftest import apparel, case_study, employer_pays  # noqa: F401 (fixtures)


def article(html: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Partner news</title></head>"
        f"<body style='margin:0'><main style='width:420px;padding:16px'><h1>News</h1>{html}"
        "<p>More news.</p></main></body></html>"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_partner_embeds_a_case_study_from_its_oembed_html(
    live_server,
    settings,
    case_study,  # noqa: F811
):
    settings.SITE_URL = live_server.url
    story_url = f"{live_server.url}{case_study.url}"
    query = urllib.parse.urlencode({"url": story_url, "format": "json", "maxheight": 150})
    with urllib.request.urlopen(f"{live_server.url}/oembed/?{query}") as response:
        oembed = json.load(response)
    assert oembed["height"] == 150

    partner = partner_site(
        {
            "/story.html": article(oembed["html"]),
            "/framing.html": article(
                f'<iframe id="normal" src="{story_url}" height="300"></iframe>'
            ),
        }
    )
    partner_origin = f"http://{PARTNER_HOST}:{partner.server_address[1]}"
    try:
        with sync_playwright() as p:
            browser = launch(p)
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{partner_origin}/story.html")

            iframe = page.locator("iframe[data-heres-how-embed]")
            card = page.frame_locator("iframe[data-heres-how-embed]")
            card.locator("h1").wait_for()
            assert card.locator("h1").inner_text() == case_study.title
            # The loader grows the iframe from the requested 150px to the card's own height.
            page.wait_for_function(
                "document.querySelector('iframe[data-heres-how-embed]').offsetHeight > 150"
            )
            card_height = (
                iframe.element_handle()
                .content_frame()
                .evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
            )
            assert card_height > 150
            assert abs(iframe.bounding_box()["height"] - card_height) <= 1
            # The card inside is not clipped: its link is visible within the frame.
            assert card.get_by_role("link", name="Read the full story").is_visible()

            with context.expect_page() as new_tab:
                card.get_by_role("link", name="Read the full story").click()
            story_tab = new_tab.value
            story_tab.wait_for_load_state()
            assert story_tab.url == story_url
            assert story_tab.locator("h1").inner_text() == case_study.title

            # A normal page refuses to be framed: the browser shows no content in the frame.
            blocked = []
            page.on("console", lambda msg: blocked.append(msg.text))
            page.goto(f"{partner_origin}/framing.html")
            page.wait_for_timeout(1000)
            frame = page.locator("#normal").element_handle().content_frame()
            assert frame is not None
            assert frame.url != story_url or "frame-ancestors" in " ".join(blocked)
            assert frame.locator("h1", has_text=case_study.title).count() == 0
            assert any("frame-ancestors" in m or "X-Frame-Options" in m for m in blocked), blocked
            browser.close()
    finally:
        partner.shutdown()

    # The card load was credited to the partner's domain from the Referer, nothing else.
    activity = PartnerActivity.objects.get(kind=PartnerActivity.EMBED)
    assert (activity.domain, activity.page_id, activity.count) == (PARTNER_HOST, case_study.pk, 1)
