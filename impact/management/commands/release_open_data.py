"""Make today's open-data release (impact.releases): run it daily from cron, or by hand."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from impact.models import OpenDataRelease
from impact.releases import make_release, summary, withdraw


class Command(BaseCommand):
    help = (
        "Freeze today's open data (/data/metric-results.csv and .json) as a dated, immutable "
        "release listed at /data/releases/, with SHA-256 checksums and a changelog of rows "
        "added, changed and removed since the previous release. At most one release a day: "
        "run again the same day and it says so and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--withdraw",
            metavar="YYYY-MM-DD",
            help="Withdraw that day's release instead: its files are erased and answer 410 "
            "Gone (for a release holding something that must not be public). Needs --reason.",
        )
        parser.add_argument("--reason", default="", help="Why, shown on /data/releases/.")

    def handle(self, *args, **options):
        if options["withdraw"]:
            return self._withdraw(options["withdraw"], options["reason"].strip())
        outcome = make_release()
        release = outcome.release
        if not outcome.created:
            self.stdout.write(
                f"A release for {release.date:%Y-%m-%d} already exists; nothing was changed "
                f"(/data/releases/{release.date:%Y-%m-%d}/)."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Released the open data of {release.date:%Y-%m-%d}. ")
            + summary(release)
        )
        self.stdout.write(f"  metric-results.csv  sha256 {release.csv_sha256}")
        self.stdout.write(f"  metric-results.json sha256 {release.json_sha256}")

    def _withdraw(self, date: str, reason: str) -> None:
        if not reason:
            raise CommandError('Say why the release is withdrawn: --reason "...".')
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"{date!r} is not a date (YYYY-MM-DD).") from None
        try:
            release = withdraw(day, reason)
        except OpenDataRelease.DoesNotExist:
            raise CommandError(f"There is no release of {day:%Y-%m-%d}.") from None
        self.stdout.write(
            f"Withdrew the release of {release.date:%Y-%m-%d}: its files now answer 410 Gone."
        )
