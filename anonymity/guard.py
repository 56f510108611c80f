"""The anonymity guard: the one place that decides whether a story may be public.

Every surface asks here (the publish path of StoryPage, the admin hooks, the
stale-content report) so that "what counts as identifying" has one definition.
"""

from __future__ import annotations

import html
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

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

# Legal forms dropped from the end of a company name, so "Acme Ltd" also
# catches a bare "ACME".
LEGAL_FORMS = frozenset(
    "ltd limited inc incorporated llc llp plc gmbh ag sa sas sarl srl spa bv nv co corp "
    "corporation company pty pvt private kk oy aps bhd sdn tbk group holdings".split()
)
LEGAL_PREFIXES = frozenset({"pt", "cv"})

SCHEDULED_LOG_ACTION = "wagtail.publish.scheduled"
REFUSED_LOG_ACTION = "anonymity.publish_refused"


@dataclass(frozen=True)
class Leak:
    """A confidential or denylisted term found in a public part of a page."""

    field_label: str
    term: str

    def __str__(self) -> str:
        return f"“{self.term}” appears in {self.field_label}"


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


# --- Matching -------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _forms(text: str) -> set[str]:
    """Space-separated word forms of a text, padded so word boundaries are spaces.

    Dots and apostrophes are read both as separators ("acme.com" has "acme")
    and as nothing ("A.C.M.E." is "acme").
    """
    folded = _fold(text)
    return {
        " " + " ".join(re.sub(r"[\W_]+", " ", variant).split()) + " "
        for variant in (folded, re.sub(r"[.'’`]", "", folded))
    }


@lru_cache(maxsize=4096)
def term_variants(term: str) -> frozenset[str]:
    """The spellings of a term that count as the term."""
    variants = set()
    for form in _forms(term):
        words = form.split()
        if not words:
            continue
        variants.add(" ".join(words))
        variants.add("".join(words))  # "Acme Ltd" written as "AcmeLtd"
        core = list(words)
        while len(core) > 1 and core[-1] in LEGAL_FORMS:
            core.pop()
        while len(core) > 1 and core[0] in LEGAL_PREFIXES:
            core.pop(0)
        if core != words and len("".join(core)) >= 3:
            variants.add(" ".join(core))
    return frozenset(variants)


def find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The terms text mentions, ignoring case, accents and punctuation."""
    if not text:
        return []
    forms = _forms(text)
    return [
        term
        for term in terms
        if any(f" {v} " in form for v in term_variants(term) for form in forms)
    ]


def contains_term(text: str, term: str) -> bool:
    return bool(find_terms(text, [term]))


# --- What is public on a page ----------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_ATTRIBUTE = re.compile(r'\b(alt|href|title)="([^"]*)"')
_EMBEDDED = re.compile(
    r'<(?:embed|a)\b[^>]*?\b(?:embedtype|linktype)="(image|document)"[^>]*?\bid="(\d+)"'
    r'|<(?:embed|a)\b[^>]*?\bid="(\d+)"[^>]*?\b(?:embedtype|linktype)="(image|document)"'
)


def _image_parts(image: AbstractImage, label: str) -> Iterator[tuple[str, str]]:
    yield f"{label} (image title)", image.title
    yield f"{label} (image alt text)", getattr(image, "description", "")
    yield f"{label} (image caption)", getattr(image, "caption", "")
    yield f"{label} (image file name)", os.path.basename(image.file.name or "")


def _document_parts(document: AbstractDocument, label: str) -> Iterator[tuple[str, str]]:
    yield f"{label} (document title)", document.title
    yield f"{label} (document file name)", os.path.basename(document.file.name or "")


def _rich_text_parts(source: str, label: str) -> Iterator[tuple[str, str]]:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    yield label, html.unescape(_TAG.sub(" ", source))
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
        yield f"{label} (page title)", value.title
    elif isinstance(value, str):
        yield label, value


def _field_label(field: models.Field) -> str:
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def _object_parts(obj: models.Model, prefix: str = "") -> Iterator[tuple[str, str]]:
    for field in obj._meta.concrete_fields:
        if field.name in PRIVATE_FIELDS:
            continue
        if isinstance(obj, Page) and field.model is Page and field.name not in PUBLIC_PAGE_FIELDS:
            continue
        label = prefix + _field_label(field)
        if isinstance(field, models.ForeignKey):
            related = getattr(obj, field.name, None)
            if isinstance(related, AbstractImage):
                yield from _image_parts(related, label)
            elif isinstance(related, AbstractDocument):
                yield from _document_parts(related, label)
        elif isinstance(field, StreamField):
            yield from _value_parts(getattr(obj, field.name), label)
        elif isinstance(field, RichTextField):
            yield from _rich_text_parts(getattr(obj, field.name) or "", label)
        elif isinstance(field, models.CharField | models.TextField | models.URLField):
            yield label, getattr(obj, field.name) or ""


def public_text(page: Page) -> Iterator[tuple[str, str]]:
    """(field label, text) for every part of a page a visitor can see.

    Fields are found generically, so a field added to a page type later is
    guarded without anyone remembering to list it here.
    """
    yield from _object_parts(page)
    for relation in get_all_child_relations(page):
        if relation.related_model._meta.app_label == "wagtailcore":
            continue  # editors' comments and the like never reach visitors
        name = relation.get_accessor_name()
        label = str(relation.related_model._meta.verbose_name)
        for n, child in enumerate(getattr(page, name).all(), start=1):
            yield from _object_parts(child, f"{label[:1].upper()}{label[1:]} {n} › ")


# --- The guard --------------------------------------------------------------


def forbidden_terms(page) -> list[str]:
    """The page's confidential terms and the site-wide denylist.

    With recorded attribution consent the contributing company's own name
    (in any of its spellings) is allowed; nothing else is.
    """
    from .models import DenylistTerm

    terms = list(page.confidential_term_list()) if hasattr(page, "confidential_term_list") else []
    if getattr(page, "attribution_consent", False) and page.attribution_consent_record.strip():
        own = term_variants(page.contributing_company)
        terms = [t for t in terms if not (term_variants(t) & own)]
    terms += list(DenylistTerm.objects.values_list("term", flat=True))
    return list(dict.fromkeys(t for t in terms if t.strip()))


def find_leaks(page, terms: list[str] | None = None) -> list[Leak]:
    """Every (public field, term) pair where a forbidden term shows."""
    terms = forbidden_terms(page) if terms is None else terms
    if not terms:
        return []
    leaks: list[Leak] = []
    for label, text in public_text(page):
        for term in find_terms(text, terms):
            leak = Leak(label, term)
            if leak not in leaks:
                leaks.append(leak)
    return leaks


def reidentification_risk(page) -> ReidentificationRisk | None:
    """Whether fewer than k registered companies share the page's public attributes.

    Applies to pages that name a contributing company (there is someone to
    re-identify) and have no recorded override reason.
    """
    from casestudies.models import SIZE_BANDS

    from .models import ContributingCompany

    k = settings.REIDENTIFICATION_K
    if k <= 1 or not page.contributing_company.strip() or page.reidentification_override.strip():
        return None
    stages = list(page.stages.all())
    companies = ContributingCompany.objects.filter(
        industry_id=page.industry_id, hq_region_id=page.region_id, size_band=page.size_band
    )
    for stage in stages:
        companies = companies.filter(stages=stage)
    matches = companies.distinct().count()
    if matches >= k:
        return None
    attributes = [
        str(page.industry) if page.industry_id else "no industry",
        str(page.region) if page.region_id else "no region",
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
