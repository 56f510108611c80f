"""A deploy starts from fresh pages and page parts, without a flush (perf/release.py).

Cached answers and parts are keyed by the content generation, which a deploy does not
move; they also name the release, so the first visitor after a deploy that changed
only a template sees what the new template renders, on every cached type and in the
parts kept inside a page. "A deploy" here is what one is to a process: other code
(a template of its own) under another ``RELEASE``.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings

from perf.release import installed_release
from tests.factories import BrightSpotPageFactory, CaseStudyPageFactory, publish
from tests.perf.test_cache_hits import cached_types

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index", "shared_cache")]

NEW_TEMPLATE = "<p>Republished in the words of the new release.</p>"


@pytest.fixture
def story():
    return publish(CaseStudyPageFactory(title="Recruitment fees repaid at a spinning mill"))


def deploy(settings, release: str, templates=None) -> None:
    """What a deploy changes for a process: its code (here a template) and its release."""
    settings.RELEASE = release
    if templates is not None:
        settings.TEMPLATES = [{**django_settings.TEMPLATES[0], "DIRS": [templates]}]


def test_every_cached_type_is_rendered_anew_after_a_deploy(client, settings, story):
    addresses = cached_types(story, publish(BrightSpotPageFactory(title="Grievances heard")))
    deploy(settings, "old")
    for url in addresses.values():
        client.get(url)
    assert {n: client.get(u)["X-Cache"] for n, u in addresses.items()} == dict.fromkeys(
        addresses, "HIT"
    )

    deploy(settings, "new")
    assert {n: client.get(u)["X-Cache"] for n, u in addresses.items()} == dict.fromkeys(
        addresses, "MISS"
    )
    assert {n: client.get(u)["X-Cache"] for n, u in addresses.items()} == dict.fromkeys(
        addresses, "HIT"
    )
    # A process still running the old code (a rolling deploy) keeps serving its own.
    deploy(settings, "old")
    assert {n: client.get(u)["X-Cache"] for n, u in addresses.items()} == dict.fromkeys(
        addresses, "HIT"
    )


def test_a_template_only_deploy_reaches_the_parts_kept_inside_a_page(
    client, settings, story, tmp_path
):
    """The story's sharing panel is kept apart from the page (``embeds_tags``): the new
    template must reach it too, not only the page around it."""
    deploy(settings, "old")
    assert NEW_TEMPLATE.encode() not in client.get(story.url).content

    (tmp_path / "embeds").mkdir()
    (tmp_path / "embeds" / "republish_story.html").write_text(NEW_TEMPLATE)
    deploy(settings, "new", templates=tmp_path)
    page = client.get(story.url)
    assert page["X-Cache"] == "MISS"
    assert b"Republished in the words of the new release." in page.content


def test_a_copy_from_before_a_deploy_is_not_modified_only_by_its_etag(client, settings, story):
    """Last-Modified is when the release first served the content: a client that
    revalidates by date alone gets the new rendering, not a 304 for its old copy."""
    deploy(settings, "old")
    old = client.get(story.url)
    time.sleep(1.05)  # Last-Modified counts whole seconds
    deploy(settings, "new")
    again = client.get(story.url, HTTP_IF_MODIFIED_SINCE=old["Last-Modified"])
    assert again.status_code == 200
    assert client.get(story.url, HTTP_IF_NONE_MATCH=old["ETag"]).status_code == 304  # same body


def test_the_release_of_installed_code_names_its_contents(tmp_path):
    """Without RELEASE, every app server of one deploy computes the same name from the same
    files (not their times), and any change of a file, a template included, a new one."""
    package = tmp_path / "stories"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    template = package / "templates" / "card.html"
    template.write_text("<p>{{ page.title }}</p>")
    (tmp_path / "media").mkdir()
    first = installed_release(tmp_path)

    template.touch()
    (tmp_path / "media" / "upload.json").write_text("{}")  # not code
    assert installed_release(tmp_path) == first

    template.write_text("<h2>{{ page.title }}</h2>")
    assert installed_release(tmp_path) != first
