"""Versioned open-data releases: dated, immutable snapshots of ``/data/metric-results.*``.

The live files change with every publication, so a report that quotes them cannot be
checked a month later. A release freezes both files as they are today, records their
SHA-256 checksums, and says which rows were added, changed or removed since the release
before it (rows are matched on ``result_id``, which a story's slug change keeps).
At most one release a day: a second attempt the same day changes nothing.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from casestudies.addresses import absolute_url
from perf.cache import invalidate_pages

from .downloads import JSON_NOTE, public_rows, write_open_data
from .models import OpenDataRelease

ROW_KEY = "result_id"


def release_head(date: datetime.date) -> dict:
    return {"dictionary": absolute_url("/data/"), "release": date.isoformat(), "note": JSON_NOTE}


def release_rows(release: OpenDataRelease) -> list[dict[str, str]]:
    return json.loads(release.json_text)["results"]


@dataclass
class Changelog:
    """Rows added, changed (with the columns that changed) and removed, by ``result_id``.

    Fed the new rows one at a time as they are written (``compared``): only the previous
    release's rows are held, each dropped once its new row has been seen."""

    before: dict[str, dict[str, str]]
    added: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)

    @classmethod
    def since(cls, rows: Iterable[dict[str, str]]) -> Changelog:
        return cls({row[ROW_KEY]: row for row in rows})

    def compared(self, rows: Iterable[dict[str, str]]) -> Iterator[dict[str, str]]:
        for row in rows:
            key = row[ROW_KEY]
            old = self.before.pop(key, None)
            if old is None:
                self.added.append(key)
            elif columns := sorted(
                name for name in row.keys() | old.keys() if row.get(name) != old.get(name)
            ):
                self.changed.append({ROW_KEY: key, "columns": columns})
            yield row

    def changes(self) -> dict[str, list]:
        """Once every new row has been seen: what is left of the previous ones was removed."""
        return {
            "added": sorted(self.added, key=int),
            "changed": sorted(self.changed, key=lambda c: int(c[ROW_KEY])),
            "removed": sorted(self.before, key=int),
        }


@dataclass
class Outcome:
    release: OpenDataRelease
    created: bool


def make_release(date: datetime.date | None = None) -> Outcome:
    """Freeze today's open data; a release that already exists for the day is returned as is."""
    date = date or timezone.localdate()
    existing = OpenDataRelease.objects.filter(date=date).first()
    if existing is not None:
        return Outcome(existing, created=False)
    # A withdrawn release's rows are gone: the changelog is against the last one still held.
    previous = (
        OpenDataRelease.objects.filter(date__lt=date, withdrawn_at__isnull=True)
        .order_by("-date")
        .first()
    )
    log = Changelog.since(release_rows(previous) if previous else [])
    # Both files in one pass over the rows, each row written as it is read and hashed as
    # it is written (impact.downloads); the CSV is guarded against spreadsheet formulas
    # like the live file (base.csv). The release is one database row: the texts are read
    # back from the files only to store them.
    with tempfile.TemporaryFile() as csv_file, tempfile.TemporaryFile() as json_file:
        written = write_open_data(
            log.compared(public_rows()), csv_file, json_file, release_head(date), indent=1
        )
        csv_body, json_body = (_text(f) for f in (csv_file, json_file))
    try:
        with transaction.atomic():
            release = OpenDataRelease.objects.create(
                date=date,
                csv_text=csv_body,
                json_text=json_body,
                csv_sha256=written.csv_sha256,
                json_sha256=written.json_sha256,
                row_count=written.row_count,
                changes=log.changes(),
                previous=previous,
            )
    except IntegrityError:  # made by a concurrent run a moment ago
        return Outcome(OpenDataRelease.objects.get(date=date), created=False)
    invalidate_pages("open data release")  # the cached listing must show it
    return Outcome(release, created=True)


def _text(file) -> str:
    file.seek(0)
    return file.read().decode("utf-8")


def withdraw(date: datetime.date, reason: str) -> OpenDataRelease:
    """Take a release's files down for good (anonymity outranks immutability): they are
    erased, answer 410 Gone, and the listing says when and why. Raises DoesNotExist."""
    release = OpenDataRelease.objects.get(date=date)
    if not release.withdrawn:
        OpenDataRelease.objects.filter(pk=release.pk).update(
            csv_text="", json_text="", withdrawn_at=timezone.now(), withdrawal_reason=reason
        )
        invalidate_pages("open data release withdrawn")
    return OpenDataRelease.objects.get(pk=release.pk)


def summary(release: OpenDataRelease) -> str:
    """One line for the listing and the command: what changed since the previous release."""
    changes = release.changes
    if release.previous_id is None:
        return f"First release: {release.row_count} rows."
    added, changed, removed = (len(changes.get(k, [])) for k in ("added", "changed", "removed"))
    if not (added or changed or removed):
        return f"No rows changed since {release.previous.date:%Y-%m-%d}."
    return (
        f"Since {release.previous.date:%Y-%m-%d}: {added} added, {changed} changed, "
        f"{removed} removed ({release.row_count} rows)."
    )
