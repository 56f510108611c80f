"""Cite this story: the panel a reader copies from, and the downloads reference managers read."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from anonymity.members import make_members_only
from casestudies.models import MEMBER_GROUP_PREFIX
from tests.factories import BrightSpotPageFactory, CaseStudyPageFactory, publish

pytestmark = pytest.mark.django_db

COMPANY = "Quorvane Textiles Holdings"


@pytest.fixture
def story():
    return publish(
        CaseStudyPageFactory(
            title="How a spinning mill ended placement fees & deposits",
            slug="spinning-mill-fees",
            contributing_company=COMPANY,
        )
    )


def cite(client, page, fmt):
    return client.get(f"{page.url}cite/", {"format": fmt})


def test_case_study_page_shows_a_cite_panel_with_citation_and_downloads(client, story, settings):
    html = client.get(story.url).content.decode()

    panel = re.search(r'<section class="cite".*?</section>', html, re.S)
    assert panel, "the case study page has a Cite panel"
    text = unescape(re.search(r'id="citation-text">(.*?)</p>', panel[0], re.S)[1])
    year = timezone.localdate(story.first_published_at).year
    today = timezone.localdate()
    assert text == (
        f"Here's How ({year}). How a spinning mill ended placement fees & deposits "
        f"[case study]. Here's How. {settings.SITE_URL}/case-studies/spinning-mill-fees/ "
        f"(accessed {today.day} {today:%B %Y}). urn:heres-how:story:{story.pk}"
    )
    for label, fmt in [("BibTeX", "bibtex"), ("RIS", "ris"), ("CSL-JSON", "csl-json")]:
        assert f'href="/case-studies/spinning-mill-fees/cite/?format={fmt}"' in panel[0]
        assert f">{label}</a>" in panel[0]
    assert COMPANY not in html


def test_bright_spot_page_has_the_cite_panel_too(client):
    spot = publish(BrightSpotPageFactory(title="Every fee repaid"))
    html = client.get(spot.url).content.decode()
    assert "Cite this story" in html
    assert f"urn:heres-how:story:{spot.pk}" in html
    response = cite(client, spot, "ris")
    assert response.status_code == 200
    assert "M3  - Bright spot\r\n" in response.content.decode()


def test_bibtex_download(client, story, settings):
    response = cite(client, story, "bibtex")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="heres-how-story-{story.pk}.bib"'
    )
    body = response.content.decode()
    assert body.startswith(f"@misc{{heres-how-story-{story.pk},\n")
    assert "  title = {{How a spinning mill ended placement fees \\& deposits}}," in body
    assert "  author = {{Here's How}}," in body
    assert f"  url = {{{settings.SITE_URL}/case-studies/spinning-mill-fees/}}," in body
    assert f"  year = {{{timezone.localdate(story.first_published_at).year}}}," in body
    assert f"  urldate = {{{timezone.localdate().isoformat()}}}," in body
    assert f"urn:heres-how:story:{story.pk}" in body
    assert body.count("{") == body.count("}")
    assert COMPANY not in body


def test_ris_download(client, story, settings):
    response = cite(client, story, "ris")

    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"].endswith(f'filename="heres-how-story-{story.pk}.ris"')
    lines = response.content.decode().split("\r\n")
    assert lines[0] == "TY  - ELEC"
    assert "TI  - How a spinning mill ended placement fees & deposits" in lines
    assert f"UR  - {settings.SITE_URL}/case-studies/spinning-mill-fees/" in lines
    assert f"Y2  - {timezone.localdate():%Y/%m/%d}" in lines
    assert f"M1  - urn:heres-how:story:{story.pk}" in lines
    assert lines[-2:] == ["ER  -", ""]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  -( .*)?", line) for line in lines[:-1])


def test_csl_json_download(client, story, settings):
    response = cite(client, story, "csl-json")

    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json"
    assert response["Content-Disposition"].endswith(f'filename="heres-how-story-{story.pk}.json"')
    [item] = json.loads(response.content)
    published = timezone.localdate(story.first_published_at)
    today = timezone.localdate()
    assert item == {
        "id": f"urn:heres-how:story:{story.pk}",
        "type": "webpage",
        "title": "How a spinning mill ended placement fees & deposits",
        "genre": "Case study",
        "author": [{"literal": "Here's How"}],
        "container-title": "Here's How",
        "publisher": "Here's How",
        "URL": f"{settings.SITE_URL}/case-studies/spinning-mill-fees/",
        "accessed": {"date-parts": [[today.year, today.month, today.day]]},
        "issued": {"date-parts": [[published.year, published.month, published.day]]},
        "note": f"urn:heres-how:story:{story.pk}",
    }


def test_the_identifier_survives_a_slug_change(client, story):
    before = json.loads(cite(client, story, "csl-json").content)[0]["id"]
    story.slug = "mill-ends-placement-fees"
    publish(story)

    assert client.get("/case-studies/spinning-mill-fees/cite/?format=csl-json").status_code == 404
    after = json.loads(cite(client, story, "csl-json").content)[0]
    assert after["id"] == before == f"urn:heres-how:story:{story.pk}"
    assert after["URL"].endswith("/case-studies/mill-ends-placement-fees/")


@pytest.mark.parametrize("query", ["?format=endnote", "?format=", ""])
def test_unknown_or_missing_format_is_a_400_naming_the_formats(client, story, query):
    response = client.get(f"{story.url}cite/{query}")

    assert response.status_code == 400
    message = response.content.decode()
    assert "bibtex, ris, csl-json" in message
    if "endnote" in query:
        assert "Unknown citation format 'endnote'" in message


def test_members_only_story_cite_answers_as_the_story_does(client, story, django_user_model):
    member = django_user_model.objects.create_user("member", password="pw")
    member.groups.add(Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}Zorblatt"))
    make_members_only(story)

    assert client.get(story.url).status_code == 404
    for fmt in ["bibtex", "ris", "csl-json", "nonsense"]:
        response = cite(client, story, fmt)
        assert response.status_code == 404, fmt
        assert b"placement fees" not in response.content

    client.force_login(member)
    assert client.get(story.url).status_code == 200
    response = cite(client, story, "bibtex")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert COMPANY not in response.content.decode()


def test_unpublished_story_has_no_citation(client, story):
    story.unpublish()
    assert cite(client, story, "bibtex").status_code == 404
