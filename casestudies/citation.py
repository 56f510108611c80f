"""How to cite a story: a stable identifier, a formatted citation, BibTeX, RIS and CSL-JSON.

Researchers and NGOs quote case studies in reports that outlive the page's slug, so a
citation names the story by an identifier built from the page id (which a slug change or
a move keeps), next to its address. A citation says only what the public page already
says (title, the portal, dates, address): never who contributed the story, so no author
field is ever filled with a company.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone

from .addresses import canonical_url

URN_PREFIX = "urn:heres-how:story:"


@dataclass(frozen=True)
class CitationFormat:
    label: str
    content_type: str
    extension: str


# The values of ``<story URL>cite/?format=…`` (docs/contract.md), in the order the Cite
# panel offers them.
FORMATS: dict[str, CitationFormat] = {
    "bibtex": CitationFormat("BibTeX", "application/x-bibtex; charset=utf-8", "bib"),
    "ris": CitationFormat("RIS", "application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": CitationFormat("CSL-JSON", "application/vnd.citationstyles.csl+json", "json"),
}


def story_urn(page) -> str:
    """The story's stable identifier: it survives slug changes and moves."""
    return f"{URN_PREFIX}{page.pk}"


@dataclass(frozen=True)
class Citation:
    """What every format says about one story, from public fields only."""

    urn: str
    title: str
    kind: str  # "Case study" or "Bright spot"
    portal: str
    published: datetime.date | None
    url: str
    accessed: datetime.date

    @property
    def year(self) -> str:
        return str(self.published.year) if self.published else "n.d."

    @property
    def key(self) -> str:
        return f"heres-how-story-{self.urn.removeprefix(URN_PREFIX)}"

    @property
    def filename_stem(self) -> str:
        return self.key

    def text(self) -> str:
        """The formatted citation the Cite panel shows (an author-date style)."""
        return (
            f"{self.portal} ({self.year}). {self.title} [{self.kind.lower()}]. "
            f"{self.portal}. {self.url} (accessed {self.accessed:%-d %B %Y}). {self.urn}"
        )


def citation_for(page, accessed: datetime.date | None = None) -> Citation:
    published = page.first_published_at or page.last_published_at
    return Citation(
        urn=story_urn(page),
        title=page.title,
        kind=page.story_type_label,
        portal=settings.WAGTAIL_SITE_NAME,
        published=timezone.localdate(published) if published else None,
        url=canonical_url(page),
        accessed=accessed or timezone.localdate(),
    )


# --- Formats ---------------------------------------------------------------------

_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_escape(value: str) -> str:
    return "".join(_BIBTEX_SPECIALS.get(ch, ch) for ch in " ".join(value.split()))


def to_bibtex(c: Citation) -> str:
    fields = [
        ("title", "{" + _bibtex_escape(c.title) + "}"),  # double braces keep its capitals
        ("author", "{" + _bibtex_escape(c.portal) + "}"),  # the portal, never a company
        ("organization", _bibtex_escape(c.portal)),
        ("howpublished", _bibtex_escape(f"{c.kind}, {c.portal}")),
        ("year", c.year),
        ("url", c.url),
        ("urldate", c.accessed.isoformat()),
        ("note", _bibtex_escape(f"{c.urn}. Accessed {c.accessed.isoformat()}")),
    ]
    if c.published:
        fields.insert(5, ("month", str(c.published.month)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{c.key},\n{body}\n}}\n"


def _ris_value(value: str) -> str:
    return " ".join(value.split())


def to_ris(c: Citation) -> str:
    lines = [
        ("TY", "ELEC"),
        ("ID", c.key),
        ("TI", c.title),
        ("AU", c.portal),
        ("PB", c.portal),
        ("T2", c.portal),
        ("M3", c.kind),
        ("PY", c.year),
    ]
    if c.published:
        lines.append(("DA", c.published.strftime("%Y/%m/%d")))
    lines += [
        ("UR", c.url),
        ("Y2", c.accessed.strftime("%Y/%m/%d")),
        ("M1", c.urn),
        ("ER", ""),
    ]
    # RIS: two-letter tag, two spaces, hyphen, space; CRLF line ends.
    return "".join(f"{tag}  - {_ris_value(value)}".rstrip() + "\r\n" for tag, value in lines)


def _date_parts(day: datetime.date) -> dict:
    return {"date-parts": [[day.year, day.month, day.day]]}


def to_csl_json(c: Citation) -> str:
    item = {
        "id": c.urn,
        "type": "webpage",
        "title": c.title,
        "genre": c.kind,
        "author": [{"literal": c.portal}],
        "container-title": c.portal,
        "publisher": c.portal,
        "URL": c.url,
        "accessed": _date_parts(c.accessed),
        "note": c.urn,
    }
    if c.published:
        item["issued"] = _date_parts(c.published)
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"bibtex": to_bibtex, "ris": to_ris, "csl-json": to_csl_json}


def format_error(requested: str | None) -> str | None:
    """Why ``requested`` is not a format we write, or None when it is one."""
    if requested in FORMATS:
        return None
    allowed = ", ".join(FORMATS)
    if not requested:
        return f"Choose a citation format with ?format=: one of {allowed}."
    return f"Unknown citation format {requested[:40]!r}: choose one of {allowed}."


def render(page, requested: str, accessed: datetime.date | None = None) -> tuple[str, str, str]:
    """(body, content type, file name) of ``page``'s citation in a known format."""
    citation = citation_for(page, accessed)
    fmt = FORMATS[requested]
    return (
        RENDERERS[requested](citation),
        fmt.content_type,
        f"{citation.filename_stem}.{fmt.extension}",
    )


def citation_response(page, request: HttpRequest) -> HttpResponse:
    """``<story URL>cite/?format=…``: the download, or 400 naming the formats."""
    requested = request.GET.get("format", "").strip().lower()
    error = format_error(requested)
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    body, content_type, filename = render(page, requested)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
