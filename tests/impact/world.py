"""A small world of case studies whose figures are computed by hand in the tests.

Workers reached (workers), change = result - baseline:

    page      industry  interventions     verification           change  period ends
    apparel1  apparel   fees              independently-audited   300     2022
    apparel2  apparel   fees, grievance   self-reported          1000     2022
    seafood1  seafood   grievance         second-party            200.50  2022
    seafood2  seafood   fees              self-reported            10     2022
    apparel3  apparel   fees              independently-audited     5     2023
    members   apparel   fees              self-reported         99999     (members-only)
    draft     apparel   fees              self-reported         88888     (never published)

Fees repaid (USD) is reported by apparel1 and seafood1 only: fewer than three.
Every result is published exactly (with months), so the arithmetic is checked to the cent;
tests/impact/test_precision.py covers rounded and banded results.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from wagtail.models import PageViewRestriction

from tests import factories


@dataclass
class World:
    workers: object
    fees: object
    pages: dict


def build_world() -> World:
    apparel = factories.IndustryFactory(name="Apparel")
    seafood = factories.IndustryFactory(name="Seafood")
    fees = factories.InterventionTypeFactory(name="Employer pays")
    grievance = factories.InterventionTypeFactory(name="Grievance channel")
    asia = factories.RegionFactory(name="South Asia")
    workers = factories.MetricDefinitionFactory(name="Workers reached", unit="workers")
    fees_repaid = factories.MetricDefinitionFactory(
        name="Recruitment fees repaid", unit="USD", framework="ILO indicator: debt bondage"
    )

    rows = [
        ("apparel1", apparel, [fees], "independently-audited", "100", "400", 2022),
        ("apparel2", apparel, [fees, grievance], "self-reported", "0", "1000", 2022),
        ("seafood1", seafood, [grievance], "second-party", "50", "250.50", 2022),
        ("seafood2", seafood, [fees], "self-reported", "10", "20", 2022),
        ("apparel3", apparel, [fees], "independently-audited", "0", "5", 2023),
        ("members", apparel, [fees], "self-reported", "1", "100000", 2022),
        ("draft", apparel, [fees], "self-reported", "2", "88890", 2022),
    ]
    pages = {}
    for key, industry, interventions, level, baseline, result, year in rows:
        page = factories.CaseStudyPageFactory(
            title=f"Case study {key}",
            slug=key,
            industry=industry,
            region=asia,
            intervention_types=interventions,
            year_started=year - 1,
            year_ended=year,
            live=key != "draft",
        )
        factories.MetricResultFactory(
            page=page,
            metric=workers,
            baseline=Decimal(baseline),
            result=Decimal(result),
            verification=level,
            precision="exact",
            period_detail="months",
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
        )
        if key in ("apparel1", "seafood1"):
            factories.MetricResultFactory(
                page=page,
                metric=fees_repaid,
                baseline=Decimal("0"),
                result=Decimal("12345.67") if key == "apparel1" else Decimal("800"),
                verification=level,
                precision="exact",
                period_detail="months",
            )
        if key != "draft":
            factories.publish(page)
        pages[key] = page
    PageViewRestriction.objects.create(
        page=pages["members"], restriction_type=PageViewRestriction.LOGIN
    )
    return World(workers=workers, fees=fees_repaid, pages=pages)
