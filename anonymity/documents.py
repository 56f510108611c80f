"""What a linked file says: the text and metadata of documents, the profile text of images.

A document a story links to is published with it: a contributor's name in a
PDF's body, a spreadsheet cell, a Word comment or the file's author property
identifies the company as surely as the story's title. The guard reads these
as public parts of the page (guard.public_text).

Files inside files are read too: a PDF's attachments (a spreadsheet of
interviews attached to an audit report) and Office files embedded in Office
files, to a limited depth, each labelled with where it sits.

Parsing a PDF page by page is slow, so what a file says is cached by its
content hash (which Wagtail stores for documents and images): checking a page
again re-parses nothing, and a replaced file is new content under a new key.
"""

from __future__ import annotations

import io
import logging
import re
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from django.core.cache import cache
from wagtail.utils.file import hash_filelike

from base.documents import (
    EMBEDDINGS_FOLDERS,
    MAX_EMBEDDING_DEPTH,
    OOXML_MAIN_PARTS,
    document_kind,
    open_package,
)

logger = logging.getLogger("portal")

CACHE_VERSION = 2
MAX_RAW_BYTES = 20 * 1024 * 1024
# Elements that end a word or a line (paragraphs, cells, breaks, tabs);
# other elements join, as runs of one word styled differently do.
_BREAKS = frozenset(
    "p h br tab s line-break cr si c row tc tr cell table-cell list-item comment "
    "sheet cmAuthor cm person".split()
)
# Elements holding a piece of running text (joined to the next piece as written).
_INLINE = frozenset({"t", "delText", "instrText", "span", "a"})
# Attributes that hold people, names or addresses rather than formatting.
_TEXT_ATTRIBUTES = frozenset(
    "author initials userId userName displayName providerId name descr title Target href "
    "alias tag".split()
)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _xml_text(data: bytes) -> str:
    """The text of an XML part, with words joined or separated as a reader would see them."""
    root = ElementTree.fromstring(data)
    pieces: list[str] = []

    def walk(element: Element) -> None:
        for attribute, value in element.attrib.items():
            if _local(attribute) in _TEXT_ATTRIBUTES and value.strip():
                pieces.append(f" {value} ")
        local = _local(element.tag)
        if element.text:
            pieces.append(element.text if local in _INLINE else f" {element.text} ")
        for child in element:
            walk(child)
        if local in _BREAKS:
            pieces.append("\n")
        if element.tail:
            pieces.append(element.tail)

    walk(root)
    return "".join(pieces)


def _package_group(part_name: str) -> str:
    lowered = part_name.lower()
    if lowered.startswith("docprops/") or lowered == "meta.xml":
        return "metadata"
    if any(word in lowered for word in ("comment", "people", "person")):
        return "comments"
    return "text"


def _embedded_parts(name: str, data: bytes, depth: int) -> list[tuple[str, str]]:
    """(part, text) of a file inside a file, each part prefixed with where it sits."""
    name = name.replace("(", "[").replace(")", "]")  # the guard's labels end in "(...)"
    if depth >= MAX_EMBEDDING_DEPTH:
        return [(f"embedded {name}", data[:MAX_RAW_BYTES].decode("latin-1"))]
    try:
        parts = extract_parts(data, depth + 1)
    except Exception:  # noqa: BLE001 - unreadable: its raw bytes are read instead
        parts = [("content", data[:MAX_RAW_BYTES].decode("latin-1"))]
    return [(f"embedded {name}: {part}", text) for part, text in parts]


def _package_parts(data: bytes, depth: int = 0) -> list[tuple[str, str]]:
    package = open_package(data)
    groups: dict[str, list[str]] = {"text": [], "comments": [], "metadata": []}
    embedded: list[tuple[str, str]] = []
    for entry in package.infolist():
        if entry.filename.startswith(EMBEDDINGS_FOLDERS):
            embedded += _embedded_parts(entry.filename, package.read(entry), depth)
            continue
        if not entry.filename.endswith((".xml", ".rels")):
            continue
        groups[_package_group(entry.filename)].append(_xml_text(package.read(entry)))
    return [(group, "\n".join(texts)) for group, texts in groups.items() if texts] + embedded


