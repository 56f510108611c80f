"""Turn story outlines and fragments into page field values.

Every choice comes from a random generator seeded by the story's title, so the
same outline always gives the same text (loading stays idempotent and
reproducible) while different stories pick different fragments.
"""

from __future__ import annotations

import datetime
import random
import zlib
from decimal import Decimal

from django.utils.text import slugify

from .files import (
    CLOSING_STEPS,
    GENERIC_DID_NOT_WORK,
    GENERIC_LESSONS,
    INDUSTRIES,
    INDUSTRY_TEXT,
    INTERVENTION_TEXT,
    INTERVENTIONS,
    METRICS,
    OPENING_STEPS,
    REGION_TEXT,
    TRIGGERS,
    VERIFICATION_SENTENCES,
)
from .stories import PRIVATE_GIVEN_NAMES, PRIVATE_WORDS, BrightOutline, CaseOutline

METRICS_BY_SLUG = {m["slug"]: m for m in METRICS}
INDUSTRIES_BY_SLUG = {i["slug"]: i for i in INDUSTRIES}
INTERVENTIONS_BY_SLUG = {i["slug"]: i for i in INTERVENTIONS}
VERIFICATION_CYCLE = ["self-reported", "second-party", "independently-audited"]

# Which practice a headline metric speaks for, to pick a fitting bright-spot sentence.
METRIC_PRACTICES = {
    "recruitment-fees-repaid": ["employer-pays"],
    "average-recruitment-debt": ["employer-pays", "remediation"],
    "wages-repaid": ["remediation"],
    "workers-holding-own-documents": ["document-retention", "remediation"],
    "workers-paid-on-time": ["responsible-purchasing", "remediation"],
    "average-weekly-overtime": ["responsible-purchasing"],
    "grievances-resolved": ["worker-voice"],
    "days-to-resolve-grievance": ["worker-voice"],
    "audit-findings-remediated": ["independent-audits"],
    "suppliers-trained": ["supplier-capacity-building"],
    "sites-mapped": ["traceability"],
}


def rng_for(key: str) -> random.Random:
    return random.Random(zlib.crc32(key.encode()))


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def number(value: float | Decimal | None) -> str:
    """1850000 -> '1,850,000'; 8.5 -> '8.5'."""
    if value is None:
        return ""
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def result_sentence(metric_slug: str, baseline, result) -> str:
    phrase = METRICS_BY_SLUG[metric_slug]["phrase"]
    return phrase.format(b=number(baseline), r=number(result))


def _words(outline: CaseOutline | BrightOutline, actor: str, co: str) -> dict[str, str]:
    industry = INDUSTRY_TEXT[outline.industry]
    return {
        "actor": actor,
        "co": co,
        "workers": industry["workers"],
        "suppliers": industry["suppliers"],
        "sites": industry["sites"],
    }


def _fill(text: str, words: dict[str, str]) -> str:
    return text.format_map(words)


def _paragraphs(items: list[str]) -> str:
    return "".join(f"<p>{item}</p>" for item in items)


