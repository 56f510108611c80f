"""Every trick on every path: a disguised company name never reaches a public surface.

The adversarial matrix of issue 11. Each trick hides the contributing company's
name somewhere a naive check would not look (an invisible character, a
look-alike letter, markup inside a word, a joined form, a linked object, a
file). Each path is a way an editor makes a story public (the edit view's
publish, the admin API's publish action, copy with "Publish copied page",
revert to and publish an older revision). For every pair the guard must refuse
(or the backstop take the story down), and then `public_surfaces` fetches
every public surface as an anonymous visitor (pages and their JSON-LD and
related practices, search, suggestions, feeds, the open API, oEmbed, embed
cards, the sitemap, open data, and the image and document files they point to)
and looks for the name folded with anonymity.matching, so a trick that survives
into the output is caught as well.

Two tricks are not refused but neutralised: metadata of uploaded files (EXIF of
a photo, the author of a PDF) is stripped on upload, so the story publishes and
the served files must not carry the name.
"""

from __future__ import annotations

import datetime
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus, urlparse

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.models import Page, PageLogEntry
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

from anonymity.documents import extract_parts
from anonymity.matching import find_terms
from anonymity.members import make_members_only
from base.models import StoryImage
from casestudies import models
from search.indexing import rebuild
from tests.anonymity.admin_forms import edit_form_data
from tests.anonymity.test_public_parts import docx_bytes, jpeg_with_profile, pdf_bytes
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    StoryImageFactory,
    publish,
)
from tests.reading import readable, response_bytes

pytestmark = pytest.mark.django_db

Document = get_document_model()

COMPANY = "Zorblax Foods"
SHORT = "Zorblax"  # the editor lists the short name as a confidential term too
NAMES = [COMPANY, SHORT]
REFUSED_OR_TAKEN_DOWN = ("anonymity.publish_refused", "anonymity.taken_down")


# --- Tricks: each puts the name, disguised, into a story (in memory) -------------------


@dataclass(frozen=True)
class Trick:
    name: str
    apply: Callable[[Page], None]
    bright_spot: bool = False  # played on a bright spot rather than a case study
    stripped: bool = False  # neutralised on upload: the story publishes, its files are clean


def _set(field: str, value: str) -> Callable[[Page], None]:
    return lambda page: setattr(page, field, value)


def _taxonomy(page) -> None:
    page.industry = IndustryFactory(name="Zorblax Seafood", slug="northern-seafood")


def _metric_name(page) -> None:
    metric = MetricDefinitionFactory(name="Workers paid by Zorblax", slug="workers-paid-on-site")
    page.results = [
        models.MetricResult(
            metric=metric,
            baseline=0,
            result=250,
            unit=metric.unit,
            period_start=datetime.date(2022, 1, 1),
            period_end=datetime.date(2022, 12, 31),
            verification="self-reported",
            **{
                f.name: f.default
                for f in models.MetricResult._meta.fields
                if f.name in ("precision", "period_detail")
            },
        )
    ]


def _linked_case_study(spot) -> None:
    spot.case_study = CaseStudyPageFactory(
        title="How Zorblax repaid fees", slug="fees-repaid-at-a-mill", live=False
    )


def _linked_page_slug(page) -> None:
    linked = CaseStudyPageFactory(title="An audit", slug="zorblax-audit", live=False)
    page.challenge = f'<p>See <a linktype="page" id="{linked.pk}">the audit</a>.</p>'


def _with_document(page, name: str, data: bytes) -> None:
    document = Document.objects.create(title="Evidence", file=ContentFile(data, name=name))
    page.resources = [("document", {"document": document, "description": "Evidence."})]


def _document_text(page) -> None:
    _with_document(page, "notes.docx", docx_bytes("Interview at Zor|blax with line managers"))


def _document_metadata(page) -> None:
    _with_document(page, "audit.pdf", pdf_bytes("Fees were repaid.", author=COMPANY))


