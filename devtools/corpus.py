"""A synthetic corpus of realistic-length stories, created in bulk for the benchmark.

Each story's page data is built by ``casestudies.building``, the builder the demo and
the tests use, and tagged with the demo's vocabulary (``load_vocabularies``: the same
slugs, ``southeast-asia`` everywhere). Creating thousands of pages one ``add_child`` at
a time costs several queries, a full clean and every save signal per page, so the
built pages are inserted in bulk instead: tree paths from treebeard's own
``_get_path``, the base ``Page`` rows bulk-inserted, each specific row inserted on its
own table (``save_base(raw=True)``, the path fixtures take), and the built pages' tags
and results bulk-inserted, all in one transaction. The pages are live without
revisions, which Wagtail serves and edits like any other page.
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.models import Locale, Page

from base.models import StoryImage
from casestudies.blocks import COST_BANDS
from casestudies.building import build_story, terms
from casestudies.demo.files import INDUSTRIES, INTERVENTIONS, METRICS, REGIONS, STAGES
from casestudies.demo.loader import load_vocabularies
from casestudies.models import (
    SIZE_BANDS,
    VERIFICATION_LEVELS,
    BrightSpotIndexPage,
    BrightSpotPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    ForcedLabourIndicator,
    Industry,
    InterventionType,
    MetricDefinition,
    MetricResult,
    Region,
    StepKind,
    SupplyChainStage,
)
from perf.renditions import generate_renditions

SLUG_PREFIX = "bench-"
IMAGE_TITLE_PREFIX = "Benchmark image"
CHUNK = 500

WORDS = (
    "workers suppliers recruitment agency fees corridor audit grievance hotline wages "
    "contract passport remediation factory farm vessel migrant debt overtime union "
    "committee training buyer brand sourcing purchasing price lead time forecast "
    "transparency mapping tier due diligence policy code conduct interview survey "
    "verification evidence repayment dialogue trust management helpline language "
    "dormitory deposit retention document consent payroll inspection follow-up"
).split()


@dataclass
class Vocabulary:
    industries: list
    interventions: list
    stages: list
    regions: list
    metrics: list
    step_kinds: list
    risks: list


def vocabulary() -> Vocabulary:
    """The demo's taxonomy terms and metrics (created where missing), which the corpus uses."""
    load_vocabularies()

    def demo(model, rows):
        return terms(model, [row["slug"] for row in rows])

    return Vocabulary(
        demo(Industry, INDUSTRIES),
        demo(InterventionType, INTERVENTIONS),
        demo(SupplyChainStage, STAGES),
        demo(Region, REGIONS),
        demo(MetricDefinition, METRICS),
        list(StepKind.objects.all()),
        list(ForcedLabourIndicator.objects.all()),
    )


def benchmark_images(count: int = 6) -> list:
    """A few shared photographs-sized images (1600×900), with their renditions generated."""
    images = list(StoryImage.objects.filter(title__startswith=IMAGE_TITLE_PREFIX)[:count])
    rng = random.Random(7)
    while len(images) < count:
        n = len(images)
        picture = PILImage.new("RGB", (1600, 900), (40 + 30 * n, 90, 150))
        draw = ImageDraw.Draw(picture)
        for _ in range(60):
            x, y = rng.randrange(1600), rng.randrange(900)
            colour = tuple(rng.randrange(256) for _ in range(3))
            draw.ellipse((x, y, x + rng.randrange(40, 300), y + rng.randrange(40, 300)), colour)
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=85)
        image = StoryImage(title=f"{IMAGE_TITLE_PREFIX} {n + 1}")
        image.file = ImageFile(io.BytesIO(buffer.getvalue()), name=f"bench-{n + 1}.jpg")
        image.save()
        images.append(image)
    generate_renditions(images)
    return images


class _Text:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def sentence(self, words: int = 16) -> str:
        chosen = self.rng.choices(WORDS, k=words)
        return " ".join(chosen).capitalize() + "."

    def paragraph(self, sentences: int = 5) -> str:
        return " ".join(self.sentence(self.rng.randint(10, 22)) for _ in range(sentences))

    def html(self, paragraphs: int) -> str:
        return "".join(f"<p>{self.paragraph()}</p>" for _ in range(paragraphs))


