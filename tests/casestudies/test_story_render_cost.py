"""A story page rendered for a reader with a session is cheap, never stale, never shared wrongly.

Anyone with a session cookie (a member, an editor, anyone who once signed in, the
benchmark's "uncached" rows) is never answered from the page cache: their story page is
rendered for them. What every reader of the public audience is shown alike (the body, the
citation panel, related practices, the navigation and footer) is kept under the content
version (``casestudies.serving.kept_part``), in the shared cache and in the process. These
tests read pages as those readers do and check that the kept parts are the page they would
have got anyway, that any edit reaches the very next view, and that a member's view of a
part is never kept for, nor taken from, anyone else.
"""

import datetime
import pickle
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anonymity.members import make_members_only
from tests.factories import BrightSpotPageFactory, publish
from tests.search.helpers import industries_and_practices, make_member, story

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    """Not signed in, but with a session cookie: the page cache never answers them."""
    return Client(HTTP_COOKIE="sessionid=no-such-session")


@pytest.fixture
def practices(search_index, committed, published):
    """A mill and a cannery that both repay fees (each the other's related practice), and a
    brickworks only members may read that repays fees too."""
    apparel, seafood, repay, _ = industries_and_practices()
    mill, cannery, brickworks = published(
        story(
            "Spinning mill repays fees",
            summary="Recruitment fees repaid.",
            industry=apparel,
            intervention_types=[repay],
        ),
        story(
            "Cannery repays fees",
            summary="Recruitment fees repaid at a cannery.",
            industry=seafood,
            intervention_types=[repay],
        ),
        story(
            "Brickworks repays fees",
            summary="Recruitment fees repaid to kiln workers.",
            industry=apparel,
            intervention_types=[repay],
        ),
    )
    with committed():
        make_members_only(brickworks)
    return mill, cannery, brickworks


def without_request_tokens(html: str) -> str:
    """The page without what is new in every response (the CSP nonce, a CSRF token)."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def part(html: str, start: str, end: str) -> str:
    found = re.search(re.escape(start) + ".*?" + re.escape(end), html, re.S)
    return found.group(0) if found else ""


def related(html: str) -> str:
    return part(html, '<aside class="related"', "</aside>")


def citation(html: str) -> str:
    return part(html, '<section class="cite"', "</section>")


def navigation(html: str) -> str:
    return part(html, '<nav aria-label="Main">', "</nav>")


def view(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.get("X-Cache") != "HIT"  # rendered for this reader, not the page cache's
    return response.content.decode(), len(queries)


def test_a_repeat_view_is_the_same_page_and_asks_the_database_less(visitor, practices):
    mill = practices[0]
    first, first_queries = view(visitor, mill.url)
    assert "Cannery repays fees" in related(first)
    assert "Spinning mill repays fees" in citation(first)
    assert 'href="/case-studies/"' in navigation(first)

    for _ in range(2):
        again, queries = view(visitor, mill.url)
        assert without_request_tokens(again) == without_request_tokens(first)
        # The content version and the session: no story, tag, result or site is read.
        assert queries <= 2 < first_queries


def test_a_bright_spot_shown_again_is_the_same_page_too(visitor, practices):
    spot = publish(BrightSpotPageFactory(title="Fees repaid to 1,200 workers"))
    first, first_queries = view(visitor, spot.url)
    again, queries = view(visitor, spot.url)
    assert without_request_tokens(again) == without_request_tokens(first)
    assert "Fees repaid to 1,200 workers" in citation(again)
    assert queries <= first_queries


def test_an_edit_to_a_related_practice_reaches_the_next_view(visitor, practices, published):
    mill, cannery, _ = practices
    assert "Cannery repays fees" in related(view(visitor, mill.url)[0])

    cannery.title = "Tuna cannery repays fees"
    published(cannery)

    shown = related(view(visitor, mill.url)[0])
    assert "Tuna cannery repays fees" in shown


def test_a_new_title_reaches_the_citation_at_once(visitor, practices, published):
    mill = practices[0]
    assert "Spinning mill repays fees" in citation(view(visitor, mill.url)[0])

    mill.title = "Cotton mill repays fees"
    published(mill)

    cited = citation(view(visitor, mill.url)[0])
    assert "Cotton mill repays fees" in cited and "Spinning mill" not in cited


def test_the_citation_says_the_day_it_was_read(visitor, practices, monkeypatch):
    mill = practices[0]
    today = timezone.localdate()
    assert f"accessed {today:%-d %B %Y}" in citation(view(visitor, mill.url)[0])

    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert f"accessed {tomorrow:%-d %B %Y}" in citation(view(visitor, mill.url)[0])


def test_a_listing_that_moves_moves_every_page_s_navigation_at_once(visitor, practices):
    mill = practices[0]
    assert 'href="/case-studies/"' in navigation(view(visitor, mill.url)[0])

    listing = mill.get_parent().specific
    listing.slug = "practices"
    listing.save_revision().publish()

    html = view(visitor, "/practices/spinning-mill-repays-fees/")[0]
    assert 'href="/practices/"' in navigation(html)
    assert 'href="/case-studies/"' not in navigation(html)


def test_a_member_sees_members_only_practices_and_no_one_else_is_shown_them(visitor, practices):
    mill = practices[0]
    member = Client()
    member.force_login(make_member())

    assert "Brickworks repays fees" not in related(view(visitor, mill.url)[0])
    # The member is not shown what was kept for the public audience...
    assert "Brickworks repays fees" in related(view(member, mill.url)[0])
    assert "Brickworks repays fees" in related(view(member, mill.url)[0])
    # ...and what the member was shown is kept for no one else.
    assert "Brickworks repays fees" not in related(view(visitor, mill.url)[0])
    assert "Brickworks repays fees" not in view(Client(), mill.url)[0]
    kept_html = [
        value
        for value in (pickle.loads(raw) for raw in cache._cache.values())
        if isinstance(value, str)
    ]
    assert not any("Brickworks" in html for html in kept_html)


def test_a_story_made_members_only_keeps_nothing_for_outsiders(visitor, practices, committed):
    mill, cannery, _ = practices
    assert "Cannery repays fees" in related(view(visitor, mill.url)[0])

    with committed():
        make_members_only(cannery)

    assert "Cannery repays fees" not in view(visitor, mill.url)[0]
    assert visitor.get(cannery.url).status_code == 404


def test_a_bright_spot_s_full_story_link_follows_its_case_study_s_privacy_at_once(
    visitor, practices, committed
):
    mill = practices[0]
    spot = publish(BrightSpotPageFactory(title="Fees repaid at a mill", case_study=mill))
    member = Client()
    member.force_login(make_member())
    link = f'href="{mill.url}">Read the full case study'
    assert link in view(visitor, spot.url)[0]
    assert link in view(visitor, spot.url)[0]

    with committed():
        make_members_only(mill)

    assert "Read the full case study" not in view(visitor, spot.url)[0]
    assert link in view(member, spot.url)[0]
    assert "Read the full case study" not in view(visitor, spot.url)[0]
