"""Everything a page shows is read by the guard, and uploads carry no one's name in metadata.

Taxonomy and metric names, a bright spot's case study, the slugs of linked
pages, the text and metadata of linked documents and the colour profiles of
images all reach visitors; a confidential name in any of them stops publishing
and the refusal says where it is. Files are built here with pypdf, zipfile and
Pillow.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageCms
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
from wagtail.documents import get_document_model
from wagtail.models import Collection

from anonymity.guard import PublicationRefused, find_leaks
from anonymity.models import ContributingCompany
from base.models import StoryImage
from casestudies.models import BrightSpotPage, CaseStudyPage, ForcedLabourIndicator
from tests import factories
from tests.anonymity.admin_forms import upload_document

pytestmark = pytest.mark.django_db

Document = get_document_model()
TERM = "Zorblax"


# --- Files built in the test ---------------------------------------------------


def pdf_bytes(text: str = "A clean audit report.", author: str = "") -> bytes:
    """A one-page PDF with real text, and optionally an author in its Info and XMP metadata."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    page.replace_contents(stream)
    if author:
        writer.add_metadata({"/Author": author, "/Title": "Audit"})
        writer.xmp_metadata = (
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{author}</dc:creator>'
            "</rdf:Description></rdf:RDF></x:xmpmeta>"
        ).encode()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Report</dc:title>'
    "<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
    "</cp:coreProperties>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
    'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Office Word</Application><Company>{company}</Company></Properties>"
)
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types '
    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def _zip(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text)
    return out.getvalue()


def docx_bytes(*paragraphs: str, author: str = "", company: str = "", reviewer: str = "") -> bytes:
    """A Word document; "|" in a paragraph splits it into runs, as Word does mid-word."""
    body = "".join(
        "<w:p>"
        + "".join(f"<w:r><w:rPr><w:b/></w:rPr><w:t>{run}</w:t></w:r>" for run in p.split("|"))
        + "</w:p>"
        for p in paragraphs or ("A clean report.",)
    )
    parts = {
        "[Content_Types].xml": _TYPES,
        "word/document.xml": f"<w:document {_W}><w:body>{body}</w:body></w:document>",
        "docProps/core.xml": _CORE.format(author=author),
        "docProps/app.xml": _APP.format(company=company),
    }
    if reviewer:
        parts["word/comments.xml"] = (
            f'<w:comments {_W}><w:comment w:id="0" w:author="{reviewer}" w:initials="XY">'
            "<w:p><w:r><w:t>Check the figure.</w:t></w:r></w:p></w:comment></w:comments>"
        )
    return _zip(parts)


def xlsx_bytes(*cells: str, author: str = "") -> bytes:
    shared = "".join(f"<si><t>{cell}</t></si>" for cell in cells)
    row = "".join(f'<c r="{chr(65 + n)}1" t="s"><v>{n}</v></c>' for n in range(len(cells)))
    return _zip(
        {
            "[Content_Types].xml": _TYPES,
            "xl/workbook.xml": f'<workbook {_S}><sheets><sheet name="Results" sheetId="1"/>'
            "</sheets></workbook>",
            "xl/sharedStrings.xml": f"<sst {_S}>{shared}</sst>",
            "xl/worksheets/sheet1.xml": f'<worksheet {_S}><sheetData><row r="1">{row}</row>'
            "</sheetData></worksheet>",
            "docProps/core.xml": _CORE.format(author=author),
        }
    )


