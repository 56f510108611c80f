"""The embed card partners frame: content, weight, themes, no cookies, framing policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from embeds.middleware import PublicSurfaceMiddleware, embeddable

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db


def card(client, page, **params):
    return client.get(f"/embed/{page.pk}/", params)


def test_card_shows_headline_image_metric_two_lines_and_link(client, case_study):
    response = card(client, case_study)
    assert response.status_code == 200
    html = response.content.decode()
    assert case_study.title in html
    assert 'class="card__image"' in html and 'alt="Workers at a training session"' in html
    assert "1,500 workers" in html and "Workers repaid" in html
    assert "Independently audited" in html
    assert "A global apparel brand worked with suppliers" in html
    assert "-webkit-line-clamp:2" in html  # the summary is held to two lines
    link = re.search(
        r'<a class="card__more" href="([^"]+)" target="_blank" rel="noopener">'
        r"Read the full story</a>",
        html,
    )
    assert link and link.group(1) == settings.SITE_URL + case_study.url
    assert_no_secrets(html)


def test_bright_spot_card_leads_with_its_metric(client, bright_spot):
    html = card(client, bright_spot).content.decode()
    assert "250,000 USD" in html and "Fees repaid" in html and "Second-party verified" in html


def test_card_and_its_image_weigh_under_30_kb(client, case_study):
    response = card(client, case_study)
    html = response.content.decode()
    image_url = re.search(r'<img class="card__image" src="([^"]+)"', html).group(1)
    image_file = Path(settings.MEDIA_ROOT) / image_url.removeprefix(settings.MEDIA_URL)
    assert image_file.stat().st_size > 0
    assert len(response.content) + image_file.stat().st_size < 30 * 1024
    assert '<link rel="stylesheet"' not in html and "<script src" not in html  # self-contained


def test_light_theme_by_default_dark_on_request(client, case_study):
    assert 'class="theme-light"' in card(client, case_study).content.decode()
    assert 'class="theme-dark"' in card(client, case_study, theme="dark").content.decode()
    assert 'class="theme-light"' in card(client, case_study, theme="<script>").content.decode()


def test_card_sets_no_cookies_even_for_a_signed_in_member(client, admin_user, case_study):
    client.force_login(admin_user)
    response = card(client, case_study)
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in str(response.serialize_headers())


def test_embed_routes_drop_cookies_other_middleware_would_set(rf: RequestFactory):
    @embeddable
    def view(request):
        response = HttpResponse("card")
        response.set_cookie("sessionid", "abc")
        response.set_cookie("csrftoken", "xyz")
        return response

    response = PublicSurfaceMiddleware(view)(rf.get("/embed/1/"))
    assert not response.cookies


def test_card_reports_its_height_to_the_partner_page(client, case_study):
    html = card(client, case_study).content.decode()
    assert "postMessage" in html and "heres-how:height" in html


def test_unpublished_and_members_only_stories_have_no_card(client, draft_story, members_only_story):
    assert client.get(f"/embed/{draft_story.pk}/").status_code == 404
    assert client.get(f"/embed/{members_only_story.pk}/").status_code == 404
    assert client.get("/embed/99999999999999999999/").status_code == 404
    assert client.get("/embed/2/").status_code == 404  # the home page is not a story


def test_only_embed_routes_may_be_framed(client, case_study):
    embed = card(client, case_study)
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    for path in [case_study.url, "/", "/feeds/rss/", "/api/stories/", "/admin/login/", "/nope/"]:
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], path


def test_admin_preview_keeps_its_same_origin_frame(rf: RequestFactory):
    from django.views.decorators.clickjacking import xframe_options_sameorigin

    view = xframe_options_sameorigin(lambda request: HttpResponse("preview"))
    response = PublicSurfaceMiddleware(view)(rf.get("/admin/pages/3/edit/preview/"))
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"
