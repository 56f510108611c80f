"""Anonymous visitors get cached pages, never stale ones and never members-only ones."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from wagtail.models import PageViewRestriction

from perf.cache import current_generation
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    publish,
)

# With the story index in place, as on a running portal: a page rendered while search
# is unavailable lacks its related practices and is not stored (tests/search/test_views.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]


@pytest.fixture
def member():
    user = User.objects.create_user("member", password="pw")
    user.groups.add(Group.objects.create(name="Member: Acme"))
    return user


def _members_only(page):
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get_or_create(name="Member: Acme")[0])
    return restriction


def test_second_anonymous_visit_is_served_from_the_cache(client):
    page = publish(CaseStudyPageFactory(title="Fees repaid at a spinning mill"))

    first = client.get(page.url)
    second = client.get(page.url)

    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert second.status_code == 200
    # The same page, but with this request's own CSP nonce (tests/portal/test_hardening.py).
    assert second.content == first.content.replace(
        first.wsgi_request.csp_nonce.encode(), second.wsgi_request.csp_nonce.encode()
    )
    assert second["Content-Type"].startswith("text/html")


def test_a_host_the_site_does_not_serve_is_refused_even_when_its_page_is_cached(client, settings):
    """The hit checks the Host once per process, not per request: that check must still
    refuse a host that ALLOWED_HOSTS lacks, or one it has dropped since."""
    page = publish(CaseStudyPageFactory(title="Fees repaid at a spinning mill"))
    settings.ALLOWED_HOSTS = ["testserver", "portal.example"]
    assert client.get(page.url, HTTP_HOST="portal.example")["X-Cache"] == "MISS"
    assert client.get(page.url, HTTP_HOST="portal.example")["X-Cache"] == "HIT"

    assert client.get(page.url, HTTP_HOST="elsewhere.example").status_code == 400
    settings.ALLOWED_HOSTS = ["testserver"]
    assert client.get(page.url, HTTP_HOST="portal.example").status_code == 400
    assert client.get(page.url)["X-Cache"] == "MISS"  # one host's entry is not another's


def test_edit_and_publish_shows_the_new_title_at_once(client):
    page = publish(CaseStudyPageFactory(title="Old title of the practice", featured=True))
    for url in (page.url, "/", "/case-studies/"):
        client.get(url)
        assert "Old title of the practice" in client.get(url).content.decode()

    page.title = "New title of the practice"
    publish(page)

    for url in (page.url, "/", "/case-studies/"):
        html = client.get(url).content.decode()
        assert "New title of the practice" in html, url
        assert "Old title of the practice" not in html, url


def test_unpublished_story_disappears_from_cached_pages(client):
    page = publish(BrightSpotPageFactory(title="Grievances resolved in weeks"))
    assert "Grievances resolved in weeks" in client.get("/").content.decode()
    assert client.get(page.url).status_code == 200

    page.unpublish()

    assert "Grievances resolved in weeks" not in client.get("/").content.decode()
    assert client.get(page.url).status_code == 404


def test_deleted_and_moved_stories_are_not_served_from_the_cache(client):
    moved = publish(CaseStudyPageFactory(title="A practice that moves"))
    deleted = publish(CaseStudyPageFactory(title="A practice that goes"))
    old_url = moved.url
    client.get(old_url)
    client.get(deleted.url)
    assert client.get(deleted.url)["X-Cache"] == "HIT"

    deleted.delete()
    moved.slug = "a-practice-that-moved"
    publish(moved)

    assert client.get(deleted.url).status_code == 404
    assert client.get(old_url).status_code == 404
    assert "A practice that moves" in client.get("/case-studies/a-practice-that-moved/").text


def test_renamed_taxonomy_term_shows_on_cached_pages(client):
    industry = IndustryFactory(name="Seafood", slug="seafood")
    page = publish(CaseStudyPageFactory(industry=industry))
    client.get(page.url)
    assert "Seafood" in client.get(page.url).content.decode()

    industry.name = "Fishing and seafood processing"
    industry.save()

    assert "Fishing and seafood processing" in client.get(page.url).content.decode()


def test_signed_in_people_are_never_served_or_stored(client, member):
    page = publish(CaseStudyPageFactory(title="A practice for everyone"))
    signed_in = Client()
    signed_in.force_login(member)

    assert signed_in.get(page.url)["X-Cache"] == "BYPASS"
    assert signed_in.get(page.url)["X-Cache"] == "BYPASS"
    # What the member saw was not stored for the anonymous visitor.
    assert client.get(page.url)["X-Cache"] == "MISS"
    # And what the anonymous visitor cached is not served to the member.
    assert client.get(page.url)["X-Cache"] == "HIT"
    assert signed_in.get(page.url)["X-Cache"] == "BYPASS"


def test_members_only_story_never_reaches_an_anonymous_visitor(client, member):
    page = publish(CaseStudyPageFactory(title="A confidential practice", featured=True))
    _members_only(page)
    signed_in = Client()
    signed_in.force_login(member)

    # A member sees it, on its page and on the home page, several times.
    for _ in range(2):
        assert "A confidential practice" in signed_in.get(page.url).content.decode()
        assert "A confidential practice" in signed_in.get("/").content.decode()

    for _ in range(2):
        response = client.get(page.url)
        assert response.status_code == 404  # like a missing page (was a 302 to sign in)
        assert "A confidential practice" not in client.get("/").content.decode()


def test_making_a_cached_story_members_only_hides_it_at_once(client):
    page = publish(CaseStudyPageFactory(title="Soon members only", featured=True))
    client.get(page.url)
    client.get("/")
    assert client.get(page.url)["X-Cache"] == "HIT"
    assert "Soon members only" in client.get("/").content.decode()

    restriction = _members_only(page)

    assert client.get(page.url).status_code == 404  # like a missing page (was a 302)
    assert "Soon members only" not in client.get("/").content.decode()

    restriction.delete()
    assert client.get(page.url).status_code == 200


def test_visitors_with_a_session_cookie_bypass_the_cache(client):
    page = publish(CaseStudyPageFactory())
    client.get(page.url)
    client.cookies["sessionid"] = "not-a-real-session"

    response = client.get(page.url)

    assert response.status_code == 200
    assert response["X-Cache"] == "BYPASS"


def test_only_successful_html_is_stored(client):
    assert client.get("/case-studies/no-such-practice/")["X-Cache"] == "BYPASS"
    assert client.get("/health/")["X-Cache"] == "BYPASS"
    generation = current_generation()
    assert client.post("/", {}).get("X-Cache") == "BYPASS"
    assert current_generation() == generation


def test_restricting_a_whole_section_hides_every_story_below_it(client, member):
    from casestudies.models import CaseStudyIndexPage, CaseStudyPage

    publish(CaseStudyPageFactory(title="A practice in a members-only section", featured=True))
    assert "A practice in a members-only section" in client.get("/").content.decode()

    _members_only(CaseStudyIndexPage.objects.get())

    assert "A practice in a members-only section" not in client.get("/").content.decode()
    assert not CaseStudyPage.objects.visible_to(None).exists()
    assert CaseStudyPage.objects.visible_to(member).exists()
