"""SQL queries per page stay within budget and constant as the corpus grows.

Every page is measured on its first (uncached) request, at a small and a five
times larger corpus of stories with images (renditions generated on upload, as
in production), metrics, several tags each, and bright spots linking to case
studies, after the search index has been rebuilt. Counts are per request in a
warm process: content types (Django) and search's facet labels and synonyms
(search app, cleared when a term changes) are cached once, not per request.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from devtools.budgets import QUERY_BUDGET  # the benchmark checks the same budget
from perf.renditions import generate_renditions
from search.indexing import rebuild
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    RegionFactory,
    StoryImageFactory,
    SupplyChainStageFactory,
    publish,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 15


def grow_corpus(to: int, corpus: dict) -> None:
    """Add case studies and bright spots until there are ``to`` of each."""
    industries = [IndustryFactory(name=n) for n in ("Apparel", "Seafood")]
    interventions = [InterventionTypeFactory(name=n) for n in ("Fees repaid", "Worker voice")]
    stages = [SupplyChainStageFactory(name=n) for n in ("Farming", "Processing")]
    metrics = [MetricDefinitionFactory(name=n) for n in ("Workers reached", "Fees repaid")]
    region = RegionFactory(name="South-East Asia")
    if "image" not in corpus:
        corpus["image"] = StoryImageFactory()
        generate_renditions([corpus["image"]])  # what the upload task does
    image = corpus["image"]
    while len(corpus.setdefault("case_studies", [])) < to:
        n = len(corpus["case_studies"])
        page = CaseStudyPageFactory(
            title=f"How supplier {n} ended recruitment fees",
            industry=industries[n % 2],
            region=region,
            intervention_types=interventions,
            stages=stages,
            hero_image=image,
            hero_alt="Workers at a training session",
            featured=True,
        )
        for metric in metrics:
            MetricResultFactory(page=page, metric=metric)
        corpus["case_studies"].append(publish(page))
        spot = BrightSpotPageFactory(
            title=f"Fees repaid to workers at site {n}",
            industry=industries[n % 2],
            region=region,
            intervention_types=interventions,
            stages=stages,
            metric=metrics[0],
            case_study=page,
            hero_image=image,
        )
        corpus.setdefault("bright_spots", []).append(publish(spot))
    rebuild()
    warm_up()


def warm_up() -> None:
    """A warm process: content types and search's facet labels and synonyms are cached."""
    for model in ContentType.objects.all():
        ContentType.objects.get_for_id(model.pk)
    Client().get("/search/?q=warm+up")


def urls(corpus: dict) -> dict[str, str]:
    case_study = corpus["case_studies"][0]
    return {
        "case study": case_study.url,
        "search": "/search/?q=recruitment+fees&industry=apparel&intervention=fees-repaid",
        "home": "/",
        "embed card": f"/embed/{case_study.pk}/",
    }


def test_queries_per_page_stay_within_budget_and_constant_as_the_corpus_grows(
    client, django_assert_max_num_queries
):
    corpus: dict = {}
    counts: dict[int, dict[str, int]] = {}
    for size in (SMALL, LARGE):
        grow_corpus(size, corpus)
        counts[size] = {}
        for kind, url in urls(corpus).items():
            with django_assert_max_num_queries(QUERY_BUDGET[kind]) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            assert response["X-Cache"] != "HIT", "measured uncached"
            counts[size][kind] = len(queries)
    assert counts[SMALL] == counts[LARGE]


def test_a_cached_page_costs_one_query(client, django_assert_num_queries):
    corpus: dict = {}
    grow_corpus(SMALL, corpus)
    url = corpus["case_studies"][0].url
    client.get(url)
    with django_assert_num_queries(1):  # the cache generation
        assert client.get(url)["X-Cache"] == "HIT"
