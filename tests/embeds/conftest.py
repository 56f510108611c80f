"""Stories as partners find them: public, draft, members-only, with secrets that must not leak."""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from tests import factories

SECRETS = ["Acme Hidden Garments Ltd", "Sunrise Spinning Mill No. 4", "consent: J. Doe 2024-03-01"]


def with_secrets(**kwargs) -> dict:
    return {
        "contributing_company": SECRETS[0],
        "confidential_terms": SECRETS[1],
        "attribution_consent_record": SECRETS[2],
        "reidentification_override": "Only two firms share these attributes; accepted.",
        **kwargs,
    }


@pytest.fixture
def apparel():
    return factories.IndustryFactory(name="Apparel", slug="apparel")


@pytest.fixture
def seafood():
    return factories.IndustryFactory(name="Seafood", slug="seafood")


@pytest.fixture
def employer_pays():
    return factories.InterventionTypeFactory(name="Employer pays", slug="employer-pays")


@pytest.fixture
def case_study(apparel, employer_pays):
    page = factories.CaseStudyPageFactory(
        title="How a garment maker repaid recruitment fees",
        slug="garment-fees",
        industry=apparel,
        region=factories.RegionFactory(name="South Asia", slug="south-asia"),
        intervention_types=[employer_pays],
        stages=[factories.SupplyChainStageFactory(name="Manufacturing", slug="manufacturing")],
        hero_image=factories.StoryImageFactory(),
        hero_alt="Workers at a training session",
        year_started=2020,
        year_ended=2022,
        **with_secrets(),
    )
    factories.MetricResultFactory(
        page=page,
        metric=factories.MetricDefinitionFactory(name="Workers repaid", slug="workers-repaid"),
        baseline=0,
        result=1500,
        verification="independently-audited",
    )
    return factories.publish(page)


@pytest.fixture
def bright_spot(seafood):
    page = factories.BrightSpotPageFactory(
        title="Fees repaid to 1,200 fishers",
        slug="fishers-repaid",
        industry=seafood,
        region=factories.RegionFactory(name="South-East Asia", slug="south-east-asia"),
        metric=factories.MetricDefinitionFactory(
            name="Fees repaid", slug="fees-repaid", unit="USD"
        ),
        metric_value=250000,
        verification="second-party",
        year_started=2023,
        year_ended=None,
        **with_secrets(),
    )
    return factories.publish(page)


@pytest.fixture
def draft_story(apparel):
    return factories.CaseStudyPageFactory(
        title="A draft not yet published", slug="draft", industry=apparel, live=False
    )


@pytest.fixture
def members_only_story(apparel):
    page = factories.publish(
        factories.CaseStudyPageFactory(
            title="A members-only practice", slug="members-only", industry=apparel
        )
    )
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    assert "Only two firms share these attributes" not in text