def jpeg_with_profile(description: str) -> bytes:
    """An sRGB JPEG whose ICC profile description is replaced by text of the same length."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    builtin = "sRGB built-in".encode("utf-16-be")
    assert builtin in profile and len(description) == len("sRGB built-in")
    profile = profile.replace(builtin, description.encode("utf-16-be"))
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "JPEG", icc_profile=profile)
    return buffer.getvalue()


def _document(name: str, data: bytes, title: str = "Supporting evidence"):
    return Document.objects.create(title=title, file=ContentFile(data, name=name))


def _stored_before_stripping(name: str, data: bytes, settings):
    """A document whose file reached storage before uploads were stripped (no save signal)."""
    path = Path(settings.MEDIA_ROOT) / "documents" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    Document.objects.bulk_create([Document(title="Legacy audit", file=f"documents/{name}")])
    return Document.objects.get(file=f"documents/{name}")


# --- Publishing -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _registered_companies(settings):
    """Re-identification is another check: every story here comes from a registered company."""
    settings.REIDENTIFICATION_K = 1


def _register(page) -> None:
    ContributingCompany.objects.get_or_create(
        name=page.contributing_company,
        defaults={"industry": page.industry, "size_band": page.size_band, "hq_region": page.region},
    )


def _draft(factory, **kwargs):
    """A registered story, not live, whose confidential terms name TERM unless told."""
    kwargs.setdefault("contributing_company", "Harbour Textiles")
    kwargs.setdefault("confidential_terms", TERM)
    page = factory(**kwargs)
    _register(page)
    if page.live:
        page.unpublish()
    return type(page).objects.get(pk=page.pk)


def _case_study(**kwargs) -> CaseStudyPage:
    return _draft(factories.CaseStudyPageFactory, **kwargs)


def _bright_spot(**kwargs) -> BrightSpotPage:
    return _draft(factories.BrightSpotPageFactory, **kwargs)


def _refusal(page) -> PublicationRefused:
    with pytest.raises(PublicationRefused) as refused:
        page.save_revision().publish()
    assert not type(page).objects.get(pk=page.pk).live, "the refused page stays a draft"
    return refused.value


def _refused_in(page, term: str = TERM) -> set[str]:
    """The parts a refused publish names for the term (each also in the editor's message)."""
    refused = _refusal(page)
    labels = {leak.field_label for leak in refused.leaks if leak.term == term}
    for label in labels:
        assert label in str(refused)
    return labels


@pytest.mark.parametrize(
    "field, factory, label",
    [
        ("industry", factories.IndustryFactory, "Industry › Name"),
        ("region", factories.RegionFactory, "Region › Name"),
        ("intervention_types", factories.InterventionTypeFactory, "Intervention types › Name"),
        ("stages", factories.SupplyChainStageFactory, "Supply-chain stages › Name"),
    ],
)
def test_a_confidential_term_in_a_taxonomy_name_refuses_publishing(field, factory, label):
    term = factory(name="Zorblax Seafood", slug="northern-seafood")
    many = field in ("intervention_types", "stages")
    page = _case_study(**{field: [term] if many else term})
    assert label in _refused_in(page)


def test_a_confidential_term_in_a_step_kind_name_refuses_publishing():
    kind = factories.StepKindFactory(name="Zorblax supplier days", slug="supplier-days")
    page = _case_study(steps=[factories.step(kind=kind)])
    assert "Steps › Step 1 › Kind › Name" in _refused_in(page)


def test_a_confidential_term_in_a_risk_addressed_refuses_publishing():
    risk = ForcedLabourIndicator.objects.get(slug="deception")
    risk.name = "Deception by Zorblax agents"
    risk.save()
    page = _case_study(risks_addressed=[risk])
    assert "Risks addressed › Name" in _refused_in(page)


def test_a_taxonomy_slug_is_public_too():
    page = _case_study(region=factories.RegionFactory(name="North coast", slug="zorblax-coast"))
    assert "Region › Slug" in _refused_in(page)


def test_a_confidential_term_in_a_bright_spot_metric_name_refuses_publishing():
    spot = _bright_spot(metric=factories.MetricDefinitionFactory(name="Fees repaid by Zorblax"))
    assert "Metric › Name" in _refused_in(spot)


def test_a_confidential_term_in_a_measured_result_metric_name_refuses_publishing():
    page = _case_study()
    factories.MetricResultFactory(
        page=page, metric=factories.MetricDefinitionFactory(name="Zorblax workers paid")
    )
    page = CaseStudyPage.objects.get(pk=page.pk)
    assert "Metric result 1 › Metric › Name" in _refused_in(page)


def test_the_linked_case_study_title_and_slug_are_read_for_a_bright_spot():
    study = _case_study(title="How Zorblax repaid fees", slug="zorblax-fees", confidential_terms="")
    spot = _bright_spot(case_study=study)
    assert {"Case study › Title", "Case study › Slug"} <= _refused_in(spot)


def test_the_linked_case_study_must_itself_pass_the_guard():
    """A bright spot links to its case study: the case study's own terms count on both."""
    study = _case_study(summary="Quenvik mill workers were repaid.", confidential_terms="Quenvik")
    spot = _bright_spot(case_study=study, confidential_terms="")
    assert _refused_in(spot, "Quenvik") == {"Case study › Summary"}


def test_a_rich_text_page_link_slug_refuses_publishing():
    linked = _case_study(title="An audit", slug="zorblax-audit", confidential_terms="")
    page = _case_study(challenge=f'<p>See <a linktype="page" id="{linked.pk}">the audit</a>.</p>')
    assert _refused_in(page) == {"Challenge (linked page slug)"}


def _with_resource(*documents, **kwargs) -> CaseStudyPage:
    page = _case_study(**kwargs)
    page.resources = [("document", {"document": d, "description": "Evidence."}) for d in documents]
    page.save()
    return page


RESOURCE = "Resources › Document 1 › Document"


@pytest.mark.parametrize(
    "name, data",
    [
        ("audit.pdf", pdf_bytes("Interview with Zorblax line managers")),
        ("audit.docx", docx_bytes("Intro.", "Interview at Zor|blax with line managers")),
        ("figures.xlsx", xlsx_bytes("Site", "Zorblax Dhaka", "1200")),
    ],
)
def test_a_confidential_term_inside_a_linked_document_refuses_publishing(name, data):
    page = _with_resource(_document(name, data))
    assert _refused_in(page) == {f"{RESOURCE} (document text)"}


def test_a_document_linked_from_rich_text_is_read():
    document = _document("notes.docx", docx_bytes("Visit to Zorblax"))
    page = _case_study(lessons=f'<p><a linktype="document" id="{document.pk}">notes</a></p>')
    assert _refused_in(page) == {"Lessons (document text)"}


def test_a_pdf_author_in_metadata_refuses_publishing(settings):
    """Uploads lose their metadata; a file stored before that is still read."""
    document = _stored_before_stripping("old-audit.pdf", pdf_bytes(author="Ilse Zorblax"), settings)
    page = _with_resource(document)
    labels = _refused_in(page)
    assert f"{RESOURCE} (document metadata: Author)" in labels
    assert f"{RESOURCE} (document metadata: XMP)" in labels


def test_a_legacy_image_colour_profile_is_read(settings):
    path = Path(settings.MEDIA_ROOT) / "original_images" / "old.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_with_profile("Zorblax Foods"))
    StoryImage.objects.bulk_create(
        [StoryImage(title="Gate", file="original_images/old.jpg", width=40, height=30)]
    )
    page = _case_study(hero_image=StoryImage.objects.get())
    assert _refused_in(page) == {"Hero image (image colour profile)"}


def test_document_text_is_read_once_per_file(settings):
    """Extracted text is cached by the file's hash: a second check parses nothing again."""
    document = _document("audit.pdf", pdf_bytes("Interview with Zorblax line managers"))
    page = _with_resource(document)
    assert find_leaks(page)
    Path(document.file.path).write_bytes(b"")  # were it parsed again, it would say nothing
    assert [leak.field_label for leak in find_leaks(page)] == [f"{RESOURCE} (document text)"]


def test_a_clean_page_with_linked_vocabulary_pages_and_documents_publishes():
    study = _case_study(title="How a mill repaid fees", confidential_terms="")
    study.save_revision().publish()
    spot = _bright_spot(
        case_study=study, metric=factories.MetricDefinitionFactory(name="Recruitment fees repaid")
    )
    spot.save_revision().publish()

    linked = _case_study(title="Another practice", slug="another-practice", confidential_terms="")
    page = _with_resource(
        _document("evidence.pdf", pdf_bytes("Workers were repaid in full.", author="Someone")),
        _document("steps.docx", docx_bytes("Steps taken.")),
        _document("figures.xlsx", xlsx_bytes("Workers", "1200")),
        challenge=f'<p>See <a linktype="page" id="{linked.pk}">this</a>.</p>',
    )
    factories.MetricResultFactory(
        page=page, metric=factories.MetricDefinitionFactory(name="Workers reached")
    )
    page.save_revision().publish()

    assert BrightSpotPage.objects.get(pk=spot.pk).live
    assert CaseStudyPage.objects.get(pk=page.pk).live


# --- The editor's view -------------------------------------------------------------


def test_the_admin_publish_message_names_the_document_part(admin_client):
    document = _document("interview.docx", docx_bytes("Interview with Zorblax managers"))
    spot = _bright_spot(case_study=_with_resource(document, confidential_terms=""))
    data = _bright_spot_form(admin_client, spot)
    data["action-publish"] = "1"

    response = admin_client.post(f"/admin/pages/{spot.pk}/edit/", data)

    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Not published" in text
    assert "Case study › Resources › Document 1 › Document (document text)" in text
    assert not BrightSpotPage.objects.get(pk=spot.pk).live


def _bright_spot_form(client, page) -> dict:
    from wagtail.test.utils.form_data import querydict_from_html

    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    for key in ("intervention_types", "stages"):
        data.setlist(key, [str(v.pk) for v in getattr(page, key).all()])
    return data


# --- Uploads lose their metadata ---------------------------------------------------


def _stored_bytes(field_file) -> bytes:
    with field_file.open("rb") as stored:
        return stored.read()


def test_an_uploaded_pdf_loses_its_metadata_and_keeps_its_text(admin_client):
    response = upload_document(admin_client, "audit.pdf", pdf_bytes("Fees repaid.", "Ilse Marrow"))
    assert response.status_code == 302

    document = Document.objects.get()
    data = _stored_bytes(document.file)
    reader = PdfReader(io.BytesIO(data))
    assert "/Author" not in (reader.metadata or {})
    assert reader.xmp_metadata is None
    assert b"Ilse Marrow" not in data
    assert reader.pages[0].extract_text() == "Fees repaid."
    assert document.file_size == len(data)


def test_an_uploaded_docx_loses_its_authors_and_company_and_keeps_its_text(admin_client):
    original = docx_bytes(
        "Fees were re|paid.", author="Ilse Marrow", company="Zorblax Foods", reviewer="Ilse Marrow"
    )
    assert upload_document(admin_client, "steps.docx", original).status_code == 302

    document = Document.objects.get()
    package = zipfile.ZipFile(io.BytesIO(_stored_bytes(document.file)))
    everything = b"".join(package.read(name) for name in package.namelist())
    assert b"Ilse Marrow" not in everything
    assert b"Zorblax Foods" not in everything
    assert b"<w:t>paid.</w:t>" in package.read("word/document.xml")
    assert b"Check the figure." in package.read("word/comments.xml")


def test_an_xlsx_saved_from_code_loses_its_author():
    document = _document("figures.xlsx", xlsx_bytes("Workers", "1200", author="Ilse Marrow"))
    package = zipfile.ZipFile(io.BytesIO(_stored_bytes(document.file)))
    assert b"Ilse Marrow" not in package.read("docProps/core.xml")
    assert b"<t>Workers</t>" in package.read("xl/sharedStrings.xml")


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("audit.pdf", pdf_bytes()[:300], "This PDF is damaged or incomplete"),
        ("steps.docx", docx_bytes()[:200], "This Word document is damaged or incomplete"),
        ("figures.xlsx", docx_bytes(), "This file is not an Excel workbook"),
        ("audit.pdf", b"Minutes of the meeting", "This file is not a PDF"),
    ],
)
def test_an_unreadable_document_gets_a_form_error_and_nothing_is_stored(
    admin_client, settings, name, data, message
):
    response = upload_document(admin_client, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_replacing_a_document_file_with_a_damaged_one_keeps_the_old_file(admin_client):
    document = _document("audit.pdf", pdf_bytes("Fees repaid."))
    before = _stored_bytes(document.file)
    response = admin_client.post(
        f"/admin/documents/edit/{document.pk}/",
        {
            "title": "Evidence (new)",
            "file": SimpleUploadedFile("audit.pdf", b"%PDF-1.7 cut"),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 200
    assert "This PDF is damaged or incomplete" in response.content.decode()
    document.refresh_from_db()
    assert document.title == "Supporting evidence"
    assert _stored_bytes(document.file) == before


def test_an_uploaded_image_loses_its_colour_profile(admin_client):
    data = jpeg_with_profile("Zorblax Foods")
    assert PILImage.open(io.BytesIO(data)).info.get("icc_profile")
    response = admin_client.post(
        "/admin/images/add/",
        {
            "title": "Gate",
            "file": SimpleUploadedFile("gate.jpg", data),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302

    stored = _stored_bytes(StoryImage.objects.get().file)
    picture = PILImage.open(io.BytesIO(stored))
    assert "icc_profile" not in picture.info
    assert "Zorblax".encode("utf-16-be") not in stored
    red, green, blue = picture.convert("RGB").getpixel((20, 15))
    assert abs(red - 200) < 8 and abs(green - 120) < 8 and abs(blue - 40) < 8, "still sRGB"


def test_the_multiple_uploader_strips_and_refuses_the_same_way(admin_client):
    root = Collection.get_first_root_node().pk
    response = admin_client.post(
        "/admin/documents/multiple/add/",
        {
            "files[]": SimpleUploadedFile("audit.pdf", pdf_bytes(author="Ilse Marrow")),
            "collection": root,
        },
    )
    assert response.json()["success"] is True
    assert b"Ilse Marrow" not in _stored_bytes(Document.objects.get().file)

    response = admin_client.post(
        "/admin/documents/multiple/add/",
        {"files[]": SimpleUploadedFile("cut.pdf", pdf_bytes()[:300]), "collection": root},
    )
    assert response.json()["success"] is False
    assert "This PDF is damaged or incomplete" in response.json()["error_message"]
    assert Document.objects.count() == 1


def test_a_file_already_in_storage_is_stripped_when_its_document_is_created(settings):
    """The uploader's "create from upload" step stores the file before the document."""
    path = Path(settings.MEDIA_ROOT) / "documents" / "steps.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(docx_bytes("Steps taken.", author="Ilse Marrow"))

    document = Document.objects.create(title="Steps", file="documents/steps.docx")

    stored = _stored_bytes(document.file)
    assert b"Ilse Marrow" not in stored
    assert b"Steps taken." in zipfile.ZipFile(io.BytesIO(stored)).read("word/document.xml")
    assert not path.exists(), "the copy with metadata is gone"


def test_an_opendocument_file_loses_its_creator():
    meta = (
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta>'
        "<meta:initial-creator>Ilse Marrow</meta:initial-creator><dc:creator>Ilse Marrow"
        "</dc:creator></office:meta></office:document-meta>"
    )
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
        "<text:p>Fees were repaid.</text:p></office:text></office:body></office:document-content>"
    )
    mimetype = "application/vnd.oasis.opendocument.text"
    data = _zip({"mimetype": mimetype, "meta.xml": meta, "content.xml": content})
    package = zipfile.ZipFile(io.BytesIO(_stored_bytes(_document("notes.odt", data).file)))
    assert b"Ilse Marrow" not in package.read("meta.xml")
    assert b"Fees were repaid." in package.read("content.xml")


def test_a_damaged_legacy_pdf_is_still_read_for_names(settings):
    damaged = b"%PDF-1.4\n1 0 obj << /Author (Ilse Zorblax) >> endobj\n(truncated"
    page = _with_resource(_stored_before_stripping("broken.pdf", damaged, settings))
    assert _refused_in(page) == {f"{RESOURCE} (document content)"}


def test_a_workbook_saved_by_a_spreadsheet_program_still_opens_after_stripping():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Results"
    workbook.active["A1"] = "Workers repaid"
    workbook.active["B1"] = 1200
    workbook.properties.creator = "Ilse Marrow"
    workbook.properties.lastModifiedBy = "Ilse Marrow"
    buffer = io.BytesIO()
    workbook.save(buffer)

    stored = _stored_bytes(_document("figures.xlsx", buffer.getvalue()).file)

    assert b"Ilse Marrow" not in stored
    reopened = openpyxl.load_workbook(io.BytesIO(stored))
    assert reopened["Results"]["A1"].value == "Workers repaid"
    assert reopened["Results"]["B1"].value == 1200
    assert reopened.properties.creator != "Ilse Marrow"  # openpyxl fills in its own name
    assert reopened.properties.lastModifiedBy is None
