"""Files inside documents: pictures lose their metadata on upload, attachments are read.

A phone photo pasted into a Word report keeps its EXIF (the camera owner, the
GPS position of the factory) inside word/media/; a PDF audit report can carry
the interview spreadsheet as an attachment. Uploads re-encode the pictures like
any photo (base/documents.py) and the guard reads what files inside files say
(anonymity/documents.py). Every file is built here, the way Office programs lay
them out, with zipfile, openpyxl, pypdf and Pillow.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageCms
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from wagtail.documents import get_document_model

from anonymity.documents import extract_parts
from anonymity.guard import PublicationRefused
from base.images import identifying_metadata
from casestudies.models import CaseStudyPage
from tests.anonymity.admin_forms import upload_document
from tests.anonymity.test_public_parts import _TYPES, _W, pdf_bytes, xlsx_bytes
from tests.factories import CaseStudyPageFactory

pytestmark = pytest.mark.django_db

Document = get_document_model()
PERSON = "Dr Ilse Marrow"
TERM = "Zorblax"
GPS_IFD = 0x8825


# --- Pictures with metadata -----------------------------------------------------


def jpeg_with_exif(size=(48, 32)) -> bytes:
    """A phone photo: the artist, the camera, where it was taken."""
    exif = PILImage.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x013B] = PERSON  # artist
    exif[0x8298] = f"(c) {PERSON}"  # copyright
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (23.0, 48.0, 10.0), 3: "E", 4: (90.0, 24.0, 5.0)})
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(
        buffer, "JPEG", exif=exif, comment=b"Quenvik site visit"
    )
    return buffer.getvalue()


def png_with_text_and_profile() -> bytes:
    info = PngInfo()
    info.add_text("Author", PERSON)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    PILImage.new("RGB", (20, 20), (10, 120, 200)).save(
        buffer, "PNG", pnginfo=info, icc_profile=profile
    )
    return buffer.getvalue()


def docx_with_picture(picture: bytes, name: str = "word/media/image1.jpeg", **extra) -> bytes:
    document = (
        f"<w:document {_W}><w:body><w:p><w:r><w:t>Fees were repaid.</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    return _package(
        {
            "[Content_Types].xml": _TYPES,
            "word/document.xml": document,
            "word/_rels/document.xml.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/image" Target="media/image1.jpeg"/>'
                "</Relationships>"
            ),
            name: picture,
            **extra,
        }
    )


def pptx_with_picture(picture: bytes) -> bytes:
    p = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    return _package(
        {
            "[Content_Types].xml": _TYPES,
            "ppt/presentation.xml": f"<p:presentation {p}/>",
            "ppt/slides/slide1.xml": f"<p:sld {p}/>",
            "ppt/media/image1.png": picture,
        }
    )


def _package(parts: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return out.getvalue()


def xlsx_with_picture(picture: bytes) -> bytes:
    """A workbook saved by openpyxl with a photo placed on the sheet (kept byte for byte)."""
    from openpyxl.drawing.image import Image as SheetImage

    workbook = openpyxl.Workbook()
    workbook.active.title = "Results"
    workbook.active["A1"] = "Workers repaid"
    workbook.active.add_image(SheetImage(io.BytesIO(picture)), "C3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    package = zipfile.ZipFile(io.BytesIO(data))
    return {name: package.read(name) for name in package.namelist()}


def _stored(document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


# --- Uploads: pictures inside documents lose their metadata -------------------------


def test_the_samples_really_carry_metadata_inside_the_package():
    """Guard against tests that cannot fail: before upload, the person is in the pictures."""
    for data, part in (
        (docx_with_picture(jpeg_with_exif()), "word/media/image1.jpeg"),
        (xlsx_with_picture(jpeg_with_exif()), "xl/media/image1.jpeg"),
        (pptx_with_picture(png_with_text_and_profile()), "ppt/media/image1.png"),
    ):
        picture = PILImage.open(io.BytesIO(_parts(data)[part]))
        assert identifying_metadata(picture), part
        assert PERSON.encode() in data or PERSON.encode() in _parts(data)[part]


def test_a_photo_in_an_uploaded_word_document_loses_its_exif(admin_client):
    response = upload_document(admin_client, "report.docx", docx_with_picture(jpeg_with_exif()))
    assert response.status_code == 302

    document = Document.objects.get()
    stored = _stored(document)
    parts = _parts(stored)
    picture = PILImage.open(io.BytesIO(parts["word/media/image1.jpeg"]))
    assert identifying_metadata(picture) == []
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert picture.format == "JPEG" and picture.size == (48, 32), "still the same picture"
    red, green, blue = picture.convert("RGB").getpixel((10, 10))
    assert abs(red - 200) < 10 and green < 50 and blue < 50
    assert PERSON.encode() not in b"".join(parts.values())
    assert b"Quenvik" not in b"".join(parts.values())
    assert b"Fees were repaid." in parts["word/document.xml"], "the text is kept"
    assert document.file_size == len(stored)


def test_the_first_page_preview_saved_in_a_document_is_blanked(admin_client):
    """Office keeps a picture of the first page as it was when last saved: maybe before the
    company's name was taken out of the text, so the preview is replaced by a blank pixel."""
    preview = io.BytesIO()
    PILImage.new("RGB", (120, 160), (200, 30, 30)).save(preview, "JPEG")
    data = docx_with_picture(jpeg_with_exif(), **{"docProps/thumbnail.jpeg": preview.getvalue()})
    response = upload_document(admin_client, "report.docx", data)
    assert response.status_code == 302

    parts = _parts(_stored(Document.objects.get()))
    thumbnail = PILImage.open(io.BytesIO(parts["docProps/thumbnail.jpeg"]))
    assert thumbnail.format == "JPEG" and thumbnail.size == (1, 1)
    assert thumbnail.convert("RGB").getpixel((0, 0)) == (255, 255, 255)


