"""Versioned open-data releases: dated, immutable snapshots of ``/data/metric-results.*``.

The live files change with every publication, so a report that quotes them cannot be
checked a month later. A release freezes both files as they are today, records their
SHA-256 checksums, and says which rows were added, changed or removed since the release
before it (rows are matched on ``result_id``, which a story's slug change keeps).
At most one release a day: a second attempt the same day changes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from base.csv import csv_text
from casestudies.addresses import absolute_url
from perf.cache import invalidate_pages

from .figures import OPEN_DATA_FIELDS, open_data_rows
from .models import OpenDataRelease

ROW_KEY = "result_id"
JSON_NOTE = "Decimal figures are strings so that no digit is lost."


def public_rows() -> list[dict[str, str]]:
    """Open data is always the public view, whoever asks."""
    return open_data_rows(AnonymousUser())


def json_text(rows: list[dict[str, str]], date: datetime.date) -> str:
    payload = {
        "dictionary": absolute_url("/data/"),
        "release": date.isoformat(),
        "note": JSON_NOTE,
        "count": len(rows),
        "results": rows,
    }
    return json.dumps(payload, ensure_ascii=False, indent=1)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def release_rows(release: OpenDataRelease) -> list[dict[str, str]]:
    return json.loads(release.json_text)["results"]


def changelog(before: list[dict[str, str]], after: list[dict[str, str]]) -> dict[str, list]:
    """Rows added, changed (with the columns that changed) and removed, by ``result_id``."""
    old = {row[ROW_KEY]: row for row in before}
    new = {row[ROW_KEY]: row for row in after}
    changed = []
    for key in new.keys() & old.keys():
        columns = sorted(
            name
            for name in new[key].keys() | old[key].keys()
            if new[key].get(name) != old[key].get(name)
        )
        if columns:
            changed.append({ROW_KEY: key, "columns": columns})
    return {
        "added": sorted(new.keys() - old.keys(), key=int),
        "changed": sorted(changed, key=lambda c: int(c[ROW_KEY])),
        "removed": sorted(old.keys() - new.keys(), key=int),
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
    rows = public_rows()
    # The CSV is guarded against spreadsheet formulas like the live file (base.csv).
    csv_body = csv_text([name for name, _ in OPEN_DATA_FIELDS], rows)
    json_body = json_text(rows, date)
    changes = changelog(release_rows(previous) if previous else [], rows)
    try:
        with transaction.atomic():
            release = OpenDataRelease.objects.create(
                date=date,
                csv_text=csv_body,
                json_text=json_body,
                csv_sha256=sha256(csv_body),
                json_sha256=sha256(json_body),
                row_count=len(rows),
                changes=changes,
                previous=previous,
            )
    except IntegrityError:  # made by a concurrent run a moment ago
        return Outcome(OpenDataRelease.objects.get(date=date), created=False)
    invalidate_pages("open data release")  # the cached listing must show it
    return Outcome(release, created=True)


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
