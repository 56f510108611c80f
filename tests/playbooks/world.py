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


def _step(kinds: dict, story: str, text: str, pitfalls: dict):
    """A step from its line in ``build_world``'s table: "repay 6 months 100k-1m"."""
    key, number, unit, cost = text.split()
    kind, duration = kinds[key], f"{number} {unit}"
    return factories.step(
        heading=f"{kind.name} ({duration})",
        kind=kind,
        duration=duration,
        cost_band="" if cost == "-" else cost,
        pitfalls=pitfalls.get((story, key), ""),
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
    # Each case study: industry, interventions and the ILO indicators it addressed.
    stories = {
        "alpha": (apparel, [fees], ["debt-bondage", "deception"]),
        "bravo": (apparel, [fees], ["debt-bondage"]),
        "charlie": (apparel, [fees], ["debt-bondage"]),
        "seafood": (seafood, [fees], []),
        "voice1": (apparel, [voice], []),
        "voice2": (apparel, [voice], []),
        "members": (apparel, [fees, voice], ["debt-bondage"]),
    }
    steps = {  # each step's kind, duration and cost band, in order ("-": no cost band)
        "alpha": "map 2 weeks under-10k, policy 1 month none, repay 6 months 100k-1m",
        "bravo": "map 1 month under-10k, repay 1 year 10k-100k, verify 3 months none",
        "charlie": "policy 2 weeks none, map 6 weeks 10k-100k, repay 9 months -",
        "seafood": "map 3 months none, repay 6 months 10k-100k",
        "voice1": "verify 2 months none",
        "voice2": "verify 4 months none",
        "members": "map 3 years under-10k, repay 1 year 100k-1m",
    }
    pitfalls = {
        ("alpha", "map"): "Agencies hid fees as deposits.",
        ("alpha", "repay"): "Repay through payroll.",
        ("members", "map"): MEMBERS_PITFALL,
    }
    members_only = {
        "title": MEMBERS_TITLE,
        "what_did_not_work": f"<p>{MEMBERS_DID_NOT_WORK}</p>",
    }
    pages = {}
    for key, (industry, interventions, risks) in stories.items():
        fields = {"title": f"Case study {key}", "region": region, "risks_addressed": risks}
        fields |= members_only if key == "members" else {}
        pages[key] = factories.CaseStudyPageFactory(
            slug=key,
            industry=industry,
            intervention_types=interventions,
            steps=[_step(kinds, key, text, pitfalls) for text in steps[key].split(", ")],
            **fields,
        )
    results = [  # story, metric, baseline, result, precision, verification
        ("alpha", repaid, "0", "1200", "exact", "independently-audited"),
        ("bravo", repaid, None, "412345", "banded", "second-party"),
        ("charlie", repaid, "0", "4567", "rounded", "self-reported"),
        ("members", repaid, "0", "777777", "exact", "self-reported"),
        ("alpha", workers, "0", "300", "exact", "self-reported"),
        ("bravo", workers, "0", "500", "exact", "self-reported"),
    ]
    period = {"period_start": datetime.date(2022, 1, 1), "period_end": datetime.date(2022, 12, 31)}
    for key, metric, baseline, result, precision, level in results:
        baseline = None if baseline is None else Decimal(baseline)
        factories.MetricResultFactory(
            page=pages[key],
            metric=metric,
            baseline=baseline,
            result=Decimal(result),
            precision=precision,
            verification=level,
            **period,
        )
    pages = {key: factories.publish(page) for key, page in pages.items()}

    member = factories.member_of("Member company", username="member")
    make_members_only(pages["members"])
    return PlaybookWorld(fees, voice, apparel, seafood, kinds, repaid, workers, pages, member)