def test_a_photo_placed_in_a_workbook_loses_its_exif_and_the_workbook_still_opens():
    document = Document.objects.create(
        title="Figures",
        file=ContentFile(xlsx_with_picture(jpeg_with_exif()), name="figures.xlsx"),
    )

    stored = _stored(document)
    picture = PILImage.open(io.BytesIO(_parts(stored)["xl/media/image1.jpeg"]))
    assert identifying_metadata(picture) == []
    assert PERSON.encode() not in b"".join(_parts(stored).values())
    reopened = openpyxl.load_workbook(io.BytesIO(stored))
    assert reopened["Results"]["A1"].value == "Workers repaid"


def test_a_picture_in_a_presentation_loses_its_text_chunks_and_colour_profile(admin_client):
    response = upload_document(
        admin_client, "deck.pptx", pptx_with_picture(png_with_text_and_profile())
    )
    assert response.status_code == 302

    parts = _parts(_stored(Document.objects.get()))
    picture = PILImage.open(io.BytesIO(parts["ppt/media/image1.png"]))
    assert identifying_metadata(picture) == []
    assert "icc_profile" not in picture.info
    assert PERSON.encode() not in parts["ppt/media/image1.png"]


def test_a_workbook_embedded_in_a_word_document_is_stripped_too(admin_client):
    embedded = xlsx_bytes("Interviews", author=PERSON)
    data = docx_with_picture(
        jpeg_with_exif(), **{"word/embeddings/Microsoft_Excel_Worksheet.xlsx": embedded}
    )
    assert upload_document(admin_client, "report.docx", data).status_code == 302

    outer = _parts(_stored(Document.objects.get()))
    inner = _parts(outer["word/embeddings/Microsoft_Excel_Worksheet.xlsx"])
    assert PERSON.encode() not in b"".join(inner.values())
    assert b"<t>Interviews</t>" in inner["xl/sharedStrings.xml"]


def test_a_damaged_picture_inside_a_document_is_refused_with_the_part_named(admin_client, settings):
    cut = jpeg_with_exif()[:200]
    response = upload_document(admin_client, "report.docx", docx_with_picture(cut))

    assert response.status_code == 200
    text = response.content.decode()
    assert "The picture word/media/image1.jpeg inside this Word document cannot be read" in text
    assert not Document.objects.exists()


def test_vector_pictures_are_kept_as_they_are(admin_client):
    """EMF and SVG drawings hold no camera metadata; re-encoding them is not possible."""
    drawing = b"\x01\x00\x00\x00 an EMF drawing"
    data = docx_with_picture(jpeg_with_exif(), **{"word/media/image2.emf": drawing})
    assert upload_document(admin_client, "report.docx", data).status_code == 302
    assert _parts(_stored(Document.objects.get()))["word/media/image2.emf"] == drawing