def _bullets(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _pick_in_order(rng: random.Random, items: list, k: int) -> list:
    chosen = sorted(rng.sample(range(len(items)), min(k, len(items))))
    return [items[i] for i in chosen]


def private_fields(rng: random.Random) -> dict[str, str]:
    """Fictional names for the confidential fields, made of invented words only."""
    w = rng.sample(PRIVATE_WORDS, 5)
    suffix = rng.choice(["Ltd", "Holdings", "Group", "GmbH", "S.A.", "& Co."])
    kind = rng.choice(["Industries", "Trading", "Processing", "Manufacturing", "Services"])
    place = rng.choice(["Mill", "Plant", "Estate", "Yard", "Camp", "Depot"])
    return {
        "contributing_company": f"{w[0]} {w[1]} {suffix}",
        "confidential_terms": "\n".join(
            [
                f"{w[2]} {kind} Ltd",
                f"{w[3]} {place} No. {rng.randint(2, 9)}",
                f"{rng.choice(PRIVATE_GIVEN_NAMES)} {w[4]}",
            ]
        ),
        "reidentification_override": "Demo content: the contributing company is fictional.",
    }


def hero_alt(industry_slug: str) -> str:
    industry = INDUSTRIES_BY_SLUG[industry_slug]
    return (
        f"Abstract illustration: overlapping circles and diagonal bands in "
        f"{industry['colours']}, the colours of {industry['name'].lower()} stories."
    )


def risks_addressed(interventions: list[str]) -> list[str]:
    """The lead practice's forced-labour indicators, then the first of each other practice's:
    one to three per story."""
    primary, *others = [INTERVENTIONS_BY_SLUG[slug]["risks"] for slug in interventions]
    risks = list(primary) + [risks[0] for risks in others]
    return list(dict.fromkeys(risks))[:3]


def _years(outline, published: datetime.datetime) -> tuple[int, int | None]:
    start = published.year - outline.started
    end = None if outline.ended is None else published.year - outline.ended
    return start, end


def case_study_fields(outline: CaseOutline, index: int, published: datetime.datetime) -> dict:
    """Plain data for ``casestudies.building``: page fields, tag slugs, steps whose kind is a
    slug, and `results` as MetricResult fields whose metric is a slug."""
    rng = rng_for(outline.title)
    words = _words(outline, outline.actor, outline.co)
    primary, *others = [INTERVENTION_TEXT[slug] for slug in outline.interventions]
    year_started, year_ended = _years(outline, published)

    challenge = _paragraphs(
        [
            _fill(rng.choice(INDUSTRY_TEXT[outline.industry]["context"]), words),
            _fill(f"{REGION_TEXT[outline.region]} {rng.choice(primary['problem'])}", words),
            _fill(rng.choice(TRIGGERS), words),
        ]
    )

    steps = []
    if rng.random() < 0.5:
        steps.append(rng.choice(OPENING_STEPS))
    steps += _pick_in_order(rng, primary["steps"], rng.choice([2, 3]))
    for other in others:
        steps += _pick_in_order(rng, other["steps"], 1)
    if rng.random() < 0.7:
        steps.append(rng.choice(CLOSING_STEPS))
    steps = [("step", {key: _fill(value, words) for key, value in s.items()}) for s in steps]

    failures = [rng.choice(primary["did_not_work"])]
    failures += [rng.choice(other["did_not_work"]) for other in others]
    if rng.random() < 0.4:
        failures.append(rng.choice(GENERIC_DID_NOT_WORK))
    failures = [_fill(f, words) for f in failures]
    what_did_not_work = _bullets(failures) if rng.random() < 0.5 else _paragraphs(failures)

    lessons = _pick_in_order(rng, primary["lessons"], 2)
    lessons += [rng.choice(other["lessons"]) for other in others]
    lessons.append(rng.choice(GENERIC_LESSONS))

    first_metric, first_baseline, first_result = outline.results[0]
    by_when = f"By {year_ended}" if year_ended else "So far"
    summary = (
        f"{capitalise(outline.actor)} {_fill(rng.choice(primary['summary']), words)}. "
        f"{by_when}, {result_sentence(first_metric, first_baseline, first_result)}."
    )

    last_full_month = published.date().replace(day=1) - datetime.timedelta(days=1)
    period_start = datetime.date(year_started, 1, 1)
    if year_ended is not None and year_ended < published.year:
        period_end = datetime.date(year_ended, 12, 31)
    else:
        period_end = last_full_month
    results = []
    for n, (metric_slug, baseline, result) in enumerate(outline.results):
        metric = METRICS_BY_SLUG[metric_slug]
        results.append(
            {
                "metric": metric_slug,
                "baseline": None if baseline is None else Decimal(str(baseline)),
                "result": Decimal(str(result)),
                "unit": metric["unit"],
                "period_start": period_start,
                "period_end": max(period_end, period_start),
                "verification": VERIFICATION_CYCLE[(index + n) % len(VERIFICATION_CYCLE)],
                "note": metric["note"] if rng.random() < 0.6 else "",
            }
        )

    return {
        "title": outline.title,
        "slug": slugify(outline.title),
        "summary": summary,
        "challenge": challenge,
        "steps": steps,
        "what_did_not_work": what_did_not_work,
        "lessons": _bullets(lessons),
        "featured": outline.featured,
        "size_band": outline.size,
        "year_started": year_started,
        "year_ended": year_ended,
        "hero_alt": hero_alt(outline.industry),
        "results": results,
        "industry": outline.industry,
        "region": outline.region,
        "intervention_types": outline.interventions,
        "stages": outline.stages,
        "risks_addressed": risks_addressed(outline.interventions),
        **private_fields(rng),
    }


def bright_spot_fields(
    outline: BrightOutline,
    case: CaseOutline | None,
    case_fields: dict | None,
    published: datetime.datetime,
) -> dict:
    """Plain data for ``casestudies.building``; a linked one takes its tags from the case
    study."""
    rng = rng_for(outline.title)
    source = case or outline
    words = _words(source, source.actor, "")
    practices = METRIC_PRACTICES.get(outline.metric, [])
    practice = next((p for p in source.interventions if p in practices), source.interventions[0])
    clause = outline.clause or _fill(rng.choice(INTERVENTION_TEXT[practice]["bright"]), words)
    baseline = outline.baseline
    if case is not None:
        baseline = next((b for m, b, _ in case.results if m == outline.metric), None)
    metric = METRICS_BY_SLUG[outline.metric]
    if "{b}" in metric["phrase"] and baseline is None:
        raise ValueError(f"Bright spot '{outline.title}' needs a baseline for its sentence.")
    body = (
        f"{capitalise(source.actor)} {clause}. "
        f"{capitalise(result_sentence(outline.metric, baseline, outline.value))}. "
        f"{VERIFICATION_SENTENCES[outline.verification]}"
    )
    if case_fields is not None:
        year_started, year_ended = case_fields["year_started"], case_fields["year_ended"]
    else:
        year_started, year_ended = _years(outline, published)
    return {
        "title": outline.title,
        "slug": slugify(outline.title),
        "body": body,
        "metric": outline.metric,
        "metric_value": Decimal(str(outline.value)),
        "metric_unit": metric["unit"],
        "verification": outline.verification,
        "size_band": source.size,
        "year_started": year_started,
        "year_ended": year_ended,
        "industry": source.industry,
        "region": source.region,
        "intervention_types": source.interventions,
        "stages": source.stages,
        "risks_addressed": risks_addressed(source.interventions),
        "hero_alt": hero_alt(source.industry),
        **private_fields(rng),
    }