def _legacy_icc_profile(page) -> None:
    """An original stored before uploads lost their profiles (no save signal ran)."""
    path = Path(settings.MEDIA_ROOT) / "original_images" / "gate.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_with_profile(COMPANY))
    StoryImage.objects.bulk_create(
        [StoryImage(title="Gate", file="original_images/gate.jpg", width=40, height=30)]
    )
    page.hero_image = StoryImage.objects.get(file="original_images/gate.jpg")


def _exif_on_upload(page) -> None:
    exif = PILImage.Exif()
    exif[0x013B] = COMPANY  # artist
    exif[0x8298] = f"(c) {COMPANY}"  # copyright
    exif[0x010E] = f"{COMPANY} spinning hall"  # image description
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (120, 60, 30)).save(buffer, "JPEG", exif=exif)
    page.hero_image = StoryImage.objects.create(
        title="Spinning hall", file=ContentFile(buffer.getvalue(), name="hall.jpg")
    )


TRICKS = [
    Trick("zero-width-space", _set("title", "How Zor\u200bblax Foods repaid recruitment fees")),
    Trick("soft-hyphen", _set("summary", "Workers at Zor\u00adblax Foods were repaid.")),
    Trick("shy-entity", _set("challenge", "<p>Agencies near Zor&shy;blax charged fees.</p>")),
    Trick("zwsp-entity", _set("challenge", "<p>Agencies near Zor&#8203;blax charged fees.</p>")),
    Trick("cyrillic-homoglyph", _set("title", "How Z\u043erblax Foods repaid recruitment fees")),
    Trick("greek-homoglyph", _set("summary", "\u0396\u03bfrblax Foods repaid every worker.")),
    Trick("split-by-markup", _set("challenge", "<p>Agencies near Zor<b>blax</b> charged.</p>")),
    Trick("joined-form", _set("summary", "The ZorblaxFoods team repaid every worker.")),
    Trick("domain", _set("summary", "Details of the programme are on zorblaxfoods.com.")),
    Trick("email", _set("summary", "Write to ethics@zorblaxfoods.com for the audit.")),
    Trick("hashtag", _set("title", "#ZorblaxFoodsWay: recruitment fees repaid")),
    Trick("plural", _set("summary", "The Zorblaxes repaid every worker within a year.")),
    Trick("taxonomy-name", _taxonomy),
    Trick("metric-name", _metric_name),
    Trick("linked-case-study", _linked_case_study, bright_spot=True),
    Trick("linked-page-slug", _linked_page_slug),
    Trick("document-text", _document_text),
    Trick("document-metadata", _document_metadata, stripped=True),
    Trick("image-icc-profile", _legacy_icc_profile),
    Trick("image-exif", _exif_on_upload, stripped=True),
]


# --- The world: a few clean public stories, so every surface has something to show -------


@dataclass
class World:
    stories: list[Page]
    target: Page  # the draft the trick is played on


@pytest.fixture
def admin(client, editor):
    client.force_login(editor)
    return client


def _world(trick: Trick) -> World:
    metric = MetricDefinitionFactory(name="Recruitment fees repaid", unit="USD")
    case = CaseStudyPageFactory(
        title="How a spinning mill repaid recruitment fees",
        hero_image=StoryImageFactory(title="A training session"),
        hero_alt="Workers in a classroom",
    )
    MetricResultFactory(page=case, metric=metric, unit="USD")
    case = publish(models.CaseStudyPage.objects.get(pk=case.pk))
    spot = publish(
        BrightSpotPageFactory(
            title="Fees repaid to 900 workers",
            metric=metric,
            metric_unit="USD",
            hero_image=StoryImageFactory(title="A pay day"),
            hero_alt="Workers at a pay desk",
        )
    )
    factory = BrightSpotPageFactory if trick.bright_spot else CaseStudyPageFactory
    target = factory(
        title="How a cannery repaid recruitment fees",
        slug="cannery-fees",
        contributing_company=COMPANY,
        confidential_terms=SHORT,
        live=False,
    )
    rebuild()  # the search app syncs after commit, which the world's setup never reaches
    return World(stories=[case, spot], target=type(target).objects.get(pk=target.pk))


