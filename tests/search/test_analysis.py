"""What the search box understands: stems, synonyms, phrases, exclusions, typos, suggestions.

The same behaviour on both engines: Elasticsearch does it in the index's analyzers and
its phrase suggester, noida-db (the pip-only stand-in) with the Python synonym
expansion and the term suggester.
"""

import pytest
from django.contrib.auth import get_user_model

from search.documents import alias_name, client
from search.models import SearchSynonym
from search.query import FacetedStorySearch
from tests.search.helpers import story

pytestmark = pytest.mark.django_db


def titles(query: str) -> list[str]:
    return sorted(h.title for h in FacetedStorySearch(None, query).execute().hits)


def test_a_different_form_of_the_words_finds_the_story(published):
    published(
        story("Repaying", summary="The brand is repaying the recruitment fee to each worker."),
        story("Unrelated", summary="Shift rotas were published a month ahead."),
    )
    assert titles("repaid fees") == ["Repaying"]
    assert titles("worker's fee") == ["Repaying"]
    page = FacetedStorySearch(None, "repaid fees").execute()
    assert "<mark>" in page.hits[0].highlight


def test_quoted_phrases_and_exclusions_from_the_search_box(client, published):
    published(
        story("Exact", summary="The payroll ledger was checked in apparel mills."),
        story("Elsewhere", summary="The payroll ledger was checked at seafood plants."),
        story("Scattered", summary="A ledger of apparel orders; payroll stayed in house."),
    )
    assert titles('"payroll ledger"') == ["Elsewhere", "Exact"]
    assert titles('"payroll ledger" -apparel') == ["Elsewhere"]
    assert titles('ledger -"seafood plants"') == ["Exact", "Scattered"]
    assert titles("payroll ledger") == ["Elsewhere", "Exact", "Scattered"]
    page = client.get("/search/", {"q": '"payroll ledger" -apparel'}).content.decode()
    assert "Elsewhere" in page and "Exact" not in page


def test_alternatives_find_the_stories_of_either_side(client, published):
    """A side that is also a synonym still counts as one alternative: on noida-db its
    clause once had to be found beside the alternatives, so "or" behaved as "and"."""
    published(
        story("Fees", summary="Recruitment fees were repaid to every worker."),
        story("Payroll", summary="The payroll was checked each month."),
        story("Neither", summary="Shift rotas were published a month ahead."),
    )
    assert titles("recruitment fees | payroll") == ["Fees", "Payroll"]
    assert titles("(recruitment fees) | payroll") == ["Fees", "Payroll"]
    page = client.get("/search/", {"q": "recruitment fees | payroll"}).content.decode()
    assert "Fees" in page and "Payroll" in page and "Neither" not in page


def test_a_phrase_or_a_two_word_synonym_matches_its_words_side_by_side(published):
    """Elasticsearch looks exact phrases up as indexed word pairs (``index_phrases``): a
    story whose words stand apart, or with another word between them, is not found."""
    published(
        story("Summary", summary="Agency fees were repaid to every worker."),
        story("Body", body="The brand repaid agency fees in the second year."),
        story("Apart", summary="The agency kept the deposit and charged fees for transport."),
        story(
            "Between", summary="Agency recruitment fees were repaid.", body="Fees of agency staff."
        ),
    )
    # "agency fees" is one of the domain synonyms of "recruitment fees".
    assert titles("recruitment fees") == ["Between", "Body", "Summary"]
    assert titles('"charged fees"') == ["Apart"]
    assert titles('"agency deposit"') == []
    assert titles('"kept the deposit"') == ["Apart"]
    (hit,) = FacetedStorySearch(None, '"charged fees"').execute().hits
    # Elasticsearch marks each word of the phrase, noida-db the phrase as a whole.
    assert "<mark>charged fees</mark>" in hit.highlight.replace("</mark> <mark>", " ")


