"""A rebuild's cost per story stays flat as the corpus grows.

At 30,000 stories a rebuild built 82 documents a second where 3,000 stories gave 322:
each case study's steps looked up their step kinds by themselves, a query per story.
The database is now read a batch at a time, by primary key, in the same number of
queries for every batch whatever the corpus size, and the documents are the same.
"""

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents.models import Document

from search import indexing
from search.documents import alias_name, client, index_pattern, prepare
from search.query import FacetedStorySearch
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    MetricResultFactory,
    StepKindFactory,
    StoryImageFactory,
    step,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    """``corpus(n)`` adds n case studies and n bright spots, each with its own image; the
    case studies with kinded steps, a document among their resources and a measured result."""
    kinds = [StepKindFactory(name=name) for name in ("Repay fees", "Audit agencies")]
    document = Document.objects.create(
        title="Fee policy", file=ContentFile(b"Repay every fee.", name="fee-policy.txt")
    )

    def add(n: int) -> None:
        for _ in range(n):
            page = CaseStudyPageFactory(
                hero_image=StoryImageFactory(),
                steps=[step("Repay", kind=kinds[0]), step("Audit", kind=kinds[1])],
                resources=[("document", {"document": document, "description": "Policy"})],
            )
            MetricResultFactory(page=page)
            BrightSpotPageFactory(hero_image=StoryImageFactory())

    return add


def rebuild_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        result = indexing.rebuild()
    assert result["documents"] == indexing.story_count()
    return len(queries)


def queries_per_batch(size: int) -> list[tuple[str, int, int]]:
    """(model, stories in the batch, queries it took) for each batch a rebuild reads."""
    batches, found = indexing.story_batches(size=size), []
    while True:
        with CaptureQueriesContext(connection) as queries:
            batch = next(batches, None)
            if batch is not None:
                for page in batch:
                    prepare(page, members_only=False)
        if batch is None:
            return found
        found.append((type(batch[0]).__name__, len(batch), len(queries)))


def test_a_rebuild_reads_as_many_queries_for_60_stories_as_for_10(corpus):
    corpus(5)
    indexing.rebuild()  # renditions of the card images are made once, on the first
    small = rebuild_queries()

    corpus(25)
    indexing.rebuild()
    assert rebuild_queries() == small


def test_every_batch_costs_the_same_queries_whatever_the_corpus_size(corpus):
    corpus(5)
    indexing.rebuild()
    first = {name: count for name, _, count in queries_per_batch(size=10)}
    assert list(first) == ["CaseStudyPage", "BrightSpotPage"]

    corpus(20)
    indexing.rebuild()
    batches = queries_per_batch(size=10)
    # Three batches of each type, the later ones as cheap as the first: read by key, and
    # nothing per story.
    assert batches == [
        *[("CaseStudyPage", 10, first["CaseStudyPage"])] * 2,
        ("CaseStudyPage", 5, first["CaseStudyPage"]),
        *[("BrightSpotPage", 10, first["BrightSpotPage"])] * 2,
        ("BrightSpotPage", 5, first["BrightSpotPage"]),
    ]


def test_documents_read_in_batches_equal_those_of_each_story_read_alone(corpus):
    corpus(3)
    batched = {
        page.pk: prepare(page, members_only=False)
        for batch in indexing.story_batches(size=2)
        for page in batch
    }
    alone = {}
    for model in (CaseStudyPageFactory._meta.model, BrightSpotPageFactory._meta.model):
        for page in model.objects.live():
            alone[page.pk] = prepare(page, members_only=False)
    assert batched == alone
    kinds = [d["step_kinds"] for d in batched.values() if d["type"] == "case-study"]
    assert kinds == [["repay-fees", "audit-agencies"]] * 3
    assert all(d["image_url"].endswith(".webp") for d in batched.values())


def test_the_new_index_fills_without_refreshes_and_answers_with_its_own_settings(corpus):
    corpus(2)
    es = client()
    while_filling: list[dict] = []

    def progress(done: int, total: int) -> None:
        for name, index in es.indices.get_settings(index=index_pattern()).items():
            if not es.indices.exists_alias(name=alias_name(), index=name):
                while_filling.append(index["settings"]["index"])

    result = indexing.rebuild(progress=progress)

    assert while_filling and all(s["refresh_interval"] == "-1" for s in while_filling)
    assert all(str(s["number_of_replicas"]) == "0" for s in while_filling)
    own = es.indices.get_settings(index=alias_name())[result["index"]]["settings"]["index"]
    assert own.get("refresh_interval", "1s") == "1s"
    assert str(own["number_of_replicas"]) == str(django_settings.ELASTICSEARCH_REPLICAS)
    # Refreshed before the alias moved: every story is searchable at once.
    assert len(FacetedStorySearch(None).execute().hits) == 4