def _tricked(world: World, trick: Trick) -> Page:
    page = type(world.target).objects.get(pk=world.target.pk)
    trick.apply(page)
    return page


# --- Paths: each tries to make the tricked story public ----------------------------------


def _form(admin, page, url: str, revision_page) -> dict:
    """The edit (or revert) form as the browser posts it, with "Publish" pressed."""
    if isinstance(page, models.BrightSpotPage):
        data = querydict_from_html(admin.get(url).content.decode(), form_id="page-edit-form")
        for key in ("intervention_types", "stages"):
            data.setlist(key, [str(v.pk) for v in getattr(page, key).all()])
    else:
        data = edit_form_data(admin, page, url)
        resources = [
            ("document", {"document": child.value["document"].pk, "description": "Evidence."})
            for child in revision_page.resources
        ]
        data.update(nested_form_data({"resources": streamfield(resources)}))
    data["action-publish"] = "1"
    return data


def publish_from_the_edit_view(admin, editor, world, trick) -> list[int]:
    _tricked(world, trick).save_revision(user=editor)
    page = world.target
    revision_page = type(page).objects.get(pk=page.pk).get_latest_revision_as_object()
    url = f"/admin/pages/{page.pk}/edit/"
    response = admin.post(url, _form(admin, page, url, revision_page))
    assert "could not be saved due to validation errors" not in response.content.decode()
    return [page.pk]


def publish_by_the_admin_api(admin, editor, world, trick) -> list[int]:
    _tricked(world, trick).save_revision(user=editor)
    admin.post(
        f"/admin/api/main/pages/{world.target.pk}/action/publish/",
        "{}",
        content_type="application/json",
    )
    return [world.target.pk]


def copy_with_publish(admin, editor, world, trick) -> list[int]:
    """A members-only story holding the trick (live before anyone knew the name mattered)
    is copied into the public listing with "Publish copied page" ticked."""
    page = _tricked(world, trick)  # before the library: factories expect one listing
    page.save()
    home = models.HomePage.objects.get()
    index_class = models.BrightSpotIndexPage if trick.bright_spot else models.CaseStudyIndexPage
    public_index = index_class.objects.get()
    library = home.add_child(instance=index_class(title="Members' library", slug="library"))
    make_members_only(library)
    page.move(library, pos="last-child")
    revision = type(page).objects.get(pk=page.pk).save_revision(user=editor)
    Page.objects.filter(pk=page.pk).update(
        live=True, live_revision=revision, has_unpublished_changes=False
    )
    source = type(page).objects.get(pk=page.pk)
    assert Client().get(source.url).status_code in (302, 404), "members-only to outsiders"
    admin.post(
        f"/admin/pages/{page.pk}/copy/",
        {
            "new_title": source.title,
            "new_slug": "cannery-fees-copy",
            "new_parent_page": str(public_index.pk),
            "publish_copies": "on",
        },
    )
    copies = list(Page.objects.filter(slug="cannery-fees-copy").values_list("pk", flat=True))
    return [page.pk, *copies]


def revert_and_publish(admin, editor, world, trick) -> list[int]:
    """An older revision held the trick; the live story is clean; the editor reverts to
    the older one and presses Publish."""
    page = world.target
    old = _tricked(world, trick).save_revision(user=editor)
    clean = type(page).objects.get(pk=page.pk)
    clean.save_revision(user=editor).publish(user=editor)
    url = f"/admin/pages/{page.pk}/revisions/{old.pk}/revert/"
    response = admin.post(url, _form(admin, clean, url, old.as_object()))
    assert "could not be saved due to validation errors" not in response.content.decode()
    return [page.pk]


# Every trick by the edit view also runs on noida-db (pip_only): the search surfaces must
# hold there too. The other paths run on Elasticsearch in the whole suite.
PATHS = [
    pytest.param(publish_from_the_edit_view, marks=pytest.mark.pip_only),
    publish_by_the_admin_api,
    copy_with_publish,
    revert_and_publish,
]


