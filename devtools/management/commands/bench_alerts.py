"""Benchmark: matching new stories to followed searches, and building weekly digests.

Development only (devtools). Builds many synthetic followed searches in a transaction
that is rolled back at the end, then times ``alerts.matching`` for live stories already
in the index (``load_demo_content`` or ``load_benchmark_data`` first) and the building
of one digest per address, with tracemalloc's peak memory.
"""

from __future__ import annotations

import random
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from alerts.delivery import build_message
from alerts.matching import NotIndexedYet, matching_keys, search_groups, story_document
from alerts.models import WEEKLY, FollowedSearch, Follower, search_key
from casestudies.models import STORY_MODELS, Industry, InterventionType, Region, SupplyChainStage

WORDS = ["fees", "recruitment", "wages", "grievance", "audit", "housing", "debt", "overtime"]


class _RolledBack(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time matching N followed searches against M new stories and building weekly "
        "digests (development only; nothing is kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--searches", type=int, default=100_000)
        parser.add_argument("--stories", type=int, default=100)
        parser.add_argument("--digests", type=int, default=1000, help="digests to build")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, searches, stories, digests, seed, **options):
        pages = []
        for model in STORY_MODELS:
            pages += list(model.objects.live().order_by("-pk")[:stories])
        pages = pages[:stories]
        if not pages:
            raise CommandError("No live story: run load_demo_content (or load_benchmark_data).")
        try:
            with transaction.atomic():
                self._run(pages, searches, digests, random.Random(seed))
                raise _RolledBack
        except _RolledBack:
            pass

    def _run(self, pages, count, digests, rng):
        vocab = {
            "industry": list(Industry.objects.values_list("slug", flat=True)),
            "intervention": list(InterventionType.objects.values_list("slug", flat=True)),
            "stage": list(SupplyChainStage.objects.values_list("slug", flat=True)),
            "region": list(Region.objects.values_list("slug", flat=True)),
        }
        vocab = {k: v for k, v in vocab.items() if v}
        started = time.perf_counter()
        followers = Follower.objects.bulk_create(
            [Follower(email=f"bench-{n}@example.invalid") for n in range(count)], batch_size=5000
        )
        rows = []
        for follower in followers:
            facets = rng.sample(sorted(vocab), k=min(len(vocab), rng.choice([1, 1, 2])))
            filters = {f: [rng.choice(vocab[f])] for f in facets}
            query = rng.choice(WORDS) if rng.random() < 0.3 else ""
            rows.append(
                FollowedSearch(
                    follower=follower,
                    query=query,
                    filters=filters,
                    key=search_key(query, filters),
                    frequency=WEEKLY if rng.random() < 0.5 else "immediately",
                )
            )
        FollowedSearch.objects.bulk_create(rows, batch_size=5000)
        FollowedSearch.objects.update(confirmed_at=timezone.now())
        stored = time.perf_counter() - started
        self.stdout.write(f"{count} followed searches stored in {stored:.1f}s")

        tracemalloc.start()
        started = time.perf_counter()
        groups = search_groups()
        matched = 0
        for page in pages:
            try:
                document = story_document(page)
            except NotIndexedYet:
                continue
            keys = matching_keys(page.pk, document, groups)
            matched += FollowedSearch.objects.filter(key__in=keys).count()
        match_seconds = time.perf_counter() - started
        _, match_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()

        started = time.perf_counter()
        stories = [{"title": p.title, "summary": p.summary_text(), "url": p.url} for p in pages]
        weekly = FollowedSearch.objects.filter(frequency=WEEKLY).select_related("follower")
        for followed in weekly[:digests]:
            build_message(followed.follower, [followed], stories[:10], digest=True).message()
        digest_seconds = time.perf_counter() - started
        _, digest_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.stdout.write(
            f"matching: {len(pages)} stories x {count} followed searches "
            f"({len(groups)} distinct) in {match_seconds:.2f}s "
            f"({match_seconds / len(pages) * 1000:.0f} ms per story), {matched} alerts, "
            f"peak {match_peak / 2**20:.1f} MiB"
        )
        self.stdout.write(
            f"digests: {min(digests, weekly.count())} built in {digest_seconds:.2f}s, "
            f"peak {digest_peak / 2**20:.1f} MiB"
        )
