"""A vocabulary term reaches a reader only when a story that reader may open uses it.

An industry or a metric can be named after the contributing company ("Zorblax
Seafood", "Workers paid by Zorblax"): the guard refuses the story that uses it, but
the term itself used to be listed on the home page, the dashboard, the metric pages,
suggestions, feeds and the API schema. Here an outsider looks for such terms on
every listing, a member sees the terms of members-only stories, and a term shows up
once a public story uses it (and leaves again when that story goes).
"""

from __future__ import annotations

import pytest
from django.test import Client

from anonymity.members import make_members_only
from casestudies.models import (
    CaseStudyPage,
    Industry,
    MetricDefinition,
    StepKind,
)
from tests.factories import (
    CaseStudyPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    StepKindFactory,
    member_of,
    publish,
    step,
)

pytestmark = pytest.mark.django_db

UNUSED_INDUSTRY = "Zorblax Seafood"  # slug northern-seafood
UNUSED_PRACTICE = "The Zorblax way"  # slug quiet-practice
UNUSED_METRIC = "Workers paid by Zorblax"  # slug workers-paid-on-site
MEMBERS_INDUSTRY = "Cocoa cooperatives"  # used only by a members-only story
MEMBERS_METRIC = "Children back in school"


def _story(title: str, industry, practice, metric, slug: str) -> CaseStudyPage:
    page = CaseStudyPageFactory(
        title=title, slug=slug, industry=industry, intervention_types=[practice]
    )
    MetricResultFactory(page=page, metric=metric)
    return publish(CaseStudyPage.objects.get(pk=page.pk))


@pytest.fixture
def world(search_index):
    public = _story(
        "How a garment maker repaid recruitment fees",
        IndustryFactory(name="Apparel"),
        InterventionTypeFactory(name="Employer pays"),
        MetricDefinitionFactory(name="Workers reached"),
        "garment-fees",
    )
    members = _story(
        "How a cooperative ended child labour",
        IndustryFactory(name=MEMBERS_INDUSTRY),
        InterventionTypeFactory(name="Remediation fund"),
        MetricDefinitionFactory(name=MEMBERS_METRIC),
        "cooperative",
    )
    make_members_only(members)
    IndustryFactory(name=UNUSED_INDUSTRY, slug="northern-seafood")
    InterventionTypeFactory(name=UNUSED_PRACTICE, slug="quiet-practice")
    MetricDefinitionFactory(name=UNUSED_METRIC, slug="workers-paid-on-site")
    return public


@pytest.fixture
def member_user(db):
    return member_of("Quorvane Foods")


@pytest.fixture
def member(member_user):
    client = Client()
    client.force_login(member_user)
    return client


LISTINGS = [
    "/",
    "/impact/",
    "/metrics/",
    "/search/",
    "/search/?industry=northern-seafood&intervention=quiet-practice",
    "/search/suggest/?q=zorb",
    "/search/suggest/?q=the",
    "/search/suggest/?q=coc",
    "/playbooks/",
    "/api/openapi.json",
]


