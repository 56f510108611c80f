"""Compare side by side: columns for 2 to 4 stories, and clear answers to bad requests."""

from __future__ import annotations

import html
import re

from tests.factories import BrightSpotPageFactory, CaseStudyPageFactory, publish
from tests.playbooks.world import MEMBERS_TITLE
from tests.reading import main_text, visible


def row(response, heading: str) -> str:
    body = response.content.decode()
    match = re.search(rf'<tr><th scope="row">{heading}</th>(.*?)</tr>', body, re.S)
    assert match, f"no row {heading}"
    return visible(match.group(1))


def ids(*pages) -> str:
    return "&".join(f"story={p.pk}" for p in pages)


def test_two_case_studies_side_by_side(client, world):
    alpha, bravo = world.pages["alpha"], world.pages["bravo"]
    response = client.get(f"/compare/?{ids(bravo, alpha)}")
    assert response.status_code == 200
    body = response.content.decode()
    # Columns in the order asked, each headed by its story's link.
    assert re.findall(r'<th scope="col" data-story="(\d+)"', body) == [str(bravo.pk), str(alpha.pk)]
    assert f'<a href="{alpha.url}">Case study alpha</a>' in body
    assert row(response, "Industry") == "Apparel Apparel"
    assert row(response, "Interventions") == "Employer pays Employer pays"
    assert row(response, "Years") == "2021–2023 2021–2023"
    steps = row(response, "Steps")
    assert steps.index("Map recruitment channels (1 month)") < steps.index("Verify with workers")
    assert steps.index("Verify with workers") < steps.index("Map recruitment channels (2 weeks)")
    durations = row(response, "Durations")
    assert "1 month 1 year 3 months In all about 16 months" in durations
    assert "2 weeks 1 month 6 months In all about 7 months" in durations
    costs = row(response, "Costs")
    assert "USD 100,000 – 1 million: 1 step" in costs
    results = row(response, "Results")
    assert "Recruitment fees repaid: 200,000–500,000 USD" in results  # bravo's range
    assert "Recruitment fees repaid: 1,200 USD (from 0)" in results
    assert "Independently audited" in results and "Second-party verified" in results
    # Shareable: the canonical address and the link carry the stories.
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', body).group(1)
    assert html.unescape(canonical).endswith(f"/compare/?{ids(bravo, alpha)}")


def test_a_bright_spot_compares_with_its_headline_metric(client, world):
    spot = publish(
        BrightSpotPageFactory(
            title="Fees repaid to 900 workers",
            metric=world.repaid,
            metric_unit="USD",
            metric_value=900,
            metric_precision="exact",
        )
    )
    response = client.get(f"/compare/?{ids(world.pages['alpha'], spot)}")
    assert response.status_code == 200
    assert "A bright spot: no steps described" in row(response, "Steps")
    assert "Recruitment fees repaid: 900 USD" in row(response, "Results")


def test_more_than_four_stories_is_refused_with_a_way_on(client, world):
    pages = [world.pages[k] for k in ("alpha", "bravo", "charlie", "seafood", "voice1")]
    response = client.get(f"/compare/?{ids(*pages)}")
    assert response.status_code == 400
    assert "You picked 5 stories; at most 4 fit side by side." in main_text(response)
    body = response.content.decode()
    link = re.search(r'<a href="(/compare/\?[^"]+)">Compare the first 4</a>', body)
    assert html.unescape(link.group(1)) == f"/compare/?{ids(*pages[:4])}"
    four = client.get(f"/compare/?{ids(*pages[:4])}")
    assert four.status_code == 200
    assert 'data-columns="4"' in four.content.decode()


def test_fewer_than_two_or_nonsense_gets_a_clear_message(client, world):
    alpha = world.pages["alpha"]
    one = client.get(f"/compare/?story={alpha.pk}")
    assert one.status_code == 400
    assert "Pick at least 2 stories to compare." in main_text(one)
    assert "So far: Case study alpha" in main_text(one)  # nothing the visitor picked is lost

    words = client.get(f"/compare/?story=abc&story={alpha.pk}")
    assert words.status_code == 400
    assert "“abc” is not a story number." in main_text(words)

    mixed = client.get(f"/compare/?story=abc&{ids(alpha, world.pages['bravo'])}")
    assert mixed.status_code == 200
    assert "“abc” is not a story number." in main_text(mixed)
    assert 'data-columns="2"' in mixed.content.decode()

    for nonsense in ["99999999999999999999999", "-1", "²", "1.5", "1e3"]:
        response = client.get("/compare/", {"story": [nonsense, alpha.pk]})
        assert response.status_code == 400
        assert "is not a story number." in main_text(response)
    assert client.get("/compare/?story=").status_code == 400


def test_the_bare_address_explains_how_to_pick(client, world):
    response = client.get("/compare/")
    assert response.status_code == 200
    assert "Pick 2 to 4 stories" in main_text(response)


def test_an_outsider_cannot_tell_a_members_only_story_from_a_missing_one(client, world):
    alpha, members = world.pages["alpha"], world.pages["members"]
    draft = CaseStudyPageFactory(title="Unpublished practice")
    draft.unpublish()
    missing = max(members.pk, draft.pk) + 1000
    answers = {}
    for label, pk in [("members", members.pk), ("draft", draft.pk), ("missing", missing)]:
        response = client.get(f"/compare/?story={alpha.pk}&story={pk}")
        assert response.status_code == 400
        assert MEMBERS_TITLE not in response.content.decode()
        answers[label] = main_text(response).replace(str(pk), "N")
    assert answers["members"] == answers["draft"] == answers["missing"]
    assert "No published story has the number N." in answers["missing"]

    client.force_login(world.member)
    member = client.get(f"/compare/?{ids(alpha, members)}")
    assert member.status_code == 200
    assert MEMBERS_TITLE in main_text(member)
    assert "no-store" in member["Cache-Control"]


def test_each_comparison_is_cached_under_its_own_stories(client, world):
    """The page cache keys a comparison by its ``story`` ids, never serving one for another."""
    a, b, c = world.pages["alpha"], world.pages["bravo"], world.pages["charlie"]
    assert client.get("/compare/").status_code == 200
    first = client.get(f"/compare/?{ids(a, b)}")
    second = client.get(f"/compare/?{ids(a, c)}")
    assert "Case study bravo" in main_text(first) and "Case study charlie" not in main_text(first)
    assert "Case study charlie" in main_text(second) and "Case study bravo" not in main_text(second)
    again = client.get(f"/compare/?{ids(a, b)}")
    assert again["X-Cache"] == "HIT"
    assert main_text(again) == main_text(first)


def test_search_results_offer_a_compare_box_on_each_card(client, world, search_index):
    from search.indexing import rebuild

    rebuild()
    body = client.get("/search/?q=fees").content.decode()
    assert re.search(r'<form id="compare-form" action="/compare/" method="get">', body)
    ticked = re.findall(
        r'<input type="checkbox" name="story" value="(\d+)" form="compare-form">', body
    )
    public = {world.pages[k].pk for k in ("alpha", "bravo", "charlie", "seafood", "voice1")}
    assert set(map(int, ticked)) <= public | {world.pages["voice2"].pk}
    assert len(ticked) >= 2
    assert 'type="submit" form="compare-form"' in body
    response = client.get("/compare/", {"story": ticked[:3]})
    assert response.status_code == 200 and 'data-columns="3"' in response.content.decode()
