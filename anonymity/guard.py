"""The anonymity guard: the one place that decides whether a story may be public.

Every surface asks here (the publish path of StoryPage, the admin hooks, the
stale-content report) so that "what counts as identifying" has one definition.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from modelcluster.models import get_all_child_relations
from wagtail.blocks import StreamValue, StructValue
from wagtail.blocks.list_block import ListValue
from wagtail.documents.models import AbstractDocument
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail.rich_text import RichText

# The matching lives in its own module; these names are imported from here too.
from .matching import (  # noqa: F401
    LEGAL_FORMS,
    LEGAL_PREFIXES,
    character_name,
    contains_term,
    find_term_excerpts,
    find_terms,
    invisible_characters,
    is_invisible,
    rich_text_words,
    term_variants,
)

logger = logging.getLogger("portal")

# Private fields of StoryPage: the guard reads them, nothing public may.
PRIVATE_FIELDS = frozenset(
    {
        "contributing_company",
        "confidential_terms",
        "attribution_consent",
        "attribution_consent_record",
        "reidentification_override",
    }
)
# Fields of wagtailcore.Page that visitors see; the rest are bookkeeping.
PUBLIC_PAGE_FIELDS = ("title", "slug", "seo_title", "search_description")

SCHEDULED_LOG_ACTION = "wagtail.publish.scheduled"
REFUSED_LOG_ACTION = "anonymity.publish_refused"


def _shown(text: str) -> str:
    """Text with its invisible characters named, so the editor can find them."""
    return "".join(f"[{character_name(c)}]" if is_invisible(c) else c for c in text)


@dataclass(frozen=True)
class Leak:
    """A confidential or denylisted term found in a public part of a page.

    The excerpt is the text as the editor wrote it ("Zorblax-Foods.com"), which
    may look nothing like the configured term; field_name is the edit form's
    field it is in, so the admin can mark that field and link to it. Two leaks
    are the same when the same term shows in the same place.
    """

    field_label: str
    term: str
    field_name: str = dataclasses.field(default="", compare=False)
    excerpt: str = dataclasses.field(default="", compare=False)

    def __str__(self) -> str:
        said = f"“{self.term}” appears in {self.field_label}"
        if self.excerpt and self.excerpt != self.term:
            said += f" as “{_shown(self.excerpt)}”"
        return said


@dataclass(frozen=True)
class InvisibleCharacter(Leak):
    """A character readers cannot see in a public field (term is its name).

    Soft hyphens and zero-width characters come in with text pasted from PDFs
    and word processors, and they are the simplest way to write a name that no
    comparison recognises; the guard removes them before matching, and refuses
    them on the public site so that nothing downstream has to.
    """

    def __str__(self) -> str:
        said = f"invisible character ({self.term}) in {self.field_label}"
        return said + (f", in “{_shown(self.excerpt)}”" if self.excerpt else "")


@dataclass(frozen=True)
class ReidentificationRisk:
    """Too few registered companies share a page's public attributes."""

    matches: int
    k: int
    attributes: str

    def __str__(self) -> str:
        return (
            f"Only {self.matches} registered contributing "
            f"{'company shares' if self.matches == 1 else 'companies share'} this page's "
            f"public attributes ({self.attributes}); at least {self.k} are needed so that "
            "readers cannot tell whose supply chain it is. Choose a broader region, size "
            "band or stage, or record a re-identification override reason."
        )


class PublicationRefused(PermissionDenied):
    """Publishing would put identifying content on the public site.

    A PermissionDenied so that any admin path the hooks do not cover still ends
    in Wagtail's "not permitted" redirect rather than an error page.
    """

    def __init__(self, leaks: list[Leak], risk: ReidentificationRisk | None = None):
        self.leaks = leaks
        self.risk = risk
        super().__init__("Not published: " + "; ".join(self.problems) + ".")

    @property
    def problems(self) -> list[str]:
        return [str(leak) for leak in self.leaks] + ([str(self.risk)] if self.risk else [])


