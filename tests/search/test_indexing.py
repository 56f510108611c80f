"""What goes into the index, rebuilds behind the alias, and drift reporting."""

import json

import pytest
from django.core.management import call_command

from search.documents import alias_name, client
from search.indexing import rebuild, status
from search.query import FacetedStorySearch
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    MetricResultFactory,
    StoryImageFactory,
    step,
)

pytestmark = pytest.mark.django_db


def titles(query="", **filters):
    return [h.title for h in FacetedStorySearch(None, query, filters).execute().hits]


def raw_document(page) -> dict:
    return client().get(index=alias_name(), id=str(page.pk))["_source"]


def test_every_streamfield_block_and_rich_text_is_searchable(published):
    page = published(
        CaseStudyPageFactory(
            title="A tannery's story",
            steps=[step("Interview workers off site", "<p>Met them in <b>dormitories</b>.</p>")],
            lessons="<p>Budget for <i>interpreters</i> early.</p>",
        )
    )
    MetricResultFactory(page=page, note="Counted by an independent union.")
    published(page)

    assert titles("dormitories") == ["A tannery's story"]
    assert titles("interpreters") == ["A tannery's story"]
    # A StepBlock's plain-text child ("pitfalls") is flattened too.
    assert titles("deposits") == ["A tannery's story"]
    assert titles("independent union") == ["A tannery's story"]


def test_confidential_fields_never_reach_the_index(published):
    page = published(
        CaseStudyPageFactory(
            title="How a brand repaid fees",
            contributing_company="Zanzibar Knitwear Holdings",
            confidential_terms="Quokka Fisheries\nMarlowe Site 7",
            attribution_consent_record="Consent mail from Q. Vandersloot",
            reidentification_override="Only two companies; cleared by Ombudsperson Xerxes",
        )
    )
    document = json.dumps(raw_document(page)).lower()
    for secret in ("zanzibar", "quokka", "marlowe", "vandersloot", "xerxes"):
        assert secret not in document
        assert titles(secret) == []


def test_document_carries_tags_years_metrics_and_a_webp_card_image(published):
    apparel = IndustryFactory(name="Apparel", slug="apparel")
    page = published(
        CaseStudyPageFactory(
            industry=apparel,
            year_started=2020,
            year_ended=2022,
            hero_image=StoryImageFactory(),
            hero_alt="Workers at a meeting",
        )
    )
    MetricResultFactory(page=page, verification="independently-audited")
    published(page)
    document = raw_document(page)
    assert document["industry"] == "apparel" and document["industry_name"] == "Apparel"
    assert document["years"] == ["2020", "2021", "2022"]
    assert document["verification"] == ["independently-audited"]
    assert document["audience"] == "public"
    assert document["url"] == page.url
    assert document["image_url"].endswith(".webp")
    assert "480x270" in document["image_url"] or "fill-480x270" in document["image_url"]
    assert document["image_alt"] == "Workers at a meeting"


def test_rebuild_swaps_the_alias_to_a_new_index_and_removes_the_old(published):
    published(CaseStudyPageFactory(), BrightSpotPageFactory())
    es = client()
    (old,) = es.indices.get_alias(name=alias_name())

    steps = []
    result = rebuild(progress=lambda done, total: steps.append((done, total)))

    (current,) = es.indices.get_alias(name=alias_name())
    assert current == result["index"] != old
    assert not es.indices.exists(index=old)
    assert result["documents"] == 2
    assert result["python_seconds"] >= 0 and result["elasticsearch_seconds"] > 0
    assert steps[-1] == (2, 2)
    assert len(titles()) == 2


def test_status_lists_drift_between_index_and_database(published):
    kept, lost = published(CaseStudyPageFactory(), CaseStudyPageFactory())
    assert status()["in_sync"]

    client().delete(index=alias_name(), id=str(lost.pk), refresh=True)
    client().index(index=alias_name(), id="999999", document={"page_id": 999999}, refresh=True)

    drift = status()
    assert drift["missing"] == [lost.pk]
    assert drift["extra"] == [999999]
    assert drift["database"] == 2 and drift["index"] == 2
    assert not drift["in_sync"]
    assert kept.pk not in drift["missing"]


def test_search_index_command_rebuilds_and_reports_status(published, capsys):
    published(CaseStudyPageFactory(), CaseStudyPageFactory())
    call_command("search_index", "rebuild")
    out = capsys.readouterr()
    assert "Indexed 2 stories" in out.out
    assert "2/2" in out.err  # the progress bar

    call_command("search_index", "status")
    out = capsys.readouterr().out
    assert "Database: 2 live stories" in out
    assert "Index:    2 documents" in out
    assert "In sync." in out