# --- The guard reads files inside files --------------------------------------------


def pdf_with_attachment(name: str, content: bytes) -> bytes:
    reader_data = pdf_bytes("A clean audit report.")
    from pypdf import PdfReader

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(reader_data)))
    writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_text_of_a_pdf_attachment_is_read():
    data = pdf_with_attachment("interviews.txt", b"Interview with Zorblax line managers")
    parts = dict(extract_parts(data))
    assert "Zorblax" not in parts["text"]
    assert "Zorblax" in parts["embedded attachment interviews.txt: text"]


def test_an_office_file_attached_to_a_pdf_is_read_with_its_metadata():
    data = pdf_with_attachment("figures.xlsx", xlsx_bytes("Site", "Zorblax Dhaka", author=PERSON))
    parts = dict(extract_parts(data))
    assert "Zorblax Dhaka" in parts["embedded attachment figures.xlsx: text"]
    assert PERSON in parts["embedded attachment figures.xlsx: metadata"]


def _case_study_with(*documents) -> CaseStudyPage:
    page = CaseStudyPageFactory(contributing_company="Harbour Textiles", confidential_terms=TERM)
    page.resources = [("document", {"document": d, "description": "Evidence."}) for d in documents]
    page.save()
    if page.live:
        page.unpublish()
    return CaseStudyPage.objects.get(pk=page.pk)


RESOURCE = "Resources › Document 1 › Document"


@pytest.mark.parametrize(
    "name, data, part",
    [
        (
            "audit.pdf",
            pdf_with_attachment("interviews.txt", b"Interview with Zorblax line managers"),
            "embedded attachment interviews.txt: text",
        ),
        (
            "audit.pdf",
            pdf_with_attachment("figures.xlsx", xlsx_bytes("Site", "Zorblax Dhaka")),
            "embedded attachment figures.xlsx: text",
        ),
        (
            "report.docx",
            docx_with_picture(
                jpeg_with_exif(),
                **{"word/embeddings/Sheet.xlsx": xlsx_bytes("Site", "Zorblax Dhaka")},
            ),
            "embedded word/embeddings/Sheet.xlsx: text",
        ),
    ],
    ids=["pdf-attached-text", "pdf-attached-workbook", "workbook-embedded-in-docx"],
)
def test_a_name_inside_an_attached_or_embedded_file_refuses_publishing(name, data, part):
    page = _case_study_with(Document.objects.create(title="Audit", file=ContentFile(data, name)))

    with pytest.raises(PublicationRefused) as refused:
        page.save_revision().publish()

    labels = {leak.field_label for leak in refused.value.leaks if leak.term == TERM}
    assert labels == {f"{RESOURCE} (document {part})"}
    assert f"{RESOURCE} (document {part})" in str(refused.value)
    assert not CaseStudyPage.objects.get(pk=page.pk).live


def test_the_editor_is_told_which_attachment_names_whom(admin_client):
    data = pdf_with_attachment("interviews.txt", b"Interview with Zorblax line managers")
    page = _case_study_with(Document.objects.create(title="Audit", file=ContentFile(data, "a.pdf")))

    response = admin_client.post(
        f"/admin/api/main/pages/{page.pk}/action/publish/", "{}", content_type="application/json"
    )

    assert response.status_code == 400
    problems = " ".join(response.json()["problems"][str(page.pk)])
    assert "embedded attachment interviews.txt" in problems and TERM in problems
    assert not CaseStudyPage.objects.get(pk=page.pk).live


def test_a_document_with_clean_attachments_and_pictures_publishes():
    data = pdf_with_attachment("figures.xlsx", xlsx_bytes("Workers", "1200"))
    page = _case_study_with(
        Document.objects.create(title="Audit", file=ContentFile(data, "a.pdf")),
        Document.objects.create(
            title="Report", file=ContentFile(docx_with_picture(jpeg_with_exif()), "report.docx")
        ),
    )

    page.save_revision().publish()

    assert CaseStudyPage.objects.get(pk=page.pk).live
