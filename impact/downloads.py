"""The open-data files, written row by row to disk and served from there.

At 30,000 stories ``/data/metric-results.csv`` and ``.json`` are tens of megabytes. Built
as a response body (and kept whole in the response cache) they cost a worker that much
memory at every rebuild. Instead the first anonymous request for a file after a change
streams the rows into it, a chunk of the database at a time, and renames it into place
when complete; every later request of the same content generation (``perf.cache``: a
publish, unpublish, privacy change, taxonomy or metric edit starts a new one) is served
from the file (``FileResponse``: constant memory, sendfile where the server has it).
Each server keeps its own files: the same rows make the same bytes, hence the same ETag.

A file is named after its generation, so a change is never served stale: the next request
builds the new file. A worker that asks while another builds waits for it (a lock file)
and serves the same file. The files live in ``MEDIA_ROOT/private/open-data/`` (see
``files_dir``): ``private/`` is never served from ``/media/`` (base/private_media.py), so a
file of an old generation, which may hold a row since withdrawn, is reachable by no
address; it is deleted once a newer one is in place.

The same writer makes the frozen files of the dated releases (``impact.releases``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from base.csv import csv_lines
from casestudies.addresses import absolute_url

from .figures import OPEN_DATA_FIELDS, iter_open_data_rows

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
JSON_NOTE = "Decimal figures are strings so that no digit is lost."
_COPY_BYTES = 64 * 1024


class _Digesting:
    """A binary file that computes the SHA-256 of what is written to it, as it is written."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.file.write(data)


@dataclass(frozen=True)
class Written:
    """What the writer made: each file's SHA-256 (hex) and the number of rows."""

    csv_sha256: str
    json_sha256: str
    row_count: int


def _json_frame(head: dict, count: int, indent: int | None) -> tuple[str, str]:
    """What comes before the first row and after the last, exactly as ``json.dumps`` of
    the whole document would write it (``results`` is its last key)."""
    if not count:
        empty = {**head, "count": 0, "results": []}
        return json.dumps(empty, ensure_ascii=False, indent=indent), ""
    marker = json.dumps({**head, "count": count, "results": [0]}, ensure_ascii=False, indent=indent)
    before, after = marker.rsplit("0", 1)  # nothing but closing brackets follows the marker
    return before, after


def _json_row(row: dict, indent: int | None) -> str:
    text = json.dumps(row, ensure_ascii=False, indent=indent)
    # A row sits two levels deep (document, results list); json.dumps escapes every newline
    # inside a string, so each one here is the start of a line to indent.
    return text.replace("\n", "\n" + " " * (2 * indent)) if indent else text


def write_open_data(
    rows: Iterable[dict[str, str]],
    csv_file: BinaryIO | None,
    json_file: BinaryIO | None,
    head: dict,
    *,
    indent: int | None = None,
) -> Written:
    """Write the rows as CSV and as JSON (``head``'s keys, ``count``, then ``results``),
    one row in memory at a time. The JSON's rows wait in a temporary file until their
    count, which comes before them, is known. Either file may be left out (None)."""
    csv_out = _Digesting(csv_file) if csv_file is not None else None
    json_out = _Digesting(json_file) if json_file is not None else None
    separator = ("," + "\n" + " " * (2 * indent)) if indent else ", "
    count = 0
    pending = tempfile.TemporaryFile(dir=_temporary_dir(json_file)) if json_out else nullcontext()
    with pending as results:

        def counted() -> Iterator[dict[str, str]]:
            nonlocal count
            for row in rows:
                if results is not None:
                    results.write(((separator if count else "") + _json_row(row, indent)).encode())
                count += 1
                yield row

        if csv_out is not None:
            for line in csv_lines([name for name, _ in OPEN_DATA_FIELDS], counted()):
                csv_out.write(line.encode())
        else:
            for _ in counted():
                pass
        if json_out is not None:
            before, after = _json_frame(head, count, indent)
            json_out.write(before.encode())
            results.seek(0)
            while chunk := results.read(_COPY_BYTES):
                json_out.write(chunk)
            json_out.write(after.encode())
    return Written(
        csv_sha256=csv_out.sha256.hexdigest() if csv_out else "",
        json_sha256=json_out.sha256.hexdigest() if json_out else "",
        row_count=count,
    )


def _temporary_dir(file: BinaryIO | None) -> str | None:
    """Next to the file being written when it has a place on disk, else the system's."""
    name = getattr(file, "name", None)
    return os.path.dirname(name) if isinstance(name, str) and os.path.isabs(name) else None