def _body(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_an_outsider_sees_no_term_that_no_public_story_uses(world):
    outsider = Client()
    for url in LISTINGS:
        body = _body(outsider, url)
        for name in ("Zorblax", MEMBERS_INDUSTRY, MEMBERS_METRIC):
            assert name not in body, f"{name} on {url}"
    # The listings do list terms: the public story's.
    assert "Apparel" in _body(outsider, "/") and "Employer pays" in _body(outsider, "/")
    assert "Workers reached" in _body(outsider, "/metrics/")
    assert "Apparel" in _body(outsider, "/impact/")
    assert "Apparel" in _body(outsider, "/search/suggest/?q=app")


def test_an_unused_term_answers_like_an_unknown_one(world):
    outsider = Client()
    for url in (
        "/metrics/workers-paid-on-site/",
        "/metrics/children-back-in-school/",
        "/feeds/industry/northern-seafood/rss/",
        "/feeds/intervention/quiet-practice/rss/",
        "/feeds/industry/cocoa-cooperatives/rss/",
        "/playbooks/quiet-practice/",
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.get("/feeds/industry/no-such-industry/rss/").status_code == 404
    assert outsider.get("/metrics/workers-reached/").status_code == 200
    assert outsider.get("/feeds/industry/apparel/rss/").status_code == 200


def test_the_api_neither_lists_nor_accepts_an_unused_term(world):
    schema = Client().get("/api/openapi.json").json()
    parameters = schema["paths"]["/api/stories/"]["get"]["parameters"]
    industries = next(p for p in parameters if p["name"] == "industry")["schema"]["items"]
    assert industries["enum"] == ["apparel"]
    response = Client().get("/api/stories/?industry=northern-seafood")
    assert response.status_code == 422
    assert "unknown industry: 'northern-seafood'" in response.content.decode()
    assert UNUSED_INDUSTRY not in response.content.decode()


def test_a_member_sees_the_terms_of_members_only_stories_but_no_unused_one(world, member):
    assert MEMBERS_INDUSTRY in _body(member, "/")
    assert MEMBERS_INDUSTRY in _body(member, "/impact/")
    assert MEMBERS_INDUSTRY in _body(member, "/search/suggest/?q=coc")
    assert MEMBERS_METRIC in _body(member, "/metrics/")
    assert MEMBERS_METRIC in _body(member, "/metrics/children-back-in-school/")
    for url in LISTINGS[:-1]:  # the open API is public whoever reads it
        assert "Zorblax" not in _body(member, url), url
    assert member.get("/metrics/workers-paid-on-site/").status_code == 404
    # What the member was shown did not change what outsiders get.
    assert MEMBERS_INDUSTRY not in _body(Client(), "/")


def test_a_term_appears_once_a_public_story_uses_it_and_leaves_with_it(world):
    outsider = Client()
    tea, picking = IndustryFactory(name="Tea estates"), InterventionTypeFactory(name="Grievances")
    metric = MetricDefinitionFactory(name="Grievances resolved")
    assert "Tea estates" not in _body(outsider, "/")  # cached while unused

    story = _story("How a tea estate heard grievances", tea, picking, metric, "tea")
    assert "Tea estates" in _body(outsider, "/")
    assert "Grievances" in _body(outsider, "/impact/")
    assert "Tea estates" in _body(outsider, "/search/suggest/?q=tea")
    assert "Grievances resolved" in _body(outsider, "/metrics/")
    assert outsider.get("/metrics/grievances-resolved/").status_code == 200
    assert outsider.get("/feeds/industry/tea-estates/rss/").status_code == 200
    schema = _body(outsider, "/api/openapi.json")
    assert '"tea-estates"' in schema

    story.unpublish()
    assert "Tea estates" not in _body(outsider, "/")
    assert "Tea estates" not in _body(outsider, "/search/suggest/?q=tea")
    assert '"tea-estates"' not in _body(outsider, "/api/openapi.json")
    assert outsider.get("/metrics/grievances-resolved/").status_code == 404
    assert outsider.get("/feeds/industry/tea-estates/rss/").status_code == 404


def test_one_query_lists_the_terms_in_use(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert [i.name for i in Industry.objects.visible_to(None)] == ["Apparel"]
    with django_assert_num_queries(1):
        assert [m.name for m in MetricDefinition.objects.visible_to(None)] == ["Workers reached"]


def test_a_step_kind_is_in_use_while_a_visible_case_study_takes_that_step(world, member_user):
    repay, unused = StepKindFactory(name="Repay fees"), StepKindFactory(name="Zorblax audit")
    page = CaseStudyPageFactory(title="How a mill repaid fees", steps=[step(kind=repay)])
    page.unpublish()
    assert list(StepKind.objects.visible_to(None)) == []  # only a draft uses it

    page = publish(CaseStudyPage.objects.get(pk=page.pk))
    assert list(StepKind.objects.visible_to(None)) == [repay]
    make_members_only(page)
    assert list(StepKind.objects.visible_to(None)) == []
    assert list(StepKind.objects.visible_to(member_user)) == [repay]
    assert unused not in StepKind.objects.visible_to(member_user)