# --- What is public on a page ----------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_ATTRIBUTE = re.compile(r'\b(alt|href|title)="([^"]*)"')
_EMBEDDED = re.compile(
    r'<(?:embed|a)\b[^>]*?\b(?:embedtype|linktype)="(image|document)"[^>]*?\bid="(\d+)"'
    r'|<(?:embed|a)\b[^>]*?\bid="(\d+)"[^>]*?\b(?:embedtype|linktype)="(image|document)"'
)


_PAGE_LINK = re.compile(
    r'<a\b[^>]*?\blinktype="page"[^>]*?\bid="(\d+)"|<a\b[^>]*?\bid="(\d+)"[^>]*?\blinktype="page"'
)


def _image_parts(image: AbstractImage, label: str) -> Iterator[tuple[str, str]]:
    from .documents import image_profile_text

    yield f"{label} (image title)", image.title
    yield f"{label} (image alt text)", getattr(image, "description", "")
    yield f"{label} (image caption)", getattr(image, "caption", "")
    yield f"{label} (image file name)", os.path.basename(image.file.name or "")
    # Uploads lose their colour profile; an original stored before that may keep one.
    yield f"{label} (image colour profile)", image_profile_text(image)


def _document_parts(document: AbstractDocument, label: str) -> Iterator[tuple[str, str]]:
    """A linked document is published with the page: its title, name, text and metadata."""
    from .documents import document_parts

    yield f"{label} (document title)", document.title
    yield f"{label} (document file name)", os.path.basename(document.file.name or "")
    for part, text in document_parts(document):
        yield f"{label} (document {part})", text


def _page_parts(page: Page, label: str) -> Iterator[tuple[str, str]]:
    """A page chosen as a link: its title shows as the link, its slug in the address."""
    yield f"{label} (page title)", page.title
    yield f"{label} (page slug)", page.slug


def _page_link_parts(source: str, label: str) -> Iterator[tuple[str, str]]:
    """Pages linked from rich text: the link's address carries their slug."""
    ids = {int(a or b) for a, b in _PAGE_LINK.findall(source)}
    if ids:
        for slug in Page.objects.filter(pk__in=ids).order_by("pk").values_list("slug", flat=True):
            yield f"{label} (linked page slug)", slug


def _rich_text_parts(source: str, label: str) -> Iterator[tuple[str, str]]:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    yield label, rich_text_words(source)
    for name, value in _ATTRIBUTE.findall(source):
        yield f"{label} ({name})", html.unescape(value)
    for match in _EMBEDDED.finditer(source):
        kind = match.group(1) or match.group(4)
        pk = match.group(2) or match.group(3)
        model = get_image_model() if kind == "image" else get_document_model()
        obj = model.objects.filter(pk=pk).first()
        if obj is not None and kind == "image":
            yield from _image_parts(obj, label)
        elif obj is not None:
            yield from _document_parts(obj, label)
    yield from _page_link_parts(source, label)


def _value_parts(value, label: str) -> Iterator[tuple[str, str]]:
    """Walk a StreamField value down to its strings, documents and images."""
    if value is None:
        return
    if isinstance(value, StreamValue):
        for n, child in enumerate(value, start=1):
            yield from _value_parts(child.value, f"{label} › {child.block.label} {n}")
    elif isinstance(value, StructValue):
        for name, child in value.items():
            block = value.block.child_blocks.get(name)
            yield from _value_parts(child, f"{label} › {block.label if block else name}")
    elif isinstance(value, ListValue | list | tuple):
        for n, child in enumerate(value, start=1):
            yield from _value_parts(child, f"{label} › item {n}")
    elif isinstance(value, RichText):
        yield from _rich_text_parts(value.source, label)
    elif isinstance(value, AbstractImage):
        yield from _image_parts(value, label)
    elif isinstance(value, AbstractDocument):
        yield from _document_parts(value, label)
    elif isinstance(value, Page):
        yield from _page_parts(value, label)
    elif isinstance(value, models.Model) and _is_vocabulary(type(value)):
        yield from _vocabulary_parts(value, label)  # a step's kind, a snippet chooser
    elif isinstance(value, str):
        yield label, value


def _field_label(field: models.Field) -> str:
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def _is_private(field) -> bool:
    """Private fields, and relations to the guard's own registers: never rendered."""
    related = field.related_model
    return field.name in PRIVATE_FIELDS or (
        related is not None and related._meta.app_label == "anonymity"
    )


