"""Share metadata and the republish panel on story pages."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.conf import settings

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db


def meta(html: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


def test_open_graph_twitter_and_json_ld(client, case_study):
    html = client.get(case_study.url).content.decode()
    canonical = settings.SITE_URL + case_study.url
    assert meta(html, "og:title") == case_study.title
    assert meta(html, "og:url") == canonical
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:image").startswith(settings.SITE_URL + "/media/")
    assert meta(html, "og:description").startswith("A global apparel brand")
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:title") == case_study.title
    ld = json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert ld["@type"] == "Article" and ld["headline"] == case_study.title
    assert ld["url"] == canonical and ld["isAccessibleForFree"] is True
    assert ld["publisher"]["name"] == "Here's How"
    assert "datePublished" in ld
    assert_no_secrets(html)


def test_json_ld_cannot_break_out_of_its_script(client, apparel):
    from tests.factories import CaseStudyPageFactory, publish

    page = publish(
        CaseStudyPageFactory(title="Fees </script><script>alert(1)</script>", industry=apparel)
    )
    html = client.get(page.url).content.decode()
    json_ld = r'<script type="application/ld\+json"[^>]*>(.*?)</script>'
    block = re.search(json_ld, html, re.S).group(1)
    assert json.loads(block)["headline"] == page.title


def test_republish_panel_has_full_html_licence_attribution_and_counter(client, case_study):
    html = client.get(case_study.url).content.decode()
    assert "Republish this story" in html
    assert (
        f'href="{settings.REPUBLISH_LICENCE_URL}" rel="license">{settings.REPUBLISH_LICENCE}</a>'
        in html
    )
    canonical = settings.SITE_URL + case_study.url
    assert f"first published by Here&#x27;s How at {canonical}" in html
    raw = re.search(r'<textarea id="republish-html"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "<" not in raw  # shown as text to copy, not rendered into our page
    code = unescape(raw)
    assert f"<h1>{case_study.title}</h1>" in code
    assert "The team mapped every agency." in code and "Workers repaid" in code
    assert f'<a href="{canonical}">Here&#x27;s How</a>' in code
    assert f'src="{settings.SITE_URL}/embed/{case_study.pk}/counter.gif"' in code
    assert 'href="/' not in code and 'src="/' not in code  # works on another site
    raw_embed = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "<" not in raw_embed
    embed = unescape(raw_embed)
    assert f'src="{settings.SITE_URL}/embed/{case_study.pk}/"' in embed
    assert_no_secrets(code)


def test_bright_spot_panel(client, bright_spot):
    html = client.get(bright_spot.url).content.decode()
    code = unescape(
        re.search(r'<textarea id="republish-html"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    )
    assert "250,000 USD" in code and "A seafood processor" in code


def test_members_only_stories_offer_no_embed_or_republishing(
    client, admin_user, members_only_story
):
    client.force_login(admin_user)
    html = client.get(members_only_story.url).content.decode()
    assert members_only_story.title in html
    assert "Republish this story" not in html and "Embed this story" not in html
    assert "application/json+oembed" not in html
    ld = json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert ld["isAccessibleForFree"] is False


def test_a_draft_preview_neither_uses_nor_changes_the_live_republish_html(
    client, admin_user, case_study
):
    client.force_login(admin_user)  # never page-cached, so the panel itself is measured
    live_title = case_study.title
    assert f"&lt;h1&gt;{live_title}&lt;/h1&gt;" in client.get(case_study.url).content.decode()

    draft = case_study.get_latest_revision_as_object()
    draft.title = "A draft title nobody has approved"
    draft.save_revision(user=admin_user)
    preview = draft.make_preview_request()
    preview.render()
    assert "&lt;h1&gt;A draft title nobody has approved&lt;/h1&gt;" in preview.content.decode()

    html = client.get(case_study.url).content.decode()
    assert f"&lt;h1&gt;{live_title}&lt;/h1&gt;" in html
    assert "A draft title nobody has approved" not in html
