"""Fill the portal with a synthetic corpus for the benchmark (or to try it at scale)."""

import time

from django.core.management.base import BaseCommand, CommandError

from devtools.corpus import build_corpus, clear_corpus


class Command(BaseCommand):
    help = (
        "Create live case studies (3-6 steps, 1-4 measured results) and bright spots of "
        "realistic length, built like every story (casestudies.building), tagged with the "
        "demo's vocabulary (the same slugs) and illustrated with a few shared images whose "
        "renditions are generated up front. Their slugs start with 'bench-'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--case-studies", type=int, default=2000)
        parser.add_argument("--bright-spots", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--clear", action="store_true", help="Delete earlier benchmark stories first."
        )

    def handle(self, *args, case_studies: int, bright_spots: int, seed: int, clear: bool, **kw):
        if case_studies < 0 or bright_spots < 0:
            raise CommandError("--case-studies and --bright-spots must be 0 or more.")
        started = time.perf_counter()
        if clear:
            self.stdout.write(f"Removed {clear_corpus()} earlier benchmark stories.")
        total = case_studies + bright_spots
        done = 0

        def progress(kind: str, count: int) -> None:
            nonlocal done
            done += count
            bar = "#" * int(30 * done / max(total, 1))
            self.stdout.write(f"\r[{bar:<30}] {done}/{total} {kind}", ending="")
            self.stdout.flush()

        created = build_corpus(case_studies, bright_spots, seed=seed, progress=progress)
        seconds = time.perf_counter() - started
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created['case_studies']} case studies, {created['bright_spots']} "
                f"bright spots and {created['metric_results']} results in {seconds:.1f}s."
            )
        )
