"""The demo's text as data: TOML files in ``data/`` read once, with stdlib ``tomllib``.

``vocabulary.toml`` holds the shared vocabularies (also used by the benchmark corpus),
``fragments.toml`` the hand-written text fragments stories are composed from and
``stories.toml`` the story outlines (read by ``stories.py``).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def read(name: str) -> dict:
    with (DATA / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


_vocabulary = read("vocabulary")
INDUSTRIES: list[dict] = [
    {**row, "palette": tuple(tuple(colour) for colour in row["palette"])}
    for row in _vocabulary["industries"]
]
INTERVENTIONS: list[dict] = _vocabulary["interventions"]
STAGES: list[dict] = _vocabulary["stages"]
REGIONS: list[dict] = _vocabulary["regions"]
METRICS: list[dict] = _vocabulary["metrics"]
STEP_KINDS: list[dict] = _vocabulary["step_kinds"]

_fragments = read("fragments")
INDUSTRY_TEXT: dict[str, dict] = _fragments["industry_text"]
REGION_TEXT: dict[str, str] = _fragments["region_text"]
TRIGGERS: list[str] = _fragments["triggers"]
OPENING_STEPS: list[dict] = _fragments["opening_steps"]
CLOSING_STEPS: list[dict] = _fragments["closing_steps"]
GENERIC_DID_NOT_WORK: list[str] = _fragments["generic_did_not_work"]
GENERIC_LESSONS: list[str] = _fragments["generic_lessons"]
VERIFICATION_SENTENCES: dict[str, str] = _fragments["verification_sentences"]
INTERVENTION_TEXT: dict[str, dict] = _fragments["intervention_text"]