def public_rows() -> Iterator[dict[str, str]]:
    """Open data is always the public view, whoever asks."""
    return iter_open_data_rows(AnonymousUser())


def live_head() -> dict:
    return {"dictionary": absolute_url("/data/"), "note": JSON_NOTE}


# --- The live files -----------------------------------------------------------------------


def files_dir() -> Path:
    """Local disk of this server (a file to send must be one): the media folder, or with
    media in a bucket (MEDIA_BUCKET), where nothing else is written locally, the system's
    temporary folder."""
    if settings.MEDIA_BUCKET:
        return Path(tempfile.gettempdir()) / "heres-how-open-data"
    return Path(settings.MEDIA_ROOT) / "private" / "open-data"


@dataclass(frozen=True)
class LiveFile:
    """A live file of one content generation, complete on disk, and its ETag."""

    path: Path
    etag: str


def live_key(generation: int, began: int) -> str:
    """Files of one generation as this site serves it: ``began`` (when the generation was
    first served) tells a generation number apart from the same number before a database
    restore; the site address is written in every row."""
    site = hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:12]
    return f"{generation}-{began}-{site}"


def find_live_file(key: str, fmt: str) -> LiveFile | None:
    """The file if it is complete: its ETag is written next to it once it is in place."""
    path = files_dir() / f"{key}.{fmt}"
    try:
        etag = path.with_name(f"{path.name}.etag").read_text()
    except FileNotFoundError:
        return None
    return LiveFile(path, etag)


def live_file(key: str, fmt: str) -> tuple[LiveFile, bool]:
    """The file, written now unless it exists; and whether it was written now.

    Each format is written when it is first asked for, so a generation whose JSON
    nobody downloads costs no JSON."""
    found = find_live_file(key, fmt)
    if found is not None:
        return found, False
    directory = files_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{key}.{fmt}.lock", "a") as lock:
        # One writer per file; a worker that asks meanwhile waits, then serves its file.
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = find_live_file(key, fmt)
        if found is not None:
            return found, False
        written = _write(directory / f"{key}.{fmt}", fmt)
    _remove_older(directory, key)
    return written, True


def _write(path: Path, fmt: str) -> LiveFile:
    made: list[str] = []
    temporary = {"dir": path.parent, "prefix": f".{path.name}.", "delete": False}
    try:
        with tempfile.NamedTemporaryFile(**temporary) as f:
            made.append(f.name)
            written = write_open_data(
                public_rows(),
                f if fmt == "csv" else None,
                f if fmt == "json" else None,
                live_head(),
            )
        etag = _etag(written.csv_sha256 if fmt == "csv" else written.json_sha256)
        with tempfile.NamedTemporaryFile("w", **temporary) as etag_file:
            made.append(etag_file.name)
            etag_file.write(etag)
        os.replace(f.name, path)
        os.replace(etag_file.name, path.with_name(f"{path.name}.etag"))  # last: it is complete
    finally:
        for name in made:
            Path(name).unlink(missing_ok=True)
    return LiveFile(path, etag)


def _etag(sha256_hex: str) -> str:
    """Strong, and shaped like those of the cached responses (perf.responses.body_etag)."""
    return f'"{sha256_hex[:32]}"'


def _generation_of(name: str) -> int | None:
    number = name.lstrip(".").split("-", 1)[0]
    return int(number) if number.isdigit() else None


def _remove_older(directory: Path, key: str) -> None:
    """Files (and half-written ones) of earlier generations: nothing serves them any more."""
    current = _generation_of(key)
    for entry in os.scandir(directory):
        generation = _generation_of(entry.name)
        if generation is not None and current is not None and generation < current:
            Path(entry.path).unlink(missing_ok=True)


def private_copy(fmt: str) -> BinaryIO:
    """One file for one reader, deleted when closed: an answer no shared file may serve
    (a signed-in reader, unknown parameters), still written without holding it whole."""
    file = tempfile.TemporaryFile()
    write_open_data(
        public_rows(),
        file if fmt == "csv" else None,
        file if fmt == "json" else None,
        live_head(),
    )
    file.seek(0)
    return file


def open_live(found: LiveFile) -> BinaryIO | None:
    """The file opened for reading; None if a newer generation's writer just removed it."""
    try:
        return open(found.path, "rb")
    except FileNotFoundError:
        return None
