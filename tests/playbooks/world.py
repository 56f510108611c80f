"""Case studies of two practices, with step kinds, whose playbook figures are worked out by hand.

Employer pays (REIDENTIFICATION_K is 3):

    story     industry  steps (kind: duration, cost band)                         public
    alpha     apparel   map 2 weeks <10k; policy 1 month none; repay 6 months 100k-1m  yes
    bravo     apparel   map 1 month <10k; repay 1 year 10k-100k; verify 3 months none  yes
    charlie   apparel   policy 2 weeks none; map 6 weeks 10k-100k; repay 9 months      yes
    seafood   seafood   map 3 months none; repay 6 months 10k-100k                      yes
    members   apparel   map 3 years <10k; repay 1 year 100k-1m                         members

For outsiders: map in 4 case studies (usual position first; 2 weeks / 5 weeks / 3 months),
policy in 2 (too few), repay in 4, verify in 1 (too few). Members see map in 5 (longest
3 years, median 6 weeks).

Recruitment fees repaid (USD): alpha 0 → 1,200 exact, independently audited; bravo
412,345 banded (200,000–500,000), second-party; charlie 0 → 4,567 rounded (4,600),
self-reported; members 0 → 777,777 exact. Workers reached: alpha and bravo only (too few).

Risks addressed: debt bondage (alpha, bravo, charlie, members), deception (alpha).
Employer pays has the KnowTheChain theme "Recruitment".

Worker voice: voice1 and voice2 (public, apparel) and the members-only story: two for an
outsider (a list, no figures), three for a member.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from anonymity.members import make_members_only
from tests import factories

MEMBERS_TITLE = "Quillon cooperative repays its brokers"
MEMBERS_PITFALL = "The Quillon ledger hid a second fee."
MEMBERS_DID_NOT_WORK = "Ombrelle hotline calls went unanswered."


@dataclass
class PlaybookWorld:
    fees: object  # InterventionType "Employer pays"
    voice: object
    apparel: object
    seafood: object
    kinds: dict
    repaid: object  # MetricDefinition
    workers: object
    pages: dict
    member: object


def _step(kind, duration, cost, **values):
    return factories.step(
        heading=f"{kind.name} ({duration})", kind=kind, duration=duration, cost_band=cost, **values
    )


def build_world() -> PlaybookWorld:
    apparel, seafood = (
        factories.IndustryFactory(name="Apparel"),
        factories.IndustryFactory(name="Seafood"),
    )
    region = factories.RegionFactory(name="South Asia")
    fees = factories.InterventionTypeFactory(
        name="Employer pays",
        description="Employers pay all fees.",
        knowthechain_theme="recruitment",
    )
    voice = factories.InterventionTypeFactory(name="Worker voice")
    kinds = {
        key: factories.StepKindFactory(name=name)
        for key, name in [
            ("map", "Map recruitment channels"),
            ("policy", "Set a no-fee policy"),
            ("repay", "Repay fees"),
            ("verify", "Verify with workers"),
        ]
    }
    repaid = factories.MetricDefinitionFactory(name="Recruitment fees repaid", unit="USD")
    workers = factories.MetricDefinitionFactory(name="Workers reached", unit="workers")
    k = kinds
    rows = {
        "alpha": (
            apparel,
            [fees],
            [
                _step(k["map"], "2 weeks", "under-10k", pitfalls="Agencies hid fees as deposits."),
                _step(k["policy"], "1 month", "none", pitfalls=""),
                _step(k["repay"], "6 months", "100k-1m", pitfalls="Repay through payroll."),
            ],
        ),
        "bravo": (
            apparel,
            [fees],
            [
                _step(k["map"], "1 month", "under-10k", pitfalls=""),
                _step(k["repay"], "1 year", "10k-100k", pitfalls=""),
                _step(k["verify"], "3 months", "none", pitfalls=""),
            ],
        ),
        "charlie": (
            apparel,
            [fees],
            [
                _step(k["policy"], "2 weeks", "none", pitfalls=""),
                _step(k["map"], "6 weeks", "10k-100k", pitfalls=""),
                _step(k["repay"], "9 months", "", pitfalls=""),
            ],
        ),
        "seafood": (
            seafood,
            [fees],
            [
                _step(k["map"], "3 months", "none", pitfalls=""),
                _step(k["repay"], "6 months", "10k-100k", pitfalls=""),
            ],
        ),
        "voice1": (apparel, [voice], [_step(k["verify"], "2 months", "none", pitfalls="")]),
        "voice2": (apparel, [voice], [_step(k["verify"], "4 months", "none", pitfalls="")]),
        "members": (
            apparel,
            [fees, voice],
            [
                _step(k["map"], "3 years", "under-10k", pitfalls=MEMBERS_PITFALL),
                _step(k["repay"], "1 year", "100k-1m", pitfalls=""),
            ],
        ),
    }
    risks = {
        "alpha": ["debt-bondage", "deception"],
        "bravo": ["debt-bondage"],
        "charlie": ["debt-bondage"],
        "members": ["debt-bondage"],
    }
    pages = {}
    for key, (industry, interventions, steps) in rows.items():
        extra = {"risks_addressed": risks.get(key, [])}
        if key == "members":
            extra["title"] = MEMBERS_TITLE
            extra["what_did_not_work"] = f"<p>{MEMBERS_DID_NOT_WORK}</p>"
        pages[key] = factories.CaseStudyPageFactory(
            slug=key,
            industry=industry,
            region=region,
            intervention_types=interventions,
            steps=steps,
            **{"title": f"Case study {key}", **extra},
        )
    results = [
        ("alpha", repaid, "0", "1200", "exact", "independently-audited"),
        ("bravo", repaid, None, "412345", "banded", "second-party"),
        ("charlie", repaid, "0", "4567", "rounded", "self-reported"),
        ("members", repaid, "0", "777777", "exact", "self-reported"),
        ("alpha", workers, "0", "300", "exact", "self-reported"),
        ("bravo", workers, "0", "500", "exact", "self-reported"),
    ]
    for key, metric, baseline, result, precision, level in results:
        factories.MetricResultFactory(
            page=pages[key],
            metric=metric,
            baseline=None if baseline is None else Decimal(baseline),
            result=Decimal(result),
            precision=precision,
            verification=level,
            period_start=datetime.date(2022, 1, 1),
            period_end=datetime.date(2022, 12, 31),
        )
    pages = {key: factories.publish(page) for key, page in pages.items()}

    member = factories.member_of("Member company", username="member")
    make_members_only(pages["members"])
    return PlaybookWorld(
        fees=fees,
        voice=voice,
        apparel=apparel,
        seafood=seafood,
        kinds=kinds,
        repaid=repaid,
        workers=workers,
        pages=pages,
        member=member,
    )
