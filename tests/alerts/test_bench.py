"""The alerts benchmark runs, reports time and memory, and keeps nothing."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from alerts.models import Follower
from tests.factories import IndustryFactory
from tests.search.helpers import story

pytestmark = pytest.mark.django_db


def test_bench_alerts_matches_and_builds_digests_then_rolls_back(published):
    seafood = IndustryFactory(name="Seafood")
    published(story("Trawler crews repaid recruitment fees", industry=seafood))
    out = StringIO()
    call_command("bench_alerts", searches=300, stories=5, digests=20, stdout=out)
    report = out.getvalue()
    assert re.search(r"matching: 1 stories x 300 followed searches \(\d+ distinct\)", report)
    alerts = int(re.search(r"(\d+) alerts", report).group(1))
    assert 0 < alerts < 300  # some searches match the story, not all
    assert re.search(r"digests: 20 built in [\d.]+s, peak [\d.]+ MiB", report)
    assert not Follower.objects.exists()
