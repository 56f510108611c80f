"""The demo content as data: TOML files in ``data/`` read once, with stdlib ``tomllib``.

``vocabulary.toml`` holds the shared vocabularies (also used by the benchmark corpus),
``case_studies.toml`` and ``bright_spots.toml`` the stories word for word, and
``private_words.toml`` the invented words their fictional confidential fields are made of
(for the tests that look for leaks).
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

# Newest first: the loader spreads publication dates over two years in this order.
CASE_STUDIES: list[dict] = read("case_studies")["case_studies"]
BRIGHT_SPOTS: list[dict] = read("bright_spots")["bright_spots"]
