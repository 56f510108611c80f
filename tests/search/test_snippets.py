"""The snippet on a result card: the words searched for, marked in a passage of the story.

The summary's passage when the words are there, otherwise the body's, wherever in the body
the words stand (the body's snippet is read from its term vectors: issue 12).
"""

import re

import pytest

from search.documents import ELASTICSEARCH, search_engine
from tests.search.helpers import story

pytestmark = pytest.mark.django_db

FILLER = "Buyers met the suppliers every quarter to review the plan. "


def another(words: str):
    """A second story with the words: a search that finds fewer than two stories is
    answered by its typo-tolerant twin, which marks summaries only."""
    return story("Another story", summary=f"Also about {words}.")


def card_snippet(html: str, title: str) -> str:
    """The text under a card's title: its snippet (or, without one, its summary)."""
    card = re.search(rf">{re.escape(title)}</a></h3>\s*(.*?)</article>", html, re.S)
    assert card, f"a card for {title!r}"
    return re.search(r"<p>(.*?)</p>", card[1], re.S)[1]


def test_a_summary_that_holds_the_words_gives_the_snippet(client, published):
    published(
        story(
            "Mill story",
            summary="The mill repaid recruitment fees to every worker.",
            body=FILLER * 5 + "Recruitment fees were repaid again later.",
        ),
        another("recruitment fees"),
    )
    html = client.get("/search/?q=recruitment+fees").content.decode()
    snippet = card_snippet(html, "Mill story")
    # Word by word or as one phrase, as the engine marks them.
    assert re.search(r"<mark>recruitment( |</mark> <mark>)fees</mark> to every worker", snippet)
    assert "again later" not in snippet


def test_a_word_only_the_body_holds_is_marked_in_the_body_passage_that_holds_it(client, published):
    published(
        story(
            "Cannery story",
            summary="A cannery changed how it hires.",
            # Far into a long body: past the first few thousand characters.
            body=FILLER * 80 + "A dormitory inspection found locked exits. " + FILLER * 10,
        ),
        another("dormitory inspection"),
    )
    html = client.get("/search/?q=dormitory+inspection").content.decode()
    snippet = card_snippet(html, "Cannery story")
    assert re.search(r"<mark>dormitory( |</mark> <mark>)inspection</mark>", snippet)
    assert "locked exits" in snippet
    assert "A cannery changed how it hires" not in snippet


def test_the_body_passage_with_most_of_the_words_is_the_one_shown(client, published):
    published(
        story(
            "Trawler story",
            summary="A fleet changed how it hires.",
            body="The grievance desk opened in spring. "
            + FILLER * 30
            + "Every grievance reached the hotline within a day, and the hotline answered. "
            + FILLER * 30,
        ),
        another("grievance hotline"),
    )
    html = client.get("/search/?q=grievance+hotline").content.decode()
    snippet = card_snippet(html, "Trawler story")
    assert "<mark>grievance</mark> reached the <mark>hotline</mark>" in snippet
    assert "desk opened in spring" not in snippet


def test_a_body_snippet_is_escaped_before_the_words_are_marked(client, published):
    published(
        story(
            "Escaping story",
            summary="A plain summary.",
            body=FILLER * 30 + "Wages withheld &amp; repaid to the crew &lt;b&gt;now&lt;/b&gt;. ",
        ),
        another("crew repaid"),
    )
    html = client.get("/search/?q=crew+repaid").content.decode()
    snippet = card_snippet(html, "Escaping story")
    assert "<mark>repaid</mark> to the <mark>crew</mark> &lt;b&gt;now" in snippet
    assert "&amp;" in snippet and "<b>" not in snippet


def test_a_summary_with_only_some_of_the_words_gives_way_to_the_body_passage(client, published):
    """On Elasticsearch the summary's snippet marks the words where the summary matches
    the whole search (the highlighter is asked the search on the summary alone): with
    only one of two words there, the body's passage holding both is shown. noida-db, the
    pip-only stand-in, marks the summary word by word, as it always did."""
    published(
        story(
            "Ferry story",
            summary="The ferry company set up a grievance desk.",
            body=FILLER * 30 + "Each grievance reached the hotline within a day. " + FILLER * 5,
        ),
        another("grievance hotline"),
    )
    html = client.get("/search/?q=grievance+hotline").content.decode()
    snippet = card_snippet(html, "Ferry story")
    if search_engine() == ELASTICSEARCH:
        assert "<mark>grievance</mark> reached the <mark>hotline</mark>" in snippet
        assert "ferry company" not in snippet
    else:
        assert snippet == "The ferry company set up a <mark>grievance</mark> desk."
