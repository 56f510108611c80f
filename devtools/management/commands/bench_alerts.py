"""Benchmark: matching new stories to followed searches, and building weekly digests.

Development only (devtools). The measuring is ``devtools.alerts_bench.measure``, which
``manage.py bench`` runs too: synthetic followed searches stored in a transaction that
is rolled back, matched against live stories already in the index (``load_demo_content``
or ``load_benchmark_data`` first), and one digest built per address, with peak memory.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from devtools.alerts_bench import DIGESTS, SEARCHES, STORIES, NoStories, describe, measure


class Command(BaseCommand):
    help = (
        "Time matching N followed searches against M new stories and building weekly "
        "digests (development only; nothing is kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--searches", type=int, default=SEARCHES)
        parser.add_argument("--stories", type=int, default=STORIES)
        parser.add_argument("--digests", type=int, default=DIGESTS, help="digests to build")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, searches, stories, digests, seed, **options):
        try:
            report = measure(searches, stories, digests, seed)
        except NoStories as exc:
            raise CommandError(str(exc)) from exc
        for line in describe(report):
            self.stdout.write(line)