def _pdf_parts(data: bytes, depth: int = 0) -> list[tuple[str, str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    parts: list[tuple[str, str]] = []
    for key, value in (reader.metadata or {}).items():
        parts.append((f"metadata: {key.lstrip('/')}", str(value)))
    xmp = reader.root_object.get("/Metadata")
    if xmp is not None:
        parts.append(("metadata: XMP", _xml_text(xmp.get_object().get_data())))
    texts, comments = [], []
    for page in reader.pages:
        texts.append(page.extract_text() or "")
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            comments += [str(annotation.get(key, "")) for key in ("/T", "/Contents")]
    parts.append(("text", "\n".join(texts)))
    if any(comments):
        parts.append(("comments", "\n".join(comments)))
    outline = []

    def titles(items) -> None:
        for item in items:
            if isinstance(item, list):
                titles(item)
            else:
                outline.append(str(getattr(item, "title", "") or ""))

    try:  # extras: a broken outline must not cost the text read above
        titles(reader.outline)
        attachments = {name: list(contents) for name, contents in reader.attachments.items()}
    except Exception:  # noqa: BLE001
        logger.warning("A PDF's bookmarks or attachments could not be read", exc_info=True)
        attachments = {}
    if outline:
        parts.append(("bookmarks", "\n".join(outline)))
    if attachments:
        parts.append(("attachments", "\n".join(attachments)))
    for name, contents in attachments.items():
        for content in contents:
            parts += _embedded_parts(f"attachment {name}", content, depth)
    return parts


def _plain_text(data: bytes) -> str:
    for bom, encoding in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def extract_parts(data: bytes, depth: int = 0) -> list[tuple[str, str]]:
    """(part, text) of a document's content: "text", "comments", "metadata: Author",
    "embedded attachment interviews.xlsx: text", ...

    The format is told from the content, not the file name, so a PDF renamed
    to .txt is still read as a PDF.
    """
    kind = document_kind(data)
    if kind == "pdf":
        return _pdf_parts(data, depth)
    if kind in OOXML_MAIN_PARTS or kind == "odf":
        return _package_parts(data, depth)
    if open_package(data) is not None:
        return _package_parts(data, depth)  # another zip of XML: read what it says
    return [("text", _plain_text(data))]


def _read(field_file) -> bytes | None:
    try:
        with field_file.storage.open(field_file.name, "rb") as stored:
            return stored.read()
    except (FileNotFoundError, OSError, ValueError):
        return None


def _cached(kind: str, obj, compute) -> object:
    """compute(data) for obj's file, cached by the file's content hash."""
    data = None
    file_hash = getattr(obj, "file_hash", "") if obj.file else ""
    if not file_hash:
        data = _read(obj.file) if obj.file else None
        if data is None:
            return compute(None)
        file_hash = hash_filelike(io.BytesIO(data))
    key = f"anonymity:file:{CACHE_VERSION}:{kind}:{file_hash}"
    found = cache.get(key)
    if found is not None:
        return found
    if data is None:
        data = _read(obj.file)
        if data is None:  # missing from storage now: nothing to remember
            return compute(None)
    value = compute(data)
    cache.set(key, value, timeout=None)
    return value


def document_parts(document) -> list[tuple[str, str]]:
    """(part, text) of what a stored document says, read once per distinct file."""

    def compute(data: bytes | None) -> list[tuple[str, str]]:
        if data is None:
            return []
        try:
            return extract_parts(data)
        except Exception:  # noqa: BLE001 - any unreadable file: log it and read what we can
            logger.warning(
                "Document %s (%s) could not be parsed by the anonymity guard; its raw bytes "
                "are checked instead",
                document.pk,
                document.file.name,
                exc_info=True,
            )
            # A damaged or encrypted file may still hold readable names (a PDF's
            # Info dictionary is plain text): fail towards reading too much.
            return [("content", data[:MAX_RAW_BYTES].decode("latin-1"))]

    return _cached("document", document, compute)


_ASCII_RUN = re.compile(rb"[\x20-\x7e]{3,}")
_UTF16_RUN = re.compile(rb"(?:\x00[\x20-\x7e]){3,}")


def _profile_strings(icc: bytes) -> list[str]:
    """Every string in a profile's bytes, as a fallback for tags Pillow does not parse."""
    return [run.decode("ascii") for run in _ASCII_RUN.findall(icc)] + [
        run.decode("utf-16-be") for run in _UTF16_RUN.findall(icc)
    ]


def image_profile_text(image) -> str:
    """The text in a stored image's ICC colour profile (description, maker, copyright).

    Uploads are stored without profiles (base/images.py); originals stored
    before that may still carry one, and its description can name a company.
    """
    from PIL import Image, ImageCms

    def compute(data: bytes | None) -> str:
        if not data:
            return ""
        try:
            icc = Image.open(io.BytesIO(data)).info.get("icc_profile")
        except Exception:  # noqa: BLE001 - not a picture we can open: no profile to read
            return ""
        if not icc:
            return ""
        texts = _profile_strings(icc)
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile
            texts[:0] = [
                str(getattr(profile, name, "") or "")
                for name in ("profile_description", "copyright", "manufacturer", "model")
            ]
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
        return "\n".join(texts)

    return _cached("icc", image, compute)