def _paths(parent: Page, count: int) -> list[str]:
    """The next ``count`` child paths of ``parent``, as treebeard's add_child would make them."""
    last = parent.get_last_child()
    first = Page._str2int(last.path[-Page.steplen :]) + 1 if last else 1
    return [Page._get_path(parent.path, parent.depth + 1, n) for n in range(first, first + count)]


def _story_data(n: int, kind: str, text: _Text, vocab: Vocabulary, images: list) -> dict:
    """Plain data for ``casestudies.building``, as a story written by hand would give."""
    rng = text.rng
    industry = rng.choice(vocab.industries)
    title = (
        f"How a {industry.name.lower()} company tackled {rng.choice(WORDS)} {rng.choice(WORDS)}"
        if kind == "case-study"
        else f"{rng.randint(20, 5000):,} {rng.choice(['workers', 'families', 'crew'])} "
        f"helped in {industry.name.lower()}"
    )
    year = rng.randint(2012, 2024)
    return {
        "title": title,
        "slug": f"{SLUG_PREFIX}{kind}-{n:05d}",
        "industry": industry,
        "region": rng.choice(vocab.regions),
        "intervention_types": rng.sample(vocab.interventions, rng.randint(1, 3)),
        "stages": rng.sample(vocab.stages, rng.randint(1, 3)),
        "risks_addressed": rng.sample(vocab.risks, rng.randint(1, 3)),
        "size_band": rng.choice(SIZE_BANDS)[0],
        "year_started": year,
        "year_ended": rng.choice([None, year + rng.randint(0, 3)]),
        "hero_image": rng.choice(images),
        "hero_alt": "Workers meeting with supplier managers",
        "search_description": "",
    }


def _insert(model, parent: Page, pages: list, locale: Locale) -> list:
    """Insert built (unsaved) story pages under ``parent`` with their tags and results."""
    content_type = ContentType.objects.get_for_model(model)
    now = timezone.now()
    paths = _paths(parent, len(pages))
    base_rows = []
    for n, (page, path) in enumerate(zip(pages, paths, strict=True)):
        published = now - datetime.timedelta(hours=len(pages) - n)
        base_rows.append(
            Page(
                title=page.title,
                draft_title=page.title,
                slug=page.slug,
                content_type=content_type,
                path=path,
                depth=parent.depth + 1,
                numchild=0,
                url_path=f"{parent.url_path}{page.slug}/",
                locale=locale,
                live=True,
                has_unpublished_changes=False,
                first_published_at=published,
                last_published_at=published,
                search_description=page.search_description,
            )
        )
    Page.objects.bulk_create(base_rows, batch_size=CHUNK)

    # What building put in each page's cluster, read before the raw save below.
    tags = {
        name: [list(getattr(page, name).all()) for page in pages]
        for name in ("intervention_types", "stages", "risks_addressed")
    }
    results = [list(page.results.all()) if model is CaseStudyPage else [] for page in pages]
    base_names = {f.attname for f in Page._meta.concrete_fields}
    for base, page in zip(base_rows, pages, strict=True):
        page.page_ptr_id = base.pk
        for name in base_names:
            setattr(page, name, getattr(base, name))
        page.save_base(raw=True, force_insert=True)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.refresh_from_db()

    for name, per_page in tags.items():
        through = getattr(model, name).through
        own, other = (f.attname for f in through._meta.concrete_fields if f.is_relation)
        links = [
            through(**{own: page.pk, other: term.pk})
            for page, chosen in zip(pages, per_page, strict=True)
            for term in chosen
        ]
        through.objects.bulk_create(links, batch_size=CHUNK)
    rows = []
    for page, measured in zip(pages, results, strict=True):
        for order, result in enumerate(measured):
            result.page_id, result.sort_order = page.pk, order
            rows.append(result)
    MetricResult.objects.bulk_create(rows, batch_size=CHUNK)
    return pages


