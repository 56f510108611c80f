"""What the cheaper search page still does: snippets from the body, typos one edit away.

The index keeps the offsets of the highlighted fields (snippets without analysing each
hit's text again) and spells "did you mean" and typo tolerance from titles, summaries and
tags only (search/relevance/README.md, "Cost"); a reader must notice neither.
"""

import pytest

from search.documents import alias_name, prepare
from search.documents import client as engine
from tests.search.helpers import story

pytestmark = pytest.mark.django_db


def test_a_word_only_in_the_body_is_marked_on_the_result_card(client, published):
    published(
        story(
            "Cannery visit",
            summary="A buyer visited a fish cannery.",
            body="The dormitory inspection found locked doors and no fire exits.",
        ),
        story("Mill visit", summary="A brand met spinning mill workers.", body="A new dormitory."),
    )
    page = client.get("/search/", {"q": "dormitory"}).content.decode()
    assert "Cannery visit" in page and "Mill visit" in page
    assert "<mark>dormitory</mark> inspection found locked doors" in page


def test_a_typo_one_edit_away_finds_words_of_titles_summaries_and_tags(client, published):
    published(
        story("Tannery audit", summary="Brokers charged recruitment fees."),
        story("Cobalt smelter", summary="Smelter workers formed a committee."),
    )
    # A swapped pair of letters in a title word and in a summary word.
    page = client.get("/search/", {"q": "tannrey"}).content.decode()
    assert "Tannery audit" in page and "Cobalt smelter" not in page
    page = client.get("/search/", {"q": "comittee"}).content.decode()
    assert "Cobalt smelter" in page and "Tannery audit" not in page
    # Near spellings are marked in the snippet too.
    assert "<mark>committee</mark>" in page


def test_the_spelling_words_leave_the_body_out(published):
    page = published(
        story("Quarry", summary="Stone cutters were paid late.", body="Zanzibar contractors.")
    )
    document = prepare(page.specific, members_only=False)
    assert "Stone cutters" in document["spell_public"]
    assert "Quarry" in document["spell_all"]
    assert "Zanzibar" not in document["spell_public"] + document["spell_all"]
    assert "Zanzibar" in document["body"]


@pytest.mark.elasticsearch_only
def test_the_index_keeps_the_offsets_of_the_highlighted_fields(published):
    published(story("Mapped"))
    (mapping,) = engine().indices.get_mapping(index=alias_name()).body.values()
    fields = mapping["mappings"]["properties"]
    # The body's snippet is read from its term vectors (the fast vector highlighter).
    assert fields["body"]["term_vector"] == "with_positions_offsets"
    assert fields["summary"]["index_options"] == "offsets"
    assert fields["summary"]["fields"]["plain"]["index_options"] == "offsets"
