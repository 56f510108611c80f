"""oEmbed provider behaviour (https://oembed.com) and discovery on story pages."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings

from .conftest import assert_no_secrets

pytestmark = pytest.mark.django_db


def oembed(client, url, **params):
    return client.get("/oembed/", {"url": url, **params})


def canonical(page) -> str:
    return settings.SITE_URL + page.url


def test_story_pages_advertise_their_oembed_endpoint(client, case_study, bright_spot):
    for page in (case_study, bright_spot):
        html = client.get(page.url).content.decode()
        link = re.search(
            r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html
        )
        assert link, "discovery link missing"
        endpoint = unescape(link.group(1))
        assert endpoint.startswith(settings.SITE_URL + "/oembed/?")
        response = client.get(endpoint.removeprefix(settings.SITE_URL))
        assert response.status_code == 200
        assert response.json()["title"] == page.title


def test_rich_response_embeds_the_card_in_an_iframe(client, case_study):
    response = oembed(client, canonical(case_study), format="json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert data["provider_name"] == "Here's How"
    assert data["title"] == case_study.title
    assert f'src="{settings.SITE_URL}/embed/{case_study.pk}/"' in data["html"]
    assert "<iframe" in data["html"] and "embeds/loader.js" in data["html"]
    assert isinstance(data["width"], int) and isinstance(data["height"], int)
    assert data["thumbnail_url"].startswith(settings.SITE_URL + "/")
    assert data["thumbnail_width"] <= data["width"]
    assert_no_secrets(response.content.decode())


def test_format_defaults_to_json_and_bright_spots_embed_too(client, bright_spot):
    response = oembed(client, canonical(bright_spot))
    assert response.status_code == 200
    assert f"/embed/{bright_spot.pk}/" in response.json()["html"]


def test_maxwidth_and_maxheight_are_honoured(client, case_study):
    full = oembed(client, canonical(case_study)).json()
    small = oembed(client, canonical(case_study), maxwidth=300, maxheight=200).json()
    assert small["width"] == 300 and small["height"] == 200
    assert 'width="300"' in small["html"] and 'height="200"' in small["html"]
    assert small["thumbnail_width"] <= 300 and small["thumbnail_height"] <= 200
    assert full["width"] > 300
    tiny = oembed(client, canonical(case_study), maxwidth=100).json()
    assert tiny["width"] == 100
    assert "thumbnail_url" not in tiny  # no thumbnail fits


def test_addresses_without_trailing_slash_or_with_a_query_still_resolve(client, case_study):
    url = canonical(case_study).rstrip("/") + "?utm_source=x"
    assert oembed(client, url).status_code == 200


@pytest.mark.parametrize("fmt", ["yaml", "html"])
def test_unsupported_formats_give_501(client, case_study, fmt):
    response = oembed(client, canonical(case_study), format=fmt)
    assert response.status_code == 501
    assert "format=xml" in response.content.decode()


def test_xml_format_answers_the_same_fields(client, case_study):
    """oEmbed section 2.3.4: the same response as XML, one element per field."""
    from xml.etree import ElementTree

    as_json = oembed(client, canonical(case_study), format="json").json()
    response = oembed(client, canonical(case_study), format="xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "oembed"
    as_xml = {child.tag: child.text for child in root}
    assert as_xml == {name: str(value) for name, value in as_json.items()}
    assert_no_secrets(response.content.decode())


def test_unknown_draft_and_members_only_stories_give_404(
    client, case_study, draft_story, members_only_story
):
    for url in [
        settings.SITE_URL + "/case-studies/no-such-story/",
        settings.SITE_URL + "/case-studies/draft/",
        canonical(members_only_story),
        settings.SITE_URL + "/",  # a page, but not a story
        "https://elsewhere.example/case-studies/garment-fees/",  # not our site
        "javascript:alert(1)",
    ]:
        assert oembed(client, url).status_code == 404, url


def test_members_only_story_is_not_embeddable_even_for_members(
    client, admin_user, members_only_story
):
    client.force_login(admin_user)
    assert client.get(members_only_story.url).status_code == 200
    assert oembed(client, canonical(members_only_story)).status_code == 404


@pytest.mark.parametrize("params", [{"maxwidth": "wide"}, {"maxwidth": "-5"}, {"maxheight": "0"}])
def test_bad_sizes_are_explained_not_crashed(client, case_study, params):
    response = oembed(client, canonical(case_study), **params)
    assert response.status_code == 400
    assert b"positive whole number" in response.content


def test_missing_url_is_explained(client):
    response = client.get("/oembed/")
    assert response.status_code == 400
    assert b"?url=" in response.content


def test_oembed_without_slash_redirects_or_answers(client, case_study):
    response = client.get("/oembed", {"url": canonical(case_study)})
    assert response.status_code == 200
