"""Operate the story search index: rebuild, compare with the database, drain pending changes."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from search.indexing import INDEX_ERRORS, mapping_status, rebuild, status
from search.models import LEASE_SECONDS, IndexBusy, IndexChange, IndexLock
from search.tasks import apply_pending_changes, reconcile, writing_index


class Command(BaseCommand):
    help = (
        "rebuild: build a new versioned index from the database, swap the alias to it "
        "atomically and delete the old one (search keeps answering meanwhile). "
        "status: index and database counts, pages missing, extra or stale in the index, and "
        "whether the index was built with this release's mapping (if not, rebuild). "
        "drain: apply pending index changes now (what the background task does). "
        "reconcile: drain pending changes (also those a stopped worker left), compare the "
        "index with the database and correct every page that differs; run it on a "
        "schedule (see the README's Production section)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status", "drain", "reconcile"])
        parser.add_argument(
            "--wait",
            type=float,
            default=LEASE_SECONDS,
            help="rebuild, reconcile: seconds to wait for a worker that is writing the index "
            f"(default {LEASE_SECONDS}, the lease a stopped worker holds at most).",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the result as JSON."
        )

    def handle(self, *args, action: str, as_json: bool = False, wait: float = 0, **options):
        self.wait = wait
        try:
            result = getattr(self, f"_{action}")()
        except INDEX_ERRORS as exc:
            raise CommandError(
                f"Elasticsearch is not reachable or refused the request: {exc}"
            ) from exc
        except IndexBusy as exc:
            raise CommandError(f"{exc} Try again when it has finished.") from exc
        if as_json:
            self.stdout.write(_dumps(result))

    def _rebuild(self) -> dict:
        with writing_index(wait=self.wait) as token:

            def progress(done: int, total: int) -> None:
                IndexLock.renew(token)
                self._progress(done, total)

            result = rebuild(progress=progress)
        self.stderr.write("")
        documents = result["documents"]
        python, engine = result["python_seconds"], result["elasticsearch_seconds"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {documents} stories into {result['index']} in "
                f"{result['seconds']:.2f}s (building documents {python:.2f}s, "
                f"{documents / max(python, 1e-9):.0f}/s; Elasticsearch {engine:.2f}s, "
                f"{documents / max(engine, 1e-9):.0f}/s; catching up "
                f"{result['catch_up_seconds']:.2f}s)."
            )
        )
        return result

    def _status(self) -> dict:
        result = status()
        result["pending_changes"] = IndexChange.objects.count()
        result["mapping"] = mapping = mapping_status()
        self.stdout.write(
            f"Alias:    {result['alias']} -> {', '.join(result['indices']) or '(none)'}"
        )
        if mapping["message"]:
            self.stdout.write(self.style.WARNING(f"Mapping:  {mapping['message']}."))
        elif result["indices"]:
            self.stdout.write(f"Mapping:  current ({mapping['expected']})")
        self.stdout.write(f"Database: {result['database']} live stories")
        self.stdout.write(f"Index:    {result['index']} documents")
        self.stdout.write(f"Pending:  {result['pending_changes']} change(s) waiting for the worker")
        for kind in ("missing", "extra", "stale"):
            if result[kind]:
                self.stdout.write(f"{kind.capitalize():9} page ids {result[kind]}")
        if result["in_sync"]:
            self.stdout.write(self.style.SUCCESS("In sync."))
        else:
            self.stdout.write(self.style.WARNING("Drift found: run `search_index reconcile`."))
        return result

    def _drain(self) -> dict:
        result = apply_pending_changes()
        if result["busy"]:
            self.stdout.write("Another worker is writing the index; it drains what is left.")
        self.stdout.write(self.style.SUCCESS(f"Applied pending changes: {result}"))
        return result

    def _reconcile(self) -> dict:
        result = reconcile(wait=self.wait)
        if result["rebuilt"]:
            self.stdout.write("No index behind the alias: rebuilt it from the database.")
        for kind in ("missing", "extra", "stale"):
            if result[kind]:
                self.stdout.write(f"{kind.capitalize():9} page ids {result[kind]} (corrected)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Reconciled: {result['indexed']} page(s) from pending changes, "
                f"{result['repaired']} drifted page(s) corrected."
            )
        )
        return result

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stderr.flush()


def _dumps(value) -> str:
    return json.dumps(value, default=str, indent=2)
