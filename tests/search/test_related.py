"""Related practices: which stories a story page offers as alike, and to whom."""

import pytest
from wagtail.models import PageViewRestriction

import search.related
from perf.cache import invalidate_pages
from search.documents import alias_name
from search.documents import client as search_client
from tests.search.helpers import make_member, story

pytestmark = [pytest.mark.django_db, pytest.mark.pip_only]


def related_part(client, page) -> str:
    html = client.get(page.url).content.decode()
    return html.split("Related practices", 1)[1] if "Related practices" in html else ""


def test_words_most_stories_share_do_not_make_stories_related(
    client, published, committed, monkeypatch
):
    mill = story("Spinning mill", summary="Dormitory curfews lifted; overtime wages paid.")
    tannery = story("Tannery", summary="Dormitory curfews lifted at a tannery.")
    common = [
        story(f"{place.title()} pays", summary=f"Overtime wages paid at a {place}.")
        for place in ("cannery", "brickworks", "kiln")
    ]
    published(mill, tannery, *common)
    related = related_part(client, mill)
    assert "Tannery" in related and "Cannery pays" in related  # both share words

    # Once more stories share "overtime wages paid" than the bound allows, those words
    # say nothing about the mill: the tannery, sharing rarer words, is still related.
    monkeypatch.setattr(search.related, "MAX_SIMILAR_WORD_STORIES", 2)
    with committed():
        invalidate_pages("a new story")
    related = related_part(client, mill)
    assert "Tannery" in related
    assert not any(page.title in related for page in common)


def test_members_only_stories_are_related_for_members_and_unpublished_ones_for_nobody(
    client, published, committed
):
    mill = story("Spinning mill", summary="Recruitment fees repaid to spinners.")
    cannery = story("Cannery", summary="Recruitment fees repaid to peelers.")
    kiln = story("Kiln", summary="Recruitment fees repaid to brick makers.")
    published(mill, cannery, kiln)
    with committed():
        PageViewRestriction.objects.create(page=cannery, restriction_type="login")
        kiln.unpublish()

    related = related_part(client, mill)
    assert "Cannery" not in related and "Kiln" not in related
    client.force_login(make_member())
    related = related_part(client, mill)
    assert "Cannery" in related
    assert "Kiln" not in related and "Spinning mill" not in related


def test_a_missing_index_leaves_the_page_without_related_practices_and_uncached(client, published):
    mill = story("Spinning mill", summary="Recruitment fees repaid to spinners.")
    published(mill, story("Cannery", summary="Recruitment fees repaid to peelers."))
    es = search_client()
    for name in es.indices.get(index=f"{alias_name()}*", ignore_unavailable=True):
        es.indices.delete(index=name)

    response = client.get(mill.url)
    assert response.status_code == 200
    assert "Related practices" not in response.content.decode()
    assert response["X-Cache"] == "BYPASS"
