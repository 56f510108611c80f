"""One way to build a story: plain data in, a page published through the guard out; the
benchmark corpus builds with it too, in the demo's vocabulary."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from casestudies.building import UnknownTerm, add_story
from casestudies.demo.files import REGIONS
from casestudies.demo.loader import load_vocabularies
from casestudies.models import (
    BrightSpotPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    Region,
)

pytestmark = pytest.mark.django_db


def plain_case_study(**overrides) -> dict:
    data = {
        "title": "How a cannery ended recruitment fees",
        "summary": "A seafood processor repaid the fees its workers had paid.",
        "challenge": "<p>Workers owed brokers a year's wages.</p>",
        "industry": "seafood",
        "region": "southeast-asia",
        "intervention_types": ["employer-pays"],
        "stages": ["processing"],
        "risks_addressed": ["debt-bondage", "deception"],
        "size_band": "large",
        "year_started": 2021,
        "year_ended": 2023,
        "steps": [
            {
                "heading": "Asked workers what they had paid",
                "kind": "verify-with-workers",
                "what_was_done": "<p>Interviews off site.</p>",
                "duration": "3 months",
            }
        ],
        "results": [
            {
                "metric": "recruitment-fees-repaid",
                "baseline": 0,
                "result": 250000,
                "unit": "USD",
                "period_start": datetime.date(2022, 1, 1),
                "period_end": datetime.date(2022, 12, 31),
            }
        ],
        "contributing_company": "Varnholt Quillmere Ltd",
    }
    return data | overrides


def test_a_story_from_plain_data_and_slugs(client):
    load_vocabularies()
    index = CaseStudyIndexPage.objects.get()
    page = add_story(index, CaseStudyPage, publish=False, **plain_case_study())

    page = CaseStudyPage.objects.get(pk=page.pk)
    assert (page.industry.slug, page.region.slug) == ("seafood", "southeast-asia")
    assert [t.slug for t in page.intervention_types.all()] == ["employer-pays"]
    assert {r.slug for r in page.risks_addressed.all()} == {"debt-bondage", "deception"}
    assert page.steps[0].value["kind"].slug == "verify-with-workers"
    assert page.results.get().metric.unit == "USD"
    html = client.get(page.url).content.decode()
    assert "Verify with workers" in html and "Asked workers what they had paid" in html


def test_publishing_goes_through_the_guard():
    load_vocabularies()
    leaking = plain_case_study(summary="Varnholt Quillmere Ltd repaid the fees.")

    with pytest.raises(PermissionDenied, match="Varnholt Quillmere Ltd"):
        add_story(CaseStudyIndexPage.objects.get(), CaseStudyPage, **leaking)

    draft = CaseStudyPage.objects.get(title=leaking["title"])
    assert not draft.live  # kept as a draft for the editor to fix, never public


def test_an_unknown_slug_is_named_and_nothing_is_created():
    load_vocabularies()
    with pytest.raises(UnknownTerm, match="'nowhere'.*southeast-asia"):
        add_story(
            CaseStudyIndexPage.objects.get(), CaseStudyPage, **plain_case_study(region="nowhere")
        )
    assert not CaseStudyPage.objects.exists()


def test_a_result_in_the_wrong_unit_is_refused_before_anything_is_saved():
    load_vocabularies()
    wrong = plain_case_study()
    wrong["results"][0]["unit"] = "EUR"
    with pytest.raises(ValidationError, match="measured in USD"):
        add_story(CaseStudyIndexPage.objects.get(), CaseStudyPage, publish=False, **wrong)
    assert not CaseStudyPage.objects.exists()


def test_the_benchmark_corpus_speaks_the_demos_vocabulary(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command(
        "load_benchmark_data", "--case-studies", "4", "--bright-spots", "2", stdout=StringIO()
    )

    demo_regions = {row["slug"] for row in REGIONS}
    assert set(Region.objects.values_list("slug", flat=True)) == demo_regions
    case_studies = list(CaseStudyPage.objects.filter(slug__startswith="bench-"))
    assert len(case_studies) == 4 and BrightSpotPage.objects.count() == 2
    for page in case_studies:
        assert page.region.slug in demo_regions
        assert page.intervention_types.exists() and page.risks_addressed.exists()
        assert all(block.value["kind"] is not None for block in page.steps)
        assert page.results.exists()
        response = client.get(page.url)
        assert response.status_code == 200
        assert 'class="step__kind"' in response.content.decode()
    # Added the way treebeard adds children: the tree is consistent.
    index = CaseStudyIndexPage.objects.get()
    assert index.get_children().count() == index.numchild == 4
