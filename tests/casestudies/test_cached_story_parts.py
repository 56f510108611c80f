"""A public story's body is rendered once per publication, even for signed-in readers.

Signed-in people never get a cached page, but the body of a public story is the same
for everyone: it is kept in the cache (``public_part`` in story_tags) and served to the next
reader. A new revision, a renamed tag or a privacy change reaches readers at once; a
members-only story, a link only members may follow and a preview are never cached.
"""

import pickle
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anonymity.members import make_members_only
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    InterventionTypeFactory,
    MetricResultFactory,
    member_of,
    publish,
)

pytestmark = pytest.mark.django_db


def article(html: str) -> str:
    return re.search(r"<article.*?</article>", html, re.S).group(0)


def cached_values() -> str:
    """Everything the shared cache holds, as text (the locmem cache of the test settings)."""
    return " ".join(repr(pickle.loads(value)) for value in cache._cache.values())


@pytest.fixture
def story():
    page = CaseStudyPageFactory(
        title="How a spinning mill ended placement fees",
        challenge="<p>Workers paid brokers a Quorvane placement fee.</p>",
        intervention_types=[InterventionTypeFactory(name="Ending recruitment fees")],
    )
    MetricResultFactory(page=page, baseline=0, result=1250, metric__name="Workers reached")
    return publish(page)


@pytest.fixture
def reader(django_user_model):
    """A signed-in visitor who is not a member, in a browser of their own."""
    browser = Client()
    browser.force_login(django_user_model.objects.create_user("reader", "r@example.org", "pw"))
    return browser


def test_signed_in_readers_get_the_same_story_with_fewer_queries(reader, story):
    with CaptureQueriesContext(connection) as first:
        first_html = reader.get(story.url).content.decode()
    with CaptureQueriesContext(connection) as second:
        second_html = reader.get(story.url).content.decode()

    assert article(second_html) == article(first_html)
    assert "Quorvane placement fee" in second_html
    assert "Ending recruitment fees" in second_html
    assert "1,300 workers" in second_html  # the results table, at its published precision
    # Tags and results are not asked for again: only the cached body is read.
    assert len(second) <= len(first) - 4


def test_a_new_revision_reaches_signed_in_readers_at_once(reader, story):
    assert "Quorvane placement fee" in reader.get(story.url).content.decode()

    story.challenge = "<p>Workers paid brokers a Trellisk deposit.</p>"
    publish(story)

    html = reader.get(story.url).content.decode()
    assert "Trellisk deposit" in html
    assert "Quorvane" not in html


def test_a_renamed_tag_reaches_the_cached_story_at_once(reader, story):
    assert "Ending recruitment fees" in reader.get(story.url).content.decode()

    intervention = story.intervention_types.get()
    intervention.name = "Repaying recruitment fees"
    intervention.save()

    html = reader.get(story.url).content.decode()
    assert "Repaying recruitment fees" in html
    assert "Ending recruitment fees" not in html


def test_a_members_only_story_is_never_kept_in_the_shared_cache(client, story):
    client.force_login(member_of("Zorblatt Textiles"))
    make_members_only(story)

    for _ in range(2):
        html = client.get(story.url).content.decode()
        assert "Quorvane placement fee" in html

    assert "Quorvane" not in cached_values()


def test_a_story_made_members_only_leaves_no_cached_body_behind(client, reader, story):
    reader.get(story.url)
    make_members_only(story)

    assert reader.get(story.url).status_code == 404
    client.logout()
    assert client.get(story.url).status_code == 404


def test_a_preview_shows_the_draft_not_the_cached_live_story(client, admin_user, story):
    client.force_login(admin_user)
    assert "Quorvane placement fee" in client.get(story.url).content.decode()

    story.challenge = "<p>A draft about a Velmora levy.</p>"
    revision = story.save_revision(user=admin_user)

    preview = client.get(f"/admin/pages/{story.pk}/revisions/{revision.pk}/view/")
    assert preview.status_code == 200
    assert "Velmora levy" in preview.content.decode()
    assert "Quorvane" not in preview.content.decode()
    assert "Quorvane placement fee" in client.get(story.url).content.decode()  # still live


def test_only_members_follow_a_bright_spot_to_its_members_only_case_study(client, reader, story):
    spot = publish(BrightSpotPageFactory(title="Every fee repaid", case_study=story))
    make_members_only(story)
    member = member_of("Zorblatt Textiles")
    link = f'href="{story.url}"'

    client.force_login(member)
    assert link in client.get(spot.url).content.decode()  # the member's view is rendered first

    html = reader.get(spot.url).content.decode()
    assert "Every fee repaid" in html
    assert link not in html
    assert story.title not in cached_values()
