"""FacetedStorySearch: facets, text relevance, synonyms, typos, phrases, audience, paging."""

import pytest
from django.http import QueryDict
from wagtail.models import PageViewRestriction

from search.models import SearchSynonym
from search.query import FacetedStorySearch
from tests.factories import IndustryFactory
from tests.search.helpers import industries_and_practices, make_member, story

pytestmark = pytest.mark.django_db


def run(query="", user=None, **filters):
    return FacetedStorySearch(user, query, filters).execute()


def titles(query="", user=None, **filters):
    return sorted(h.title for h in run(query, user, **filters).hits)


def counts(results, param):
    facet = next(f for f in results.facets if f.param == param)
    return {v.value: (v.count, v.selected) for v in facet.values}


@pytest.fixture
def tagged(published):
    apparel, seafood, repay, grievance = industries_and_practices()
    electronics = IndustryFactory(name="Electronics", slug="electronics")
    published(
        story("A", industry=apparel, intervention_types=[repay]),
        story("B", industry=seafood, intervention_types=[repay]),
        story("C", industry=seafood, intervention_types=[grievance]),
        story("D", industry=electronics, intervention_types=[grievance]),
    )


def test_values_of_one_facet_combine_with_or_and_facets_with_and(tagged):
    assert titles(industry=["apparel", "seafood"]) == ["A", "B", "C"]
    assert titles(industry=["apparel", "seafood"], intervention=["grievance"]) == ["C"]


def test_each_facet_counts_what_a_click_would_give(tagged):
    results = run(industry=["apparel"], intervention=["grievance"])
    assert results.total == 0
    # Industry counts apply the intervention choice only; the selected value stays at zero.
    assert counts(results, "industry") == {
        "apparel": (0, True),
        "seafood": (1, False),
        "electronics": (1, False),
    }
    # Intervention counts apply the industry choice only.
    assert counts(results, "intervention") == {
        "fee-repayment": (1, False),
        "grievance": (0, True),
    }
    assert counts(results, "type") == {}


def test_facet_labels_come_from_the_taxonomy_and_unknown_values_stay_visible(tagged):
    results = run(industry=["no-such-industry"])
    industry = next(f for f in results.facets if f.param == "industry")
    labels = {v.value: v.label for v in industry.values}
    assert labels["apparel"] == "Apparel"
    assert labels["no-such-industry"] == "no-such-industry"
    assert results.total == 0


def test_title_ranks_above_summary_above_body(published):
    published(
        story("Cobalt refiners", summary="Nothing special."),
        story("Second", summary="Work with cobalt smelters."),
        story("Third", body="Later we audited cobalt traders."),
    )
    assert [h.title for h in run("cobalt").hits] == ["Cobalt refiners", "Second", "Third"]


def test_every_word_must_appear_somewhere_in_the_story(published):
    published(
        story("Seafood hotline", summary="Fishers call a number."),
        story("Apparel audit", summary="Fishers were not involved."),
    )
    assert titles("hotline fishers") == ["Seafood hotline"]


def test_domain_synonyms_and_editor_additions(published, committed):
    published(
        story("Repaid", summary="The brand repaid recruitment fees to 900 workers."),
        story("Overtime", summary="Forced overtime ended at two mills."),
    )
    assert titles("placement fees") == ["Repaid"]
    assert titles("compulsory overtime") == []

    with committed():  # the edit rebuilds the index behind the alias once committed
        SearchSynonym.objects.create(terms="forced overtime, compulsory overtime")
    assert titles("compulsory overtime") == ["Overtime"]


def test_typos_are_tolerated(published):
    published(story("Repaid", summary="The brand repaid recruitment fees."))
    assert titles("recruitmnet fees") == ["Repaid"]


def test_quoted_phrases_must_appear_as_written(published):
    published(
        story("Exact", summary="Wages repaid in full to every worker."),
        story("Scattered", summary="In full view, wages were finally repaid."),
    )
    assert titles('"wages repaid in full"') == ["Exact"]
    assert titles("wages repaid full") == ["Exact", "Scattered"]


def test_snippets_highlight_matches_and_escape_the_text(published):
    published(story("Escaped", summary="Use <b>bold</b> grievance hotlines & report."))
    (hit,) = run("hotlines").hits
    assert "<mark>hotlines</mark>" in hit.highlight
    assert "&lt;b&gt;bold&lt;/b&gt;" in hit.highlight
    assert "<b>" not in hit.highlight


def test_did_you_mean_when_nothing_matches(published):
    published(story("Garment story", summary="A garment maker changed course."))
    results = run("jarment")
    assert results.total == 0
    assert results.suggestion == "garment"
    assert run("garment").suggestion == ""


def test_sort_by_newest(published):
    older = published(story("Older", summary="Audit of cobalt cobalt cobalt."))
    newer = published(story("Newer", summary="Cobalt."))
    assert newer.first_published_at > older.first_published_at
    newest = FacetedStorySearch(None, "cobalt", sort="newest").execute()
    assert [h.title for h in newest.hits] == ["Newer", "Older"]


def test_pagination_is_bounded(published, settings):
    settings.SEARCH_MAX_PAGE = 2
    published(*[story(f"Story {n}") for n in range(5)])
    page_two = FacetedStorySearch(None, page=2, page_size=2).execute()
    assert page_two.total == 5 and len(page_two.hits) == 2
    assert page_two.num_pages == 2  # capped, although 3 pages of results exist
    assert not page_two.has_next

    far = FacetedStorySearch.from_params(QueryDict("page=1000000000"), None, page_size=2)
    results = far.execute()
    assert results.page == 2
    assert any("first 2 pages" in m for m in results.messages)
    assert FacetedStorySearch.from_params(QueryDict("page=-1"), None).execute().page == 1


def test_members_only_stories_stay_out_of_public_results_counts_and_suggestions(
    published, committed
):
    secret_industry = IndustryFactory(name="Quarrying", slug="quarrying")
    public, private = published(
        story("Public story", summary="A garment maker."),
        story("Private story", summary="Quinoa growers.", industry=secret_industry),
    )
    with committed():
        PageViewRestriction.objects.create(page=private, restriction_type="login")

    anonymous = run()
    assert [h.title for h in anonymous.hits] == ["Public story"]
    assert "quarrying" not in counts(anonymous, "industry")
    assert run("quinoa").total == 0
    assert run("kuinoa").suggestion == ""

    member = make_member()
    assert titles(user=member) == ["Private story", "Public story"]
    assert counts(run(user=member), "industry")["quarrying"] == (1, False)
    assert run("kuinoa", user=member).suggestion == "quinoa"


def test_results_expose_elasticsearch_time_and_total_time(published):
    published(story("Timed"))
    results = run("timed")
    assert results.took_ms >= 0
    assert results.total_ms >= results.took_ms
    assert results.total == 1
