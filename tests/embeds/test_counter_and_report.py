"""Counting embeds and republications per partner domain and month, without tracking readers."""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User

from embeds.models import PartnerActivity, partner_domain, record_partner_activity
from embeds.reports import partner_report

pytestmark = pytest.mark.django_db


def counts(kind: str) -> dict[str, int]:
    return {a.domain: a.count for a in PartnerActivity.objects.filter(kind=kind)}


def test_counter_image_counts_republications_per_partner_domain(client, case_study):
    url = f"/embed/{case_study.pk}/counter.gif"
    for _ in range(3):
        response = client.get(url, HTTP_REFERER="https://www.news.example/2025/fees-story")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert not response.cookies
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # ?partner= counts only when the embedding page agrees (tests/portal/test_hardening.py).
    client.get(url, {"partner": "radio.example"}, HTTP_REFERER="https://radio.example/a")
    client.get(url)  # nobody to credit: not counted
    client.get(url, HTTP_REFERER="http://testserver/case-studies/garment-fees/")  # ourselves
    assert counts(PartnerActivity.REPUBLISH) == {"news.example": 3, "radio.example": 1}
    activity = PartnerActivity.objects.get(domain="news.example")
    assert activity.month == datetime.date.today().replace(day=1)
    stored = [str(v) for v in PartnerActivity.objects.values_list()]
    assert not any("127.0.0.1" in v for v in stored)  # no reader addresses


def test_counter_for_a_withdrawn_story_still_answers_but_counts_nothing(client, members_only_story):
    response = client.get(f"/embed/{members_only_story.pk}/counter.gif", {"partner": "a.example"})
    assert response.status_code == 200
    assert not PartnerActivity.objects.exists()


def _load_card_on(client, page, partner_page: str):
    """What a browser does for a card framed on ``partner_page``: fetch the card, then run
    its counting script (the frame's document.referrer is the partner page)."""
    card = client.get(f"/embed/{page.pk}/", HTTP_REFERER=partner_page)
    assert card.status_code == 200
    counter = re.search(r'new Image\(\)\.src = "([^"]+)"', card.content.decode()).group(1)
    if partner_page:  # the script sends nothing without a referrer
        client.get(
            counter + quote(partner_page, safe=""),
            HTTP_REFERER=f"http://testserver/embed/{page.pk}/",
        )
    return card


def test_embed_card_loads_count_per_partner_domain(client, case_study, bright_spot):
    cards = [
        _load_card_on(client, page, referer)
        for page, referer in [
            (case_study, "https://news.example/a"),
            (bright_spot, "https://news.example/b"),
            (case_study, "https://blog.example/"),
            (case_study, ""),
        ]
    ]
    # The card itself is the same for every reader, so it is served from the cache.
    assert [c["X-Cache"] for c in cards] == ["MISS", "MISS", "HIT", "HIT"]
    embeds = PartnerActivity.objects.filter(kind=PartnerActivity.EMBED)
    assert sorted((a.domain, a.page_id, a.count) for a in embeds) == sorted(
        [
            ("news.example", case_study.pk, 1),
            ("news.example", bright_spot.pk, 1),
            ("blog.example", case_study.pk, 1),
        ]
    )


def test_card_loads_are_counted_only_from_the_card_of_that_story(client, case_study, bright_spot):
    url = f"/embed/{case_study.pk}/counter.gif"
    forged = {"via": "card", "partner": "https://spam.example/"}
    client.get(url, forged)  # no Referer
    client.get(url, forged, HTTP_REFERER="https://spam.example/")  # not from a card
    client.get(url, forged, HTTP_REFERER=f"http://testserver/embed/{bright_spot.pk}/")
    client.get(
        url,
        {"via": "card", "partner": "http://testserver/"},
        HTTP_REFERER=f"http://testserver/embed/{case_study.pk}/",
    )  # ourselves
    assert not PartnerActivity.objects.exists()


@pytest.mark.parametrize(
    "raw, domain",
    [
        ("https://WWW.News.Example:8443/path?q=1", "news.example"),
        ("radio.example", "radio.example"),
        ("not a domain", None),
        ("<script>", None),
        ("", None),
        ("x" * 300 + ".example", None),
    ],
)
def test_partner_domains_are_normalised_or_refused(raw, domain):
    assert partner_domain(raw) == domain


def test_report_groups_by_month_and_domain(case_study, bright_spot):
    may, june = datetime.date(2025, 5, 10), datetime.date(2025, 6, 3)
    for _ in range(4):
        record_partner_activity("news.example", PartnerActivity.EMBED, case_study, today=june)
    record_partner_activity("news.example", PartnerActivity.EMBED, bright_spot, today=june)
    record_partner_activity("news.example", PartnerActivity.REPUBLISH, case_study, today=june)
    record_partner_activity("news.example", PartnerActivity.REPUBLISH, case_study, today=june)
    record_partner_activity("blog.example", PartnerActivity.REPUBLISH, bright_spot, today=may)
    report = partner_report(months=12, today=june)
    rows = {(r["month"], r["domain"]): r for r in report["rows"]}
    june_news = rows[(datetime.date(2025, 6, 1), "news.example")]
    assert june_news["embed_loads"] == 5 and june_news["stories_embedded"] == 2
    assert june_news["republications"] == 1 and june_news["republished_views"] == 2
    may_blog = rows[(datetime.date(2025, 5, 1), "blog.example")]
    assert may_blog["republications"] == 1 and may_blog["embed_loads"] == 0
    assert [b["domain"] for b in report["chart"]] == ["news.example", "blog.example"]
    assert report["chart"][0]["embed_width"] == 100.0
    assert partner_report(months=1, today=datetime.date(2025, 7, 1))["rows"] == []


def test_admin_partner_report_shows_table_and_chart(client, admin_user, case_study):
    record_partner_activity("news.example", PartnerActivity.EMBED, case_study)
    client.force_login(admin_user)
    response = client.get("/admin/reports/partners/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "news.example" in html and "<svg" in html and "<table" in html
    menu = client.get("/admin/").content.decode()
    assert "/admin/reports/partners/" in menu


def test_partner_report_is_for_permitted_editors_only(client, case_study):
    editor = User.objects.create_user("editor", password="x", is_staff=False)
    client.force_login(editor)
    assert client.get("/admin/reports/partners/").status_code in (302, 403)