@pytest.mark.parametrize(
    "hostile",
    [
        '((( "unclosed',
        "fees~5 /rec.*/ \\",
        "* OR AND NOT | ) (",
        "-",
        '"" -"" |||',
        "fee" * 80,
        "recruit* ~ ^9 fees^100",
        "{{ '<script>' }} %00 \u0000",
    ],
)
def test_hostile_search_strings_never_break_the_page(client, published, hostile):
    published(story("Fees", summary="Recruitment fees repaid."))
    response = client.get("/search/", {"q": hostile})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_prefix_and_fuzzy_syntax_typed_by_a_visitor_is_not_obeyed(published):
    published(story("Recruitment", summary="Recruitment agencies were vetted."))
    # "recr*" would be a prefix query and "vetted~" a fuzzy one: neither may run.
    assert titles("recr*") == []
    assert titles("vetted~") == ["Recruitment"]  # the word itself still counts


def test_typos_are_forgiven_only_when_the_exact_words_find_little(published):
    published(
        story("Ledger one", summary="The payroll ledger was checked monthly."),
        story("Ledger two", summary="A second ledger recorded every deduction."),
        story("Hedger", summary="A hedger bought futures."),
    )
    # Two exact hits: nothing spelled nearly the same ("hedger") joins them.
    assert titles("ledger") == ["Ledger one", "Ledger two"]
    # Nothing exact: near spellings are used, the exact words still rank first.
    assert titles("ledgr") == ["Ledger one", "Ledger two"]
    assert titles("peelers") == []  # too far from anything: no unrelated stories


def test_did_you_mean_offers_the_corrected_phrase(client, published):
    published(
        story("Fees", summary="Recruitment fees were repaid to every worker."),
        story("Drive", summary="A recruitment drive for drivers."),
    )
    page = client.get("/search/", {"q": "recruitmnet fees"}).content.decode()
    assert "Did you mean" in page
    assert "recruitment fees" in page
    assert 'href="/search/?q=recruitment+fees"' in page


def test_suggestions_as_you_type_complete_title_words(client, published):
    published(
        story("Recruitment fees repaid at spinning mills"),
        story("Grievance hotline for fishing crews"),
    )
    data = client.get("/search/suggest/", {"q": "spinn"}).json()
    assert [s["text"] for s in data["suggestions"]] == ["Recruitment fees repaid at spinning mills"]
    data = client.get("/search/suggest/", {"q": "grievance hot"}).json()
    assert [s["text"] for s in data["suggestions"]] == ["Grievance hotline for fishing crews"]


def test_an_editors_synonym_applies_after_the_rebuild_it_asks_for(client, published, committed):
    published(
        story("Bonded", summary="Workers in debt bondage were freed."),
        story("Other", summary="Shift rotas were published a month ahead."),
    )
    assert titles("peonage") == []
    before = sorted(client_indices())
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    client.force_login(editor)
    with committed():
        response = client.post(
            "/admin/snippets/search/searchsynonym/add/", {"terms": "peonage, debt bondage"}
        )
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(terms="peonage, debt bondage").exists()
    # A new index behind the alias (Elasticsearch reads synonyms into its analyzer).
    assert sorted(client_indices()) != before
    assert titles("peonage") == ["Bonded"]
    assert titles("debt bondage") == ["Bonded"]


def test_an_editor_gets_a_clear_message_for_a_single_term(client):
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    client.force_login(editor)
    response = client.post("/admin/snippets/search/searchsynonym/add/", {"terms": "peonage"})
    assert response.status_code == 200
    assert "Enter at least two different terms." in response.content.decode()
    assert not SearchSynonym.objects.filter(terms__icontains="peonage").exists()


def test_a_multi_word_synonym_matches_inside_a_longer_query(published):
    published(
        story("Mine", summary="Average recruitment debt per worker at the mine fell to zero."),
        story("Farm", summary="Debt bondage among farm workers ended."),
    )
    SearchSynonym.objects.get_or_create(terms="recruitment debt, debt bondage")
    from search.indexing import rebuild

    rebuild()
    assert titles("debt bondage") == ["Farm", "Mine"]
    assert titles("mine recruitment debt") == ["Mine"]


def client_indices() -> list[str]:
    return list(client().indices.get_alias(name=alias_name()))