def _is_vocabulary(model) -> bool:
    """Snippets and tags: shared names a page shows as tags, facets, feed categories."""
    from taggit.models import TagBase
    from wagtail.snippets.models import get_snippet_models

    from casestudies.models import VOCABULARY_MODELS

    return model in VOCABULARY_MODELS or model in get_snippet_models() or issubclass(model, TagBase)


def _vocabulary_parts(obj: models.Model, label: str) -> Iterator[tuple[str, str]]:
    """A taxonomy term or metric linked from a page: its name, slug and descriptions."""
    parts = [
        (f"{label} › {_field_label(field)}", getattr(obj, field.name) or "")
        for field in obj._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not _is_private(field)
    ]
    yield from parts or [(label, str(obj))]


def _related_parts(related, label: str, seen: set[int]) -> Iterator[tuple[str, str]]:
    """What a page shows of an object it links to by a chooser (foreign key or many-to-many)."""
    if isinstance(related, AbstractImage):
        yield from _image_parts(related, label)
    elif isinstance(related, AbstractDocument):
        yield from _document_parts(related, label)
    elif isinstance(related, Page):
        if related.pk in seen:
            return
        if hasattr(related, "confidential_term_list"):
            # A linked story is one click away: it is read whole.
            yield from _page_text(related, f"{label} › ", seen)
        else:
            yield from _page_parts(related, label)
    elif related is not None and _is_vocabulary(type(related)):
        yield from _vocabulary_parts(related, label)


def _chooser_fields(obj: models.Model) -> Iterator[models.Field]:
    """Foreign keys and many-to-many fields whose targets a visitor sees with obj."""
    from modelcluster.fields import ParentalKey

    for field in [*obj._meta.concrete_fields, *obj._meta.many_to_many]:
        if not field.is_relation or _is_private(field):
            continue
        if isinstance(obj, Page) and field.model is Page:
            continue  # owner, locale, alias_of...: Wagtail's bookkeeping
        if isinstance(field, ParentalKey) or getattr(field.remote_field, "parent_link", False):
            continue  # the way back to the page being read
        yield field


def _object_parts(
    obj: models.Model, prefix: str = "", seen: set[int] | None = None
) -> Iterator[tuple[str, str]]:
    seen = set() if seen is None else seen
    for field in obj._meta.concrete_fields:
        if field.is_relation or field.name in PRIVATE_FIELDS:
            continue
        if isinstance(obj, Page) and field.model is Page and field.name not in PUBLIC_PAGE_FIELDS:
            continue
        label = prefix + _field_label(field)
        if isinstance(field, StreamField):
            yield from _value_parts(getattr(obj, field.name), label)
        elif isinstance(field, RichTextField):
            yield from _rich_text_parts(getattr(obj, field.name) or "", label)
        elif isinstance(field, models.CharField | models.TextField | models.URLField):
            yield label, getattr(obj, field.name) or ""
    for field in _chooser_fields(obj):
        label = prefix + _field_label(field)
        if field.many_to_many:
            for related in getattr(obj, field.name).all():
                yield from _related_parts(related, label, seen)
        else:
            yield from _related_parts(getattr(obj, field.name, None), label, seen)


def _page_text(page: Page, prefix: str, seen: set[int]) -> Iterator[tuple[str, str]]:
    if page.pk:
        seen.add(page.pk)
    yield from _object_parts(page, prefix, seen)
    for relation in get_all_child_relations(page):
        if relation.related_model._meta.app_label == "wagtailcore":
            continue  # editors' comments and the like never reach visitors
        name = relation.get_accessor_name()
        label = str(relation.related_model._meta.verbose_name)
        for n, child in enumerate(getattr(page, name).all(), start=1):
            yield from _object_parts(child, f"{prefix}{label[:1].upper()}{label[1:]} {n} › ", seen)


def public_text(page: Page) -> Iterator[tuple[str, str]]:
    """(field label, text) for every part of a page a visitor can see.

    Fields are found generically, so a field added to a page type later is
    guarded without anyone remembering to list it here. What the page links to
    by a chooser is read as well, since the page shows it: taxonomy and metric
    names (tags, facets, feed categories, API, JSON-LD), a linked page's title
    and slug, a linked story whole, and the text and metadata of documents.
    """
    yield from _page_text(page, "", set())


