"""Playbooks as a visitor reads them: the usual steps, their figures, and the k rule."""

from __future__ import annotations

import html
import re

from tests.playbooks.world import MEMBERS_DID_NOT_WORK, MEMBERS_PITFALL, MEMBERS_TITLE
from tests.reading import main_text, visible


def section(response, kind_slug: str) -> str:
    """The visible text of one step kind's entry in the usual sequence."""
    body = response.content.decode()
    match = re.search(
        rf'<li class="playbook__step" data-step-kind="{kind_slug}">(.*?)</li>\s*'
        r'(?=<li class="playbook__step"|</ol>)',
        body,
        re.S,
    )
    assert match, f"no entry for {kind_slug}"
    return visible(match.group(1))


def test_the_playbook_lists_the_usual_sequence_of_steps_in_order(client, world):
    response = client.get("/playbooks/employer-pays/")
    assert response.status_code == 200
    order = re.findall(r'data-step-kind="([\w-]+)"', response.content.decode())
    assert order == [
        "map-recruitment-channels",
        "set-a-no-fee-policy",
        "repay-fees",
        "verify-with-workers",
    ]
    assert "Drawn from 4 case studies." in main_text(response)


def test_a_step_taken_by_enough_case_studies_shows_who_how_long_what_cost_and_pitfalls(
    client, world
):
    response = client.get("/playbooks/employer-pays/")
    mapping = section(response, "map-recruitment-channels")
    assert "Taken in 4 of 4 case studies." in mapping
    assert "Sourcing team (4 of 4)" in mapping
    assert "Supplier HR managers (4 of 4)" in mapping
    # 2 weeks, 1 month, 6 weeks, 3 months: the median is between 1 month and 6 weeks.
    assert "shortest 2 weeks, median 5 weeks, longest 3 months (4 steps gave a duration)" in (
        mapping
    )
    assert "No direct cost: 1" in mapping
    assert "Under USD 10,000: 2" in mapping
    assert "USD 10,000 – 100,000: 1" in mapping
    assert "Agencies hid fees as deposits. Case study alpha" in mapping
    body = response.content.decode()
    assert f'href="{world.pages["alpha"].url}"' in body

    repay = section(response, "repay-fees")
    assert "shortest 6 months, median 8 months, longest 1 year" in repay
    assert "Not given: 1" in repay  # charlie gave no cost band


def test_a_step_too_few_case_studies_took_lists_them_without_figures(client, world):
    response = client.get("/playbooks/employer-pays/")
    policy = section(response, "set-a-no-fee-policy")
    assert "Taken in 2 of 4 case studies." in policy
    assert "Fewer than 3 case studies took this step, so no figures are shown." in policy
    assert "Case study alpha Case study charlie" in policy
    assert "How long" not in policy and "Who was usually involved" not in policy


def test_results_show_a_range_per_metric_in_its_unit_with_verification(client, world):
    response = client.get("/playbooks/employer-pays/")
    body = response.content.decode()
    row = re.search(rf'<tr data-metric="{world.repaid.slug}">(.*?)</tr>', body, re.S).group(1)
    row = visible(row)
    # alpha 1,200 (exact), bravo 200,000–500,000 (banded), charlie 4,600 (rounded 4,567).
    assert "1,200 to 500,000 USD" in row
    assert "1,200 to 4,600 USD (2 with a baseline)" in row
    assert "Self-reported: 1; Second-party verified: 1; Independently audited: 1" in row
    assert "4,567" not in body  # the exact figure charlie's page does not show

    workers = re.search(rf'<tr data-metric="{world.workers.slug}">(.*?)</tr>', body, re.S)
    workers = visible(workers.group(1))
    assert "Fewer than 3 case studies report it: no range shown." in workers
    assert "300" not in workers and "500" not in workers


def test_the_playbook_shows_the_risks_addressed_and_the_knowthechain_theme(client, world):
    response = client.get("/playbooks/employer-pays/")
    risks = re.search(
        r"<ul class=\"playbook__risks\" data-risks>(.*?)</ul>", response.content.decode(), re.S
    ).group(1)
    risks = " ".join(html.unescape(re.sub(r"<[^>]+>", "", risks.replace("<li>", " "))).split())
    assert risks == "Debt bondage: 3 of 4 case studies Deception: 1 of 4 case studies"
    assert "KnowTheChain theme: Recruitment" in main_text(response)
    client.force_login(world.member)
    assert "Debt bondage: 4 of 5 case studies" in main_text(client.get("/playbooks/employer-pays/"))


