"""Outlines of the demo stories (data/stories.toml): who, where, what they did and achieved.

Actors are always anonymous descriptions ("a global apparel brand"). Years are
relative to each story's publication date so the demo never tells of the future:
`started` is how many years before publication the work began, `ended` how many
years before publication it ended (None: ongoing). Results are
(metric slug, baseline or None, result).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .files import read


@dataclass(frozen=True)
class CaseOutline:
    title: str
    actor: str  # first mention, indefinite: "a global apparel brand"
    co: str  # short noun used as "the {co}": "brand"
    industry: str
    region: str
    interventions: list[str]  # the first one leads the story
    stages: list[str]
    size: str
    started: int
    ended: int | None
    results: list[tuple[str, float | None, float]]
    featured: bool = False


@dataclass(frozen=True)
class BrightOutline:
    title: str
    metric: str
    value: float
    verification: str
    case_study: str | None = None  # title of the case study it links to; tags come from it
    actor: str = ""
    industry: str = ""
    region: str = ""
    interventions: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    size: str = "large"
    started: int = 2
    ended: int | None = 1
    baseline: float | None = None  # for standalone spots whose metric sentence needs one
    clause: str = ""  # what the company did, when the intervention's stock phrases do not fit


def _case(row: dict) -> CaseOutline:
    row = dict(row)
    if row.pop("ongoing", False):
        row["ended"] = None
    row["results"] = [(r["metric"], r.get("baseline"), r["result"]) for r in row["results"]]
    return CaseOutline(**row)


def _bright(row: dict) -> BrightOutline:
    row = dict(row)
    if row.pop("ongoing", False):
        row["ended"] = None
    return BrightOutline(**row)


_stories = read("stories")
CASE_STUDIES = [_case(row) for row in _stories["case_studies"]]
BRIGHT_SPOTS = [_bright(row) for row in _stories["bright_spots"]]
# Invented words for the private fields (contributing company, suppliers, sites,
# people). None of them may ever appear in public text; tests check that.
PRIVATE_WORDS: list[str] = _stories["private_words"]
PRIVATE_GIVEN_NAMES: list[str] = _stories["private_given_names"]