def linked_story_terms(page) -> list[str]:
    """Confidential terms of the stories a page links to by a chooser.

    A bright spot's case study is published with it (one click away), so the
    case study's own terms must not show on either.
    """
    terms: list[str] = []
    for field in _chooser_fields(page):
        if field.many_to_many:
            continue
        linked = getattr(page, field.name, None)
        if not isinstance(linked, Page) or linked.pk == page.pk:
            continue
        if hasattr(linked, "confidential_term_list"):
            own = (
                term_variants(linked.contributing_company)
                if linked.attribution_consent and linked.attribution_consent_record.strip()
                else frozenset()
            )
            terms += [t for t in linked.confidential_term_list() if not (term_variants(t) & own)]
    return terms


# --- The guard --------------------------------------------------------------


def forbidden_terms(page) -> list[str]:
    """The page's confidential terms and the site-wide denylist.

    With recorded attribution consent the contributing company's own name
    (in any of its spellings) is allowed; nothing else is.
    """
    from .models import DenylistTerm

    terms = list(page.confidential_term_list()) if hasattr(page, "confidential_term_list") else []
    terms += linked_story_terms(page)
    if getattr(page, "attribution_consent", False) and page.attribution_consent_record.strip():
        own = term_variants(page.contributing_company)
        terms = [t for t in terms if not (term_variants(t) & own)]
    terms += list(DenylistTerm.objects.values_list("term", flat=True))
    return list(dict.fromkeys(t for t in terms if t.strip()))


def _form_field_names(page) -> dict[str, str]:
    """Labels public_text starts a part with, mapped to the edit form's field names."""
    names = {
        _field_label(model_field): model_field.name
        for model_field in [*page._meta.concrete_fields, *page._meta.many_to_many]
    }
    for relation in get_all_child_relations(page):
        label = str(relation.related_model._meta.verbose_name)
        names[label[:1].upper() + label[1:]] = relation.get_accessor_name()
    return names


def _form_field_name(label: str, names: dict[str, str]) -> str:
    """The form field a part's label ("Steps › Step 1 › Text", "Result 2 › Note") is in."""
    for known in sorted(names, key=len, reverse=True):
        rest = label[len(known) :]
        if label.startswith(known) and (not rest or rest[0] in " (›"):
            return names[known]
    return ""


# What a file says (a document's text and metadata, an image's colour profile or
# file name) is read for names but not refused for invisible characters: text
# extracted from PDFs is full of them, and nobody can retype it.
_FILE_CONTENTS = re.compile(
    r"\((?:document (?!title\))[^)]*|image colour profile|image file name)\)$"
)


def _written(text: str, char_name: str) -> str:
    """The word around the first invisible character of that name."""
    for word in text.split():
        if any(is_invisible(c) and character_name(c) == char_name for c in word):
            return word[:80]
    return ""


def find_leaks(page, terms: list[str] | None = None) -> list[Leak]:
    """Every (public field, term) pair where a forbidden term or an invisible character shows."""
    terms = forbidden_terms(page) if terms is None else terms
    names = _form_field_names(page)
    leaks: list[Leak] = []
    for label, text in public_text(page):
        if not text:
            continue
        field_name = _form_field_name(label, names)
        found = [
            InvisibleCharacter(label, name, field_name, _written(text, name))
            for name in ([] if _FILE_CONTENTS.search(label) else invisible_characters(text))
        ]
        found += [
            Leak(label, term, field_name, written)
            for term, written in find_term_excerpts(text, terms)
        ]
        leaks += [leak for leak in found if leak not in leaks]
    return _where_editors_can_fix(page, leaks)


def _where_editors_can_fix(page, leaks: list[Leak]) -> list[Leak]:
    """Leave out a term found in a derived field when an editable field shows it too.

    A derived field (``CaseStudyPage.step_kinds``, filled from the steps) repeats
    what the editor wrote elsewhere; reporting it twice, once without a place in
    the form to go to, only sends the editor looking. Every text is still read:
    a term that only a derived field shows is reported there.
    """
    derived = {
        field.name
        for field in [*page._meta.concrete_fields, *page._meta.many_to_many]
        if not field.editable
    }
    fixable = {leak.term for leak in leaks if leak.field_name not in derived}
    return [leak for leak in leaks if leak.field_name not in derived or leak.term not in fixable]


