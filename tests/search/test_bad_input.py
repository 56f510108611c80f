"""Whatever is typed into the URL, the search page answers sensibly and never with a 500."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from search.facets import FACETS
from search.query import MAX_QUERY_LENGTH
from tests.search.helpers import story

pytestmark = pytest.mark.django_db

ES_SYNTAX = st.sampled_from(
    [
        '"',
        '""',
        "\\",
        "/",
        "+",
        "-",
        "&&",
        "||",
        "!",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "^",
        "~",
        "*",
        "?",
        ":",
        "AND",
        "OR",
        "NOT",
        "<",
        ">",
        "=",
        "_all:x",
        "a~2",
        "title:(x OR y)",
        "\x00",
        "%",
        "&amp;",
        "<script>alert(1)</script>",
    ]
)
WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40)
EMOJI_RTL = st.sampled_from(["🧵👷‍♀️🐟", "عمال مهاجرون", "רסום", "‮reversed‬", "ｆｅｅｓ", "ǅ"])
QUERIES = st.lists(st.one_of(ES_SYNTAX, WORDS, EMOJI_RTL), max_size=8).map(" ".join)
PAGES = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", "-1", "0", "1000000000", "1e9", "abc", "2.5", "９"]),
)


@given(
    q=QUERIES,
    facet_values=st.lists(
        st.tuples(st.sampled_from([f.param for f in FACETS] + ["sort", "unknown"]), WORDS),
        max_size=6,
    ),
    page=PAGES,
)
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_query_string_gets_a_sensible_answer(client, q, facet_values, page):
    params = [("q", q), *facet_values, ("page", page)]
    response = client.get("/search/?" + urlencode(params))
    assert response.status_code == 200
    assert 'id="result-count"' in response.content.decode()


@pytest.mark.parametrize(
    "query_string, message",
    [
        ("q=" + "fees " * 2000, f"only its first {MAX_QUERY_LENGTH} characters"),
        ("q=fees&page=-1", "Pages start at 1"),
        ("q=fees&page=1000000000", "Only the first 50 pages"),
        ("q=fees&page=abc", "page number was not understood"),
        ("industry=" + "x" * 5000, "No stories match"),
    ],
)
def test_odd_input_explains_itself(client, published, query_string, message):
    published(story("Fees story", summary="Recruitment fees repaid."))
    response = client.get("/search/?" + query_string)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_ten_thousand_characters_of_emoji_and_rtl_still_find_matches(client, published):
    published(story("Fees story", summary="Recruitment fees repaid."))
    response = client.get("/search/?" + urlencode({"q": "fees " + "🧵عمال" * 2000}))
    assert response.status_code == 200
    assert "only its first" in response.content.decode()


@pytest.mark.parametrize("surface", ["/search/", "/impact/", "/api/stories/", "/metrics/"])
@pytest.mark.parametrize(
    "query_string",
    [
        "industry=%00",
        "year=%00%00",
        "stage=a%00b",
        "year=99999999999999999999",
        "region=" + "é" * 500,
    ],
)
def test_every_filtered_surface_survives_hostile_facet_values(client, surface, query_string):
    """The facet filters are shared, so one bad value must be safe on every surface using them.

    Pages show what they can; the API refuses a value it does not know, naming it (422).
    """
    response = client.get(f"{surface}?{query_string}")
    if surface == "/api/stories/":
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][0] == "query"
    else:
        assert response.status_code == 200
