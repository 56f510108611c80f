"""Document sanitising: no uploaded file says who wrote it, edited it or commented on it.

Office and PDF files carry their author, the last person to save them, the
company from the licence, reviewers' names on comments and tracked changes,
and sometimes the path of the author's home folder. Any of these can name the
contributing company as surely as the story text. Like photos (base/images.py),
uploads are rewritten without them before they reach storage: in the admin's
upload form (so a damaged file gets a message on the form) and again in a
pre_save receiver on the document model, for every other way a file arrives.

Pictures inside Office and OpenDocument files (word/media, xl/media,
ppt/media, Pictures/) are photos like any other: a phone picture pasted into a
Word report keeps its EXIF (GPS, camera owner, artist) unless it is re-encoded,
so each is sanitised the way an uploaded photo is. Office files embedded in a
package (word/embeddings/...) are stripped in turn.

The text of the documents stays: the anonymity guard reads it (anonymity/
documents.py) and refuses to publish a page whose documents name anyone.
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image as PILImage
from wagtail.documents.forms import BaseDocumentForm
from wagtail.utils.file import hash_filelike

from .images import sanitise_rendition

logger = logging.getLogger("portal")

# Refuse packages that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PACKAGE_ENTRIES = 10_000

KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word document",
    "xlsx": "Excel workbook",
    "pptx": "PowerPoint presentation",
    "odf": "OpenDocument file",
}
# The extension a file claims -> the kind its content must be.
CLAIMED_KINDS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "pptx": "pptx",
    "odt": "odf",
    "ods": "odf",
    "odp": "odf",
}
# The part that tells an Office package's kind.
OOXML_MAIN_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}

# Whole parts replaced by their empty form: the document's properties.
EMPTY_PARTS = {
    "docProps/core.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>',
    "docProps/app.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>',
    "docProps/custom.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>',
}
ODF_EMPTY_META = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'office:version="%s"><office:meta/></office:document-meta>'
)
# People in any other part: comment and tracked-change authors, co-authors,
# who reserved a workbook; and the folder a workbook was saved from.
_PERSON_ATTRIBUTES = re.compile(
    rb"(\s(?:[\w.-]+:)?(?:author|initials|userId|userName|displayName|providerId)\s*=\s*)"
    rb'("[^"]*"|\'[^\']*\')'
)
_PERSON_ELEMENTS = re.compile(
    rb"(<((?:[\w.-]+:)?(?:author|creator|initial-creator|lastModifiedBy))\b[^>/]*>)[^<]*(</\2>)"
)
_COMMENT_AUTHOR_NAMES = re.compile(rb'(<(?:[\w.-]+:)?cmAuthor\b[^>]*?\sname\s*=\s*)("[^"]*")')
_ABSOLUTE_PATH = re.compile(rb"<(?:[\w.-]+:)?absPath\b[^>]*/>")
# Folders of a package that hold pictures, and the picture formats re-encoded there
# (vector formats such as EMF, WMF and SVG carry no camera metadata and are kept).
MEDIA_FOLDERS = ("word/media/", "xl/media/", "ppt/media/", "Pictures/")
EMBEDDED_PICTURES = frozenset({"jpg", "jpeg", "jpe", "png", "gif", "webp"})
EMBEDDINGS_FOLDERS = ("word/embeddings/", "xl/embeddings/", "ppt/embeddings/")
# Previews of the first page Office programs save in a package (ODF: Thumbnails/).
THUMBNAIL_PARTS = frozenset(
    {
        "docProps/thumbnail.jpeg",
        "docProps/thumbnail.jpg",
        "docProps/thumbnail.png",
        "Thumbnails/thumbnail.png",
    }
)
# A document embedded in a document embedded in ... is stripped this deep, no deeper.
MAX_EMBEDDING_DEPTH = 3
# PDF annotations whose /T is the commenting person (on form fields /T is the field's name).
_MARKUP_ANNOTATIONS = frozenset(
    "/Text /FreeText /Line /Square /Circle /Polygon /PolyLine /Highlight /Underline /Squiggly "
    "/StrikeOut /Stamp /Caret /Ink /Popup /FileAttachment /Sound /Redact".split()
)


# --- What a file is -----------------------------------------------------------


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def open_package(data: bytes) -> zipfile.ZipFile | None:
    """The zip package inside data (Office and OpenDocument files), or None if it is not one.

    Raises a ValidationError for a package too large to unpack safely.
    """
    if not data.startswith(b"PK"):
        return None
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    entries = package.infolist()
    if len(entries) > MAX_PACKAGE_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise ValidationError(
            f"This file unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB, too much "
            "to check safely. Split it or save it without embedded media and upload it again.",
            code="package_too_large",
        )
    return package


def document_kind(data: bytes) -> str | None:
    """What the content is ("pdf", "docx", "xlsx", "pptx", "odf"), whatever the file is called."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    package = open_package(data)
    if package is None:
        return None
    names = set(package.namelist())
    for kind, main_part in OOXML_MAIN_PARTS.items():
        if main_part in names:
            return kind
    if "mimetype" in names and package.read("mimetype").startswith(
        b"application/vnd.oasis.opendocument"
    ):
        return "odf"
    return None