def build_corpus(
    case_studies: int,
    bright_spots: int,
    seed: int = 2024,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Add live case studies (with steps and results) and bright spots; returns counts."""
    rng = random.Random(seed + CaseStudyPage.objects.count())
    text = _Text(rng)
    vocab = vocabulary()
    images = benchmark_images()
    locale = Locale.get_default()
    start = CaseStudyPage.objects.count() + BrightSpotPage.objects.count()

    created = {"case_studies": 0, "bright_spots": 0, "metric_results": 0}
    with transaction.atomic():
        case_index = CaseStudyIndexPage.objects.get()
        for offset in range(0, case_studies, CHUNK):
            size = min(CHUNK, case_studies - offset)
            pages = []
            for n in range(start + offset, start + offset + size):
                data = _story_data(n, "case-study", text, vocab, images)
                data.update(_case_study_body(text, vocab, data))
                pages.append(build_story(CaseStudyPage, **data))
            created["metric_results"] += sum(len(page.results.all()) for page in pages)
            created["case_studies"] += len(_insert(CaseStudyPage, case_index, pages, locale))
            if progress:
                progress("case studies", len(pages))

        spot_index = BrightSpotIndexPage.objects.get()
        linked = list(CaseStudyPage.objects.live().values_list("pk", flat=True)[:2000])
        for offset in range(0, bright_spots, CHUNK):
            size = min(CHUNK, bright_spots - offset)
            pages = []
            for n in range(start + offset, start + offset + size):
                data = _story_data(n, "bright-spot", text, vocab, images)
                metric = rng.choice(vocab.metrics)
                data.update(
                    body=text.paragraph(3)[:480],
                    metric=metric,
                    metric_value=rng.randint(10, 20000),
                    metric_unit=metric.unit,
                    verification=rng.choice(VERIFICATION_LEVELS)[0],
                    case_study_id=rng.choice(linked) if linked and rng.random() < 0.5 else None,
                )
                pages.append(build_story(BrightSpotPage, **data))
            created["bright_spots"] += len(_insert(BrightSpotPage, spot_index, pages, locale))
            if progress:
                progress("bright spots", len(pages))
    return created


def _case_study_body(text: _Text, vocab: Vocabulary, data: dict) -> dict:
    rng = text.rng
    steps = [
        {
            "heading": text.sentence(6)[:-1][:120],
            "kind": rng.choice(vocab.step_kinds),
            "what_was_done": text.html(2),
            "who_was_involved": "Sourcing team, supplier HR managers and a worker committee",
            "duration": f"{rng.randint(1, 18)} months",
            "cost_band": rng.choice(COST_BANDS)[0],
            "pitfalls": text.sentence(18),
        }
        for _ in range(rng.randint(3, 6))
    ]
    return {
        "summary": text.paragraph(3)[:590],
        "challenge": text.html(3),
        "steps": steps,
        "what_did_not_work": text.html(2),
        "lessons": text.html(2),
        "featured": rng.random() < 0.05,
        "results": _results(rng, vocab, data["year_started"], data["year_ended"]),
    }


def _results(rng: random.Random, vocab: Vocabulary, started: int, ended: int | None) -> list:
    results = []
    for metric in rng.sample(vocab.metrics, rng.randint(1, 4)):
        baseline = rng.randint(0, 500)
        results.append(
            {
                "metric": metric,
                "baseline": baseline,
                "result": baseline + rng.randint(10, 5000),
                "unit": metric.unit,
                "period_start": datetime.date(started, 1, 1),
                "period_end": datetime.date(ended or started, 12, 31),
                "verification": rng.choice(VERIFICATION_LEVELS)[0],
            }
        )
    return results


def clear_corpus() -> int:
    """Delete the benchmark's stories (slugs starting ``bench-``); returns how many."""
    removed = 0
    for model in (BrightSpotPage, CaseStudyPage):
        stories = model.objects.filter(slug__startswith=SLUG_PREFIX)
        removed += stories.count()
        MetricResult.objects.filter(page__slug__startswith=SLUG_PREFIX).delete()
        stories.delete()
    for parent in (CaseStudyIndexPage.objects.get(), BrightSpotIndexPage.objects.get()):
        Page.objects.filter(pk=parent.pk).update(numchild=parent.get_children().count())
    return removed