def test_a_playbook_narrowed_to_one_risk_counts_only_the_case_studies_that_addressed_it(
    client, world
):
    whole = client.get("/playbooks/employer-pays/").content.decode()
    assert '<a href="?risk=debt-bondage">Debt bondage: 3 of 4 case studies</a>' in whole

    narrowed = client.get("/playbooks/employer-pays/?risk=debt-bondage")
    assert narrowed.status_code == 200
    page = main_text(narrowed)
    assert "Employer pays, against debt bondage" in page
    assert "Only the case studies that addressed debt bondage" in page
    assert "Debt bondage: 3 of 3 case studies" in page
    suppressed = '<p class="notice" data-suppressed>'
    assert suppressed not in narrowed.content.decode(), "3 case studies: figures are shown"

    # One case study addressed deception: too few for any figure, listed only.
    few = client.get("/playbooks/employer-pays/?risk=deception")
    assert few.status_code == 200
    assert suppressed in few.content.decode()

    # An indicator no visible story addresses answers like an unknown one.
    assert client.get("/playbooks/employer-pays/?risk=isolation").status_code == 404
    assert client.get("/playbooks/employer-pays/?risk=no-such-risk").status_code == 404


def test_what_did_not_work_is_quoted_with_links(client, world):
    page = main_text(client.get("/playbooks/employer-pays/"))
    quote = "Asking suppliers to self-certify did not surface any fees."
    assert f"{quote} Case study alpha" in page
    assert f"{quote} Case study seafood" in page


def test_members_only_case_studies_count_only_for_members(client, world):
    outsider = client.get("/playbooks/employer-pays/")
    for secret in (MEMBERS_TITLE, MEMBERS_PITFALL, MEMBERS_DID_NOT_WORK, "777,777", "3 years"):
        assert secret not in main_text(outsider)

    client.force_login(world.member)
    member = client.get("/playbooks/employer-pays/")
    assert "private" in member["Cache-Control"] and "no-store" in member["Cache-Control"]
    page = main_text(member)
    assert "Drawn from 5 case studies you may read." in page
    mapping = section(member, "map-recruitment-channels")
    assert "Taken in 5 of 5 case studies." in mapping
    assert "median 6 weeks, longest 3 years" in mapping
    assert f"{MEMBERS_PITFALL} {MEMBERS_TITLE}" in mapping
    assert MEMBERS_DID_NOT_WORK in page
    assert "1,200 to 777,777 USD" in page


def test_with_fewer_than_k_case_studies_the_playbook_only_lists_them(client, world):
    """Worker voice: two public case studies, and a members-only third."""
    response = client.get("/playbooks/worker-voice/")
    assert response.status_code == 200
    page = main_text(response)
    assert "Fewer than 3 case studies describe this practice" in page
    assert "Case study voice1" in page and "Case study voice2" in page
    body = response.content.decode()
    assert "data-step-kind" not in body and "data-metric" not in body
    assert "months" not in page  # no durations drawn from two stories

    client.force_login(world.member)
    member = client.get("/playbooks/worker-voice/")
    assert "Drawn from 3 case studies you may read." in main_text(member)
    assert "describe this practice" not in main_text(member)
    assert "Taken in 2 of 3 case studies." in section(member, "verify-with-workers")


def test_an_industry_playbook_is_offered_only_when_enough_case_studies_exist(client, world):
    body = client.get("/playbooks/employer-pays/").content.decode()
    assert 'href="/playbooks/employer-pays/apparel/"' in body
    assert 'href="/playbooks/employer-pays/seafood/"' not in body  # one case study

    apparel = client.get("/playbooks/employer-pays/apparel/")
    assert apparel.status_code == 200
    page = main_text(apparel)
    assert "Employer pays in Apparel" in page and "Drawn from 3 case studies." in page
    assert "Case study seafood" not in page
    assert "shortest 2 weeks, median 1 month, longest 6 weeks" in section(
        apparel, "map-recruitment-channels"
    )

    seafood = client.get("/playbooks/employer-pays/seafood/")
    assert seafood.status_code == 200
    assert "Fewer than 3 case studies describe this practice in this industry" in main_text(seafood)


def test_unknown_slugs_answer_404(client, world):
    assert client.get("/playbooks/no-such-practice/").status_code == 404
    assert client.get("/playbooks/employer-pays/no-such-industry/").status_code == 404


def test_the_index_lists_every_practice_with_its_case_studies(client, world):
    response = client.get("/playbooks/")
    assert response.status_code == 200
    page = main_text(response)
    assert "Employer pays 4 case studies" in page
    assert "Worker voice 2 case studies" in page
    client.force_login(world.member)
    assert "Worker voice 3 case studies" in main_text(client.get("/playbooks/"))


def test_a_playbook_offers_its_case_studies_for_comparison(client, world):
    body = client.get("/playbooks/employer-pays/").content.decode()
    form = re.search(
        r'<form class="compare-picker" action="/compare/" method="get">(.*?)</form>', body, re.S
    ).group(1)
    ticked = re.findall(r'<input type="checkbox" name="story" value="(\d+)"', form)
    assert sorted(map(int, ticked)) == sorted(
        world.pages[k].pk for k in ("alpha", "bravo", "charlie", "seafood")
    )
    # What the form sends is a comparison.
    response = client.get("/compare/", {"story": ticked[:2]})
    assert response.status_code == 200
    assert 'data-columns="2"' in response.content.decode()