@dataclass(frozen=True)
class UnregisteredCompany(ReidentificationRisk):
    """The story does not name a registered company, so nobody can count its look-alikes."""

    company: str = ""

    def __str__(self) -> str:
        problem = (
            f"“{self.company}” is not a registered contributing company"
            if self.company.strip()
            else "no contributing company is chosen"
        )
        return (
            "Choose the registered contributing company this story comes from (Anonymity › "
            f"Contributing companies): {problem}, so the guard cannot count how many companies "
            "share its public attributes. A re-identification override does not replace it."
        )


def reidentification_risk(page) -> ReidentificationRisk | None:
    """Whether fewer than k registered companies share the page's public attributes.

    Fails closed: a story must name a registered contributing company (case and
    spacing aside), override or not, since a blank or unknown company is exactly
    the story nobody checked. Look-alikes are companies of the same industry and
    size band whose supply chains have work in the page's region (where the work
    happened, not where a company is headquartered) at every stage it covers.
    A recorded override reason only answers "too few look-alikes".
    """
    from casestudies.models import SIZE_BANDS

    from .models import ContributingCompany

    k = settings.REIDENTIFICATION_K
    if ContributingCompany.registered_as(page.contributing_company) is None:
        return UnregisteredCompany(0, k, "", page.contributing_company.strip())
    if k <= 1 or page.reidentification_override.strip():
        return None
    stages = list(page.stages.all())
    companies = ContributingCompany.objects.filter(
        industry_id=page.industry_id,
        size_band=page.size_band,
        operating_regions=page.region_id,
    )
    if not page.region_id or not page.industry_id:
        companies = companies.none()
    for stage in stages:
        companies = companies.filter(stages=stage)
    matches = companies.distinct().count()
    if matches >= k:
        return None
    attributes = [
        str(page.industry) if page.industry_id else "no industry",
        f"work in {page.region}" if page.region_id else "no region",
        dict(SIZE_BANDS).get(page.size_band, page.size_band).split(" (")[0].lower(),
        "stages: " + ", ".join(str(s) for s in stages) if stages else "no stage",
    ]
    return ReidentificationRisk(matches, k, ", ".join(attributes))


def publication_problems(page) -> PublicationRefused | None:
    """Why the page may not be public, or None when it may."""
    leaks = find_leaks(page)
    risk = reidentification_risk(page)
    return PublicationRefused(leaks, risk) if leaks or risk else None


def check_publication(revision, *, log_action=None) -> bool:
    """Refuse to publish a revision that would identify anyone.

    Called by StoryPage.publish, which every way of going live passes through
    (admin, workflow approval, bulk actions, publish_scheduled). A scheduled
    go-live is not raised (that would stop publish_scheduled for every other
    page): its schedule is cancelled and the refusal is logged in the page's
    history instead, and False tells the caller not to publish.
    """
    page = revision.as_object()
    refused = publication_problems(page)
    if refused is None:
        return True
    if log_action != SCHEDULED_LOG_ACTION:
        raise refused
    from wagtail.log_actions import log

    revision.approved_go_live_at = None
    revision.save(update_fields=["approved_go_live_at"])
    log(
        instance=revision.content_object,
        action=REFUSED_LOG_ACTION,
        data={"problems": refused.problems},
        revision=revision,
    )
    logger.warning("Scheduled publishing of page %s refused: %s", page.pk, refused)
    return False


def stale_leaks(page) -> list[Leak]:
    """Forbidden terms in a live page's published content, including terms added since.

    Terms added to a later draft count too: they are what the editors now know
    to be confidential, whatever the published revision said.
    """
    live = page.live_revision.as_object() if page.live_revision_id else page
    terms = forbidden_terms(live)
    latest = page.get_latest_revision()
    if latest is not None and latest.pk != page.live_revision_id:
        terms += [t for t in forbidden_terms(latest.as_object()) if t not in terms]
    return find_leaks(live, terms)