# --- The surfaces --------------------------------------------------------------------


# Searching for the name itself: the page repeats the query as typed (in capitals here,
# so that the echo is told apart from a result that names the company).
ECHOED_QUERIES = ["ZORBLAX", "ZORBLAX FOODS"]
_FILE_URL = re.compile(r"(?:https?://[^/\s\"'<>]+)?(/(?:media|documents)/[^\s\"'<>),;]+)")
_JSON_LD = re.compile(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', re.DOTALL)


def _file_text(data: bytes, path: str) -> str:
    """What a served file says: a document's text and metadata, and any string in its bytes
    (EXIF, XMP and profile text of pictures, in one- and two-byte encodings)."""
    texts = [data.decode("latin-1")]
    texts += [data[i:].decode("utf-16-be", errors="ignore") for i in (0, 1)]
    if path.startswith("/documents/"):
        try:
            texts += [text for _part, text in extract_parts(data)]
        except Exception:  # noqa: BLE001 - not a document we read: its bytes were read above
            pass
    return "\n".join(texts)


@dataclass
class Surfaces:
    texts: dict[str, str]  # what an anonymous visitor got at each address
    statuses: dict[str, int]
    files: dict[str, str]  # image and document files those answers point to

    def leaks(self) -> list[str]:
        found = []
        for where, text in {**self.texts, **self.files}.items():
            for term in find_terms(text, NAMES):
                found.append(f"{where} shows “{term}”")
        return found


def public_surfaces(story_ids: list[int]) -> Surfaces:
    """Every public surface, fetched as an anonymous visitor, with the files it points to."""
    client = Client()
    live = list(Page.objects.live().public().filter(depth__gt=1).specific())
    stories = list(Page.objects.filter(pk__in=story_ids).specific()) + [
        p for p in live if isinstance(p, models.CaseStudyPage | models.BrightSpotPage)
    ]
    ids = sorted({p.pk for p in stories})
    urls = [p.url for p in live] + [p.url for p in stories if p.url]
    urls += ["/search/", "/search/?q=fees", "/search/?q=repaid", "/search/?sort=newest"]
    urls += [f"/search/?q={quote(q)}" for q in ECHOED_QUERIES]
    urls += [f"/search/suggest/?q={q}" for q in ("zorb", "ZORBLAX", "fee", "rep", "how")]
    urls += ["/feeds/rss/", "/feeds/atom/", "/sitemap.xml", "/api/stories/"]
    urls += [
        f"/feeds/industry/{s}/rss/" for s in models.Industry.objects.values_list("slug", flat=True)
    ]
    urls += [
        f"/feeds/intervention/{s}/rss/"
        for s in models.InterventionType.objects.values_list("slug", flat=True)
    ]
    urls += [f"/api/stories/{pk}/" for pk in ids] + [f"/embed/{pk}/" for pk in ids]
    for page in stories:
        if page.url:
            absolute = quote(settings.SITE_URL + page.url, safe="")
            urls += [f"/oembed/?url={absolute}&format=json", f"/oembed/?url={absolute}&format=xml"]
    urls += ["/metrics/", "/impact/", "/data/", "/data/metric-results.csv"]
    urls += ["/data/metric-results.json"]
    urls += [
        f"/metrics/{s}/" for s in models.MetricDefinition.objects.values_list("slug", flat=True)
    ]

    surfaces = Surfaces({}, {}, {})
    for url in dict.fromkeys(urls):
        response = client.get(url)
        text = readable(response)
        if response.status_code == 404:
            text = text.replace(quote(url, safe=""), "").replace(url, "")  # the echoed address
        for query in ECHOED_QUERIES:  # what the visitor typed, shown back to them
            for spelling in (query, quote(query), quote_plus(query), quote(query, safe="")):
                text = text.replace(spelling, "")
        surfaces.texts[url] = text
        surfaces.statuses[url] = response.status_code
        for n, block in enumerate(_JSON_LD.findall(text)):
            surfaces.texts[f"{url} (JSON-LD {n + 1})"] = block
        for path in _FILE_URL.findall(text):
            surfaces.files.setdefault(html.unescape(path), "")
    for path in list(surfaces.files):
        surfaces.files[path] = _file_text(_fetch_file(client, path), path)
    return surfaces


def _fetch_file(client, path: str) -> bytes:
    path = urlparse(path).path
    if path.startswith(settings.MEDIA_URL):
        name = path[len(settings.MEDIA_URL) :]
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                return stored.read()
        return b""
    response = client.get(path)
    return response_bytes(response) if response.status_code == 200 else b""


# --- The matrix ----------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS, ids=[getattr(p, "values", [p])[0].__name__ for p in PATHS])
@pytest.mark.parametrize("trick", TRICKS, ids=[t.name for t in TRICKS])
def test_the_trick_does_not_put_the_name_on_any_public_surface(
    trick, path, admin, editor, django_capture_on_commit_callbacks
):
    world = _world(trick)

    with django_capture_on_commit_callbacks(execute=True):
        involved = path(admin, editor, world, trick)

    pages = Page.objects.filter(pk__in=involved).specific()
    public = [p for p in pages if p.live and Client().get(p.url).status_code == 200]
    if trick.stripped:
        assert public, "a story whose files were stripped on upload publishes"
    else:
        stopped = PageLogEntry.objects.filter(page__in=involved, action__in=REFUSED_OR_TAKEN_DOWN)
        assert stopped.exists(), "the guard refused (or the backstop took the story down)"
        if path is not revert_and_publish:  # there the clean revision stays live
            assert public == [], "nothing went public"

    surfaces = public_surfaces(involved)

    for story in world.stories:
        assert surfaces.statuses[story.url] == 200
    assert any("JSON-LD" in where for where in surfaces.texts)
    assert any(p.startswith(settings.MEDIA_URL) for p in surfaces.files), "pictures were read"
    if trick.name == "document-metadata":
        assert any(p.startswith("/documents/") for p in surfaces.files), "the document was read"
    leaks = surfaces.leaks()
    assert not leaks, "the name reached public surfaces:\n" + "\n".join(leaks)


@pytest.mark.pip_only
def test_the_surfaces_see_through_a_trick_that_reached_a_live_page(admin, editor):
    """Guard against a suite that cannot fail: a live story written straight to the table
    with a disguised name (Greek omicron, soft hyphen) is found on the page, the API, the
    feeds, search and the embed card."""
    world = _world(TRICKS[0])
    story = world.stories[0]
    models.CaseStudyPage.objects.filter(pk=story.pk).update(
        title="How Z\u03bfrblax Foods repaid recruitment fees",
        summary="Workers at Zor\u00adblax were repaid.",
    )
    rebuild()

    leaks = public_surfaces([story.pk]).leaks()

    for where in (story.url, f"/api/stories/{story.pk}/", "/feeds/rss/", f"/embed/{story.pk}/"):
        assert any(leak.startswith(f"{where} shows") for leak in leaks), where
    assert any(leak.startswith("/search/?q=fees shows") for leak in leaks)
    assert any("(JSON-LD" in leak for leak in leaks)


def test_the_files_check_reads_picture_metadata_and_document_text():
    """The file half of the helper: EXIF in a picture and text in a document are found."""
    exif = PILImage.Exif()
    exif[0x013B] = COMPANY
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8)).save(buffer, "JPEG", exif=exif)
    assert find_terms(_file_text(buffer.getvalue(), "/media/images/a.jpg"), NAMES)
    assert find_terms(_file_text(jpeg_with_profile(COMPANY), "/media/images/b.jpg"), NAMES)
    document = docx_bytes("Interview at Zor|blax")
    assert find_terms(_file_text(document, "/documents/1/notes.docx"), NAMES) == [SHORT]
