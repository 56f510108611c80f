"""Embeds that never break: a story no longer public still gets a card partners can frame."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db

GONE = "This story is no longer available"


def assert_gone_card(response) -> str:
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    # Framed like a live card: the partner's page shows it, not a broken frame.
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    assert not response.cookies
    html = response.content.decode()
    assert GONE in html
    assert f'href="{settings.SITE_URL}/"' in html  # a way on to the portal
    assert "heres-how:height" in html  # the loader resizes it like any card
    return html


def test_unpublished_story_answers_a_frameable_no_longer_available_card(client, case_study):
    assert GONE not in client.get(f"/embed/{case_study.pk}/").content.decode()
    case_study.unpublish()
    html = assert_gone_card(client.get(f"/embed/{case_study.pk}/"))
    assert case_study.title not in html
    assert_no_secrets(html)


def test_members_only_draft_and_missing_stories_get_the_same_card(
    client, members_only_story, draft_story
):
    bodies = set()
    for page_id in [members_only_story.pk, draft_story.pk, 987654, 2]:
        html = assert_gone_card(client.get(f"/embed/{page_id}/"))
        assert members_only_story.title not in html and draft_story.title not in html
        html = re.sub(r'nonce="[^"]+"', 'nonce=""', html)  # a fresh nonce per request
        bodies.add(html.replace(f"id: {page_id}", "id: ?"))
    assert len(bodies) == 1  # nothing tells a members-only story from a missing one


def test_dark_theme_applies_to_the_gone_card_too(client, draft_story):
    html = client.get(f"/embed/{draft_story.pk}/", {"theme": "dark"}).content.decode()
    assert 'class="theme-dark"' in html


def test_cards_reach_partners_readers_within_a_minute(client, case_study):
    live = client.get(f"/embed/{case_study.pk}/")
    assert "max-age=60" in live["Cache-Control"] and "public" in live["Cache-Control"]
    case_study.unpublish()
    gone = client.get(f"/embed/{case_study.pk}/")
    assert "max-age=60" in gone["Cache-Control"]


def test_unpublishing_purges_the_story_embed_cards_from_the_cdn(
    purged, case_study, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_study.unpublish()
    assert f"/embed/{case_study.pk}/" in purged
    assert f"/embed/{case_study.pk}/?theme=dark" in purged
    assert case_study.url in purged


def test_partner_report_names_the_stories_each_partner_republished_with_dates(
    client, admin_user, case_study, bright_spot
):
    from embeds.models import PartnerActivity, record_partner_activity

    june = timezone.now().date()  # this month and the one before: inside every period
    may = june.replace(day=1) - datetime.timedelta(days=1)
    record_partner_activity("news.example", PartnerActivity.EMBED, case_study, today=may)
    record_partner_activity("news.example", PartnerActivity.EMBED, case_study, today=june)
    record_partner_activity("news.example", PartnerActivity.REPUBLISH, bright_spot, today=june)
    record_partner_activity("radio.example", PartnerActivity.REPUBLISH, case_study, today=june)
    client.force_login(admin_user)

    html = client.get("/admin/reports/partners/", {"months": 3}).content.decode()
    assert re.search(r"<title>\s*Partner report", html)
    assert re.search(r'<h1 class="w-sr-only">\s*Partner report\s*</h1>', html)
    assert "Stories per partner" in html
    sections = dict(re.findall(r"<h3 id=\"partner-\d+\">([^<]+)</h3>(.*?)</section>", html, re.S))
    assert set(sections) == {"news.example", "radio.example"}
    news = sections["news.example"]
    assert case_study.title in news and bright_spot.title in news
    row = re.search(rf"{re.escape(case_study.title)}</a></td>(.*?)</tr>", news, re.S)[1]
    assert re.findall(r"<td>([^<]*)</td>", row) == [f"{may:%B %Y}", f"{june:%B %Y}", "2", "0"]
    assert bright_spot.title not in sections["radio.example"]
