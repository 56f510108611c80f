"""What a reader sees of a search page's facets, results and links: the parts the search
app writes out in Python or keeps per story and per process (``search_tags``, ``views``)."""

import re
from html import unescape

import pytest
from django.urls import clear_script_prefix, set_script_prefix

from tests.factories import IndustryFactory
from tests.search.helpers import industries_and_practices, story

pytestmark = pytest.mark.django_db

FACET_VALUE = re.compile(
    r'<div class="facet__value( facet__value--empty)?">\s*'
    r'<input type="checkbox" id="(?P<id>[^"]+)" name="(?P<name>[^"]+)" '
    r'value="(?P<value>[^"]*)"(?P<checked> checked)?>\s*'
    r'<label for="(?P<for>[^"]+)">(?P<label>[^<]*) '
    r'<span class="facet__count" data-count>\((?P<count>\d+)\)</span></label>\s*</div>'
)


def fieldset(html: str, param: str) -> str:
    match = re.search(rf'<fieldset class="facet" data-facet="{param}">(.*?)</fieldset>', html, re.S)
    assert match, f"no {param} facet"
    return match.group(1)


def facet_values(html: str, param: str) -> list[tuple]:
    """(label, count, checked) of each checkbox of a facet, checking each box's label is its own."""
    values = []
    for number, box in enumerate(FACET_VALUE.finditer(fieldset(html, param)), start=1):
        assert box["id"] == box["for"] == f"facet-{param}-{number}"
        assert box["name"] == param
        label, value = unescape(box["label"]), unescape(box["value"])
        values.append((label, value, int(box["count"]), bool(box["checked"])))
    return values


@pytest.fixture
def catalogue(published):
    apparel, seafood, repay, grievance = industries_and_practices()
    odd = IndustryFactory(name='Food & "Drink" <Co>', slug="food-drink")
    return published(
        story("Spinning mill repays fees", summary="Recruitment fees repaid.", industry=apparel,
              intervention_types=[repay]),
        story("Trawler hotline", summary="A hotline for fishers.", industry=seafood,
              intervention_types=[grievance]),
        story("Cannery repays fees", summary="Recruitment fees repaid at a cannery.",
              industry=seafood, intervention_types=[repay]),
        story('Bakery "repays" <fees>', summary="Recruitment fees repaid by bakers.", industry=odd,
              intervention_types=[repay]),
    )  # fmt: skip


def test_facets_show_each_value_with_its_count_and_the_reader_s_selection(client, catalogue):
    selection = "/search/?q=fees&industry=seafood&intervention=fee-repayment"
    html = client.get(selection).content.decode()

    industries = facet_values(html, "industry")
    assert ("Seafood", "seafood", 1, True) in industries
    assert ("Apparel", "apparel", 1, False) in industries
    assert ('Food & "Drink" <Co>', "food-drink", 1, False) in industries
    assert sum(checked for *_, checked in industries) == 1
    interventions = facet_values(html, "intervention")
    assert ("Fee repayment", "fee-repayment", 1, True) in interventions
    assert "<legend>Intervention type</legend>" in fieldset(html, "intervention")
    # A term's name is escaped wherever it shows, here in its label.
    assert "Food &amp; &quot;Drink&quot; &lt;Co&gt;" in fieldset(html, "industry")
    # The same checkboxes, another selection: nothing of the previous page stays checked.
    html = client.get("/search/?q=fees&industry=apparel").content.decode()
    industries = facet_values(html, "industry")
    assert [value for _, value, _, checked in industries if checked] == ["apparel"]
    assert ("Fee repayment", "fee-repayment", 1, False) in facet_values(html, "intervention")

    # Each selection is a chip whose link removes just that filter.
    html = client.get(selection).content.decode()
    assert (
        '<a class="chip" href="/search/?q=fees&amp;intervention=fee-repayment" '
        'aria-label="Remove filter Industry: Seafood">Industry: Seafood'
    ) in html
    assert (
        '<a class="chip" href="/search/?q=fees&amp;industry=seafood" '
        'aria-label="Remove filter Intervention type: Fee repayment">'
    ) in html


def test_a_value_no_result_has_is_shown_empty_and_a_facet_without_values_says_so(client, catalogue):
    html = client.get("/search/?q=hotline&industry=apparel").content.decode()
    assert "No stories match “hotline” with these filters" in html
    assert re.search(
        r'<div class="facet__value facet__value--empty">\s*<input type="checkbox" '
        r'id="facet-industry-\d+" name="industry" value="apparel" checked>',
        html,
    )
    assert '<p class="facet__none">None in these results</p>' in fieldset(html, "stage")


def test_each_result_has_its_compare_box_and_its_own_snippet_for_each_search(client, catalogue):
    html = client.get("/search/?q=cannery").content.decode()
    cannery = catalogue[2]
    assert (
        f'<input type="checkbox" name="story" value="{cannery.pk}" form="compare-form"> '
        'Compare <span class="visually-hidden">“Cannery repays fees”</span>'
    ) in html
    assert "<mark>cannery</mark>" in html
    # The same story's card again, for other words: the snippet marks those words only.
    html = client.get("/search/?q=recruitment&industry=seafood").content.decode()
    assert "<mark>Recruitment</mark>" in html and "<mark>cannery</mark>" not in html
    assert f'value="{cannery.pk}" form="compare-form"' in html
    # A title's quotes and brackets are escaped in its card and its compare box.
    html = client.get("/search/?q=bakers").content.decode()
    assert "“Bakery &quot;repays&quot; &lt;fees&gt;”</span></label></div>" in html
    assert "Bakery &quot;repays&quot; &lt;fees&gt;" in html.split('class="compare-pick"')[0]


def test_the_page_links_to_its_form_feeds_downloads_and_compare_under_the_site_s_prefix(
    client, catalogue
):
    def links(words: str, prefix: str = "") -> set[str]:
        return {
            f'action="{prefix}/search/" method="get" role="search" '
            f'data-suggest-url="{prefix}/search/suggest/"',
            f'<form id="compare-form" action="{prefix}/compare/" method="get">',
            f'href="{prefix}/feeds/search/rss/?q={words}&amp;industry=seafood"',
            f'href="{prefix}/api/stories/export.csv?q={words}&amp;industry=seafood&amp;sort=newest"',
            f'<a href="{prefix}/data/">what the columns mean</a>',
        }

    html = client.get("/search/?q=fees&industry=seafood&sort=newest").content.decode()
    assert not {link for link in links("fees") if link not in html}
    # Served under a path prefix (as WSGI sets it), every one of them carries it; then
    # without, none does. (Other words each time: the page cache answers a repeated search.)
    set_script_prefix("/portal/")
    try:
        html = client.get("/search/?q=repaid&industry=seafood&sort=newest").content.decode()
    finally:
        clear_script_prefix()
    assert not {link for link in links("repaid", "/portal") if link not in html}
    html = client.get("/search/?q=hotline&industry=seafood&sort=newest").content.decode()
    assert not {link for link in links("hotline") if link not in html}
    assert "/portal/" not in html