def _with_article(name: str) -> str:
    return ("an " if name[0] in "AEIOU" else "a ") + name


def damaged_document_error(kind: str) -> ValidationError:
    return ValidationError(
        f"This {KIND_NAMES.get(kind, 'document')} is damaged or incomplete and cannot be read. "
        "Export or download it again and upload the new copy.",
        code="damaged_document",
    )


# --- Stripping ----------------------------------------------------------------


def strip_metadata(data: bytes, name: str) -> bytes:
    """The bytes to store for an uploaded document: the same content, no people in metadata.

    Raises a ValidationError saying why when the file cannot be read, or is
    not what its name says it is.
    """
    claimed = CLAIMED_KINDS.get(_extension(name))
    kind = document_kind(data)
    if claimed and kind != claimed:
        if kind is None and claimed != "pdf" and data.startswith(b"PK"):
            raise damaged_document_error(claimed)  # a zip cut short
        raise ValidationError(
            f"This file is not {_with_article(KIND_NAMES[claimed])}, although its name ends in "
            f".{_extension(name)}. Upload the file in the format its name says, or rename it.",
            code="wrong_document_type",
        )
    if kind == "pdf":
        return _strip_pdf(data)
    if kind in OOXML_MAIN_PARTS or kind == "odf":
        return _strip_package(data, kind)
    return data  # plain text and CSV carry no metadata


def _strip_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import NameObject, TextStringObject

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                "This PDF is protected by a password, so it cannot be checked for names. "
                "Save a copy without the password and upload that.",
                code="encrypted_document",
            )
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer.xmp_metadata = None
        for page in writer.pages:
            if "/Metadata" in page:
                del page["/Metadata"]
            if "/PieceInfo" in page:
                del page["/PieceInfo"]
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if annotation.get("/Subtype") in _MARKUP_ANNOTATIONS and "/T" in annotation:
                    annotation[NameObject("/T")] = TextStringObject("")
        if "/PieceInfo" in writer.root_object:
            del writer.root_object["/PieceInfo"]
        # The old Info and XMP objects are still in the file, only unreferenced.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise damaged_document_error("pdf") from None
    return out.getvalue()


def _strip_picture(part_name: str, content: bytes, kind: str) -> bytes:
    """A picture inside a package, without EXIF, XMP, comments or colour profile."""
    try:
        return sanitise_rendition(content, part_name)
    except ValidationError:
        raise ValidationError(
            f"The picture {part_name} inside this {KIND_NAMES[kind]} cannot be read, so its "
            "metadata (camera, place, author) cannot be removed. Replace it with a JPEG, PNG, "
            "GIF or WebP copy in the document and upload the document again.",
            code="damaged_embedded_picture",
        ) from None


def _strip_embedded(part_name: str, content: bytes, depth: int) -> bytes:
    """A Word, Excel or PowerPoint file embedded in another, stripped the same way."""
    kind = document_kind(content)
    if kind not in OOXML_MAIN_PARTS and kind != "odf":
        return content  # an OLE object or a file type we do not know: the guard reads its bytes
    if depth >= MAX_EMBEDDING_DEPTH:
        raise ValidationError(
            f"This file nests documents inside documents more than {MAX_EMBEDDING_DEPTH} deep "
            f"({part_name}), too deep to check. Save the embedded files separately.",
            code="nested_too_deep",
        )
    return _strip_package(content, kind, depth + 1)


