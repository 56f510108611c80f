"""The guard finds confidential names however they are spelled, wherever they are."""

import pytest
from wagtail.documents import get_document_model
from wagtail.rich_text import RichText

from anonymity.guard import contains_term, find_leaks
from anonymity.models import DenylistTerm
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    MetricResultFactory,
    StoryImageFactory,
    step,
)


@pytest.mark.parametrize(
    "text",
    [
        "Acme Ltd repaid the fees.",
        "ACME repaid the fees.",
        "see acme-ltd.example for details",
        "Workers at Ácmé were interviewed.",
        "#AcmeLtd",
        "A.C.M.E. supplies the buttons",
        "Acme's suppliers",
    ],
)
def test_spelling_variants_of_a_company_name_match(text):
    assert contains_term(text, "Acme Ltd")


@pytest.mark.parametrize(
    "text", ["Acmeville is a town.", "The acmes of success.", "Pinnacle Ltd", "A came home."]
)
def test_matching_respects_word_boundaries(text):
    assert not contains_term(text, "Acme Ltd")


def test_accents_and_case_in_the_term_are_ignored_too():
    assert contains_term("the Sao Paulo site", "São Paulo")
    assert contains_term("Müller Garments employed them", "MULLER garments")


pytestmark = pytest.mark.django_db


def _labels(leaks, term):
    return {leak.field_label for leak in leaks if leak.term == term}


def test_leaks_name_each_public_field_holding_the_term():
    Document = get_document_model()
    from django.core.files.base import ContentFile

    document = Document.objects.create(
        title="Audit of Zorblatt Dhaka", file=ContentFile(b"An audit.", name="zorblatt-audit.txt")
    )
    image = StoryImageFactory(title="Line at Zorblatt", caption="Zorblatt workers")
    page = CaseStudyPageFactory(
        title="How Zorblatt ended fees",
        slug="zorblatt-fees",
        seo_title="Zorblatt",
        search_description="zorblatt",
        summary="ZORBLATT did it.",
        challenge="<p>At <b>Zorblatt</b> workers paid fees.</p>",
        steps=[step(heading="Zorblatt maps agencies", text="<p>Zörblatt HR led it.</p>")],
        lessons='<p><a href="https://zorblatt.example/report">report</a></p>',
        hero_image=image,
        hero_alt="Zorblatt factory floor",
        contributing_company="Zorblatt",
    )
    page.resources = [("document", {"document": document, "description": "An audit."})]
    page.save()
    MetricResultFactory(page=page, note="Verified by Zorblatt auditors")
    page.refresh_from_db()

    labels = _labels(find_leaks(page), "Zorblatt")

    assert {
        "Title",
        "Slug",
        "Title tag",
        "Meta description",
        "Summary",
        "Challenge",
        "Steps › Step 1 › Heading",
        "Steps › Step 1 › What was done",
        "Lessons (href)",
        "Hero image (image title)",
        "Hero image (image caption)",
        "Hero image alt text",
        "Resources › Document 1 › Document (document title)",
        "Resources › Document 1 › Document (document file name)",
        "Metric result 1 › Note",
    } <= labels


def test_a_rich_text_embedded_image_is_checked():
    image = StoryImageFactory(title="Quenvik harbour gate")
    page = CaseStudyPageFactory(
        contributing_company="Quenvik",
        challenge=f'<p>Gate.</p><embed embedtype="image" id="{image.pk}" alt="A gate"/>',
    )
    assert "Challenge (image title)" in _labels(find_leaks(page), "Quenvik")


def test_private_fields_are_not_public_fields():
    page = CaseStudyPageFactory(
        contributing_company="Zorblatt",
        confidential_terms="Quenvik Harbour\nDr Ilse Marrow",
        attribution_consent_record="Zorblatt, email of 2024-02-01",
        reidentification_override="Zorblatt is one of many",
    )
    assert find_leaks(page) == []


def test_denylisted_terms_are_refused_on_every_page():
    DenylistTerm.objects.create(term="Rapid Placement Agency", reason="Under investigation")
    spot = BrightSpotPageFactory(body="Fees charged by rapid-placement agency were repaid.")
    assert [(leak.field_label, leak.term) for leak in find_leaks(spot)] == [
        ("Body", "Rapid Placement Agency")
    ]


def test_attribution_consent_allows_only_the_company_own_name():
    page = CaseStudyPageFactory(
        title="How Acme Ltd repaid fees at Quenvik",
        contributing_company="Acme Ltd",
        confidential_terms="Quenvik",
        attribution_consent=True,
        attribution_consent_record="Signed by Acme's general counsel, 2024-03-01",
    )
    assert {leak.term for leak in find_leaks(page)} == {"Quenvik"}

    page.attribution_consent_record = ""
    assert {leak.term for leak in find_leaks(page)} == {"Acme Ltd", "Quenvik"}


def test_a_page_built_from_stream_blocks_as_rich_text_objects_is_walked():
    page = CaseStudyPageFactory(contributing_company="Zorblatt")
    page.steps = [
        (
            "step",
            {
                "heading": "Plain",
                "what_was_done": RichText("<p>Talked to zorblatt.</p>"),
                "pitfalls": "",
            },
        )
    ]
    assert _labels(find_leaks(page), "Zorblatt") == {"Steps › Step 1 › What was done"}