def _blank_thumbnail(part_name: str) -> bytes:
    """A one-pixel picture in the thumbnail's format: the preview an Office program saved
    shows the first page as it was then, maybe before the names were taken out."""
    out = io.BytesIO()
    fmt = "PNG" if _extension(part_name) == "png" else "JPEG"
    PILImage.new("RGB", (1, 1), "white").save(out, format=fmt)
    return out.getvalue()


def _strip_part(part_name: str, content: bytes, kind: str, depth: int = 0) -> bytes:
    if part_name in THUMBNAIL_PARTS:
        return _blank_thumbnail(part_name)
    if part_name.startswith(MEDIA_FOLDERS) and _extension(part_name) in EMBEDDED_PICTURES:
        return _strip_picture(part_name, content, kind)
    if part_name.startswith(EMBEDDINGS_FOLDERS):
        return _strip_embedded(part_name, content, depth)
    if kind != "odf" and part_name in EMPTY_PARTS:
        return EMPTY_PARTS[part_name]
    if kind == "odf" and part_name == "meta.xml":
        version = re.search(rb'office:version="([^"]+)"', content)
        return ODF_EMPTY_META % (version.group(1) if version else b"1.2")
    if not part_name.endswith((".xml", ".rels")):
        return content
    content = _PERSON_ATTRIBUTES.sub(rb'\1""', content)
    content = _PERSON_ELEMENTS.sub(rb"\1\3", content)
    content = _COMMENT_AUTHOR_NAMES.sub(rb'\1""', content)
    return _ABSOLUTE_PATH.sub(b"", content)


def _strip_package(data: bytes, kind: str, depth: int = 0) -> bytes:
    package = open_package(data)
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w") as clean:
            for entry in package.infolist():
                content = _strip_part(entry.filename, package.read(entry), kind, depth)
                # A fixed date: the time a file was last saved says something too.
                info = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = entry.compress_type
                clean.writestr(info, content)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, OSError, EOFError):
        raise damaged_document_error(kind) from None
    return out.getvalue()


# --- Where uploads arrive -------------------------------------------------------


class StoryDocumentForm(BaseDocumentForm):
    """Wagtail's document form, storing uploads without metadata.

    Wired in through WAGTAILDOCS_DOCUMENT_FORM_BASE, so the single and the
    multiple uploader and the edit view all use it; a damaged file is refused
    on the form, with the rest of what the editor entered kept.
    """

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if not isinstance(uploaded, UploadedFile):
            return uploaded
        uploaded.seek(0)
        clean = strip_metadata(uploaded.read(), uploaded.name)
        stripped = SimpleUploadedFile(uploaded.name, clean, uploaded.content_type)
        stripped.metadata_stripped = True
        return stripped


def strip_document_on_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save on the document model: whatever path a file comes by, it is stored clean."""
    if raw or (update_fields is not None and "file" not in update_fields):
        return
    field_file = instance.file
    if not field_file:
        return
    if not field_file._committed:
        content = field_file.file
        if getattr(content, "metadata_stripped", False):
            return
        content.seek(0)
        clean = strip_metadata(content.read(), field_file.name)
        instance.file = ContentFile(clean, name=os.path.basename(field_file.name))
    elif instance._state.adding:
        # Already in storage: the multiple uploader's "create from upload" path
        # saves the file before the document.
        try:
            with field_file.storage.open(field_file.name, "rb") as stored:
                data = stored.read()
        except (FileNotFoundError, OSError):
            return
        clean = strip_metadata(data, field_file.name)
        if clean == data:
            return
        old_name = field_file.name
        field_file.save(os.path.basename(old_name), ContentFile(clean), save=False)
        field_file.storage.delete(old_name)
    else:
        return
    instance.file_size = len(clean)
    instance.file_hash = hash_filelike(io.BytesIO(clean))
