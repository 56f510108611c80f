"""A synthetic corpus of realistic-length stories, created in bulk for the benchmark.

Creating thousands of pages one ``add_child`` at a time costs several queries,
a full clean and every save signal per page. Here the tree paths are computed
the way treebeard would, the base ``Page`` rows are bulk-inserted, and each
specific row is inserted on its own table (``save_base(raw=True)``, the path
fixtures take), all in one transaction. The pages are live without revisions,
which Wagtail serves and edits like any other page.
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
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.models import Locale, Page

from base.models import StoryImage
from casestudies.blocks import COST_BANDS
from casestudies.models import (
    SIZE_BANDS,
    VERIFICATION_LEVELS,
    BrightSpotIndexPage,
    BrightSpotPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    Industry,
    InterventionType,
    MetricDefinition,
    MetricResult,
    Region,
    SupplyChainStage,
)
from perf.renditions import generate_renditions

SLUG_PREFIX = "bench-"
IMAGE_TITLE_PREFIX = "Benchmark image"
CHUNK = 500

INDUSTRIES = ["Apparel", "Seafood", "Electronics", "Cocoa", "Palm oil", "Construction",
              "Agriculture", "Mining"]  # fmt: skip
INTERVENTIONS = ["Employer pays recruitment fees", "Worker voice and grievance mechanisms",
                 "Responsible purchasing practices", "Supplier capacity building",
                 "Remediation of forced labour", "Ethical recruitment corridors",
                 "Living wage commitments", "Traceability and mapping"]  # fmt: skip
STAGES = ["Raw materials", "Farming and fishing", "Processing", "Manufacturing",
          "Logistics", "Retail"]  # fmt: skip
REGIONS = ["South-East Asia", "South Asia", "Gulf states", "West Africa", "Latin America",
           "Eastern Europe", "North America", "East Asia"]  # fmt: skip
METRICS = [("Recruitment fees repaid", "USD"), ("Workers reached", "workers"),
           ("Grievances resolved", "grievances"), ("Passports returned", "workers"),
           ("Suppliers audited", "suppliers"), ("Wage gap closed", "%")]  # fmt: skip

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


def vocabulary() -> Vocabulary:
    """The taxonomy terms the corpus uses, created once and reused (same slugs as demo)."""

    def terms(model, names):
        return [model.objects.get_or_create(slug=slugify(n), defaults={"name": n})[0]
                for n in names]  # fmt: skip

    metrics = [
        MetricDefinition.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "unit": unit, "counts": f"{name}, counted per site."},
        )[0]
        for name, unit in METRICS
    ]
    return Vocabulary(
        terms(Industry, INDUSTRIES),
        terms(InterventionType, INTERVENTIONS),
        terms(SupplyChainStage, STAGES),
        terms(Region, REGIONS),
        metrics,
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
    start = int(last.path[-Page.steplen :], 36) + 1 if last else 1
    alphabet = Page.alphabet
    paths = []
    for n in range(start, start + count):
        step, digits = n, ""
        while step:
            step, rest = divmod(step, len(alphabet))
            digits = alphabet[rest] + digits
        paths.append(parent.path + digits.rjust(Page.steplen, "0"))
    return paths


def _story_fields(n: int, kind: str, text: _Text, vocab: Vocabulary, images: list) -> dict:
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
        "size_band": rng.choice(SIZE_BANDS)[0],
        "year_started": year,
        "year_ended": rng.choice([None, year + rng.randint(0, 3)]),
        "hero_image": rng.choice(images),
        "hero_alt": "Workers meeting with supplier managers",
        "search_description": "",
    }


def _insert(
    model, parent: Page, rows: list[dict], locale: Locale, rng: random.Random, vocab: Vocabulary
) -> list:
    content_type = ContentType.objects.get_for_model(model)
    now = timezone.now()
    paths = _paths(parent, len(rows))
    base_rows = []
    for n, (row, path) in enumerate(zip(rows, paths, strict=True)):
        published = now - datetime.timedelta(hours=len(rows) - n)
        base_rows.append(
            Page(
                title=row["title"],
                draft_title=row["title"],
                slug=row["slug"],
                content_type=content_type,
                path=path,
                depth=parent.depth + 1,
                numchild=0,
                url_path=f"{parent.url_path}{row['slug']}/",
                locale=locale,
                live=True,
                has_unpublished_changes=False,
                first_published_at=published,
                last_published_at=published,
                search_description=row.pop("search_description"),
            )
        )
    Page.objects.bulk_create(base_rows, batch_size=CHUNK)
    stories = []
    base_names = {f.attname for f in Page._meta.concrete_fields}
    for base, row in zip(base_rows, rows, strict=True):
        story = model(page_ptr_id=base.pk, **row)
        for name in base_names:
            setattr(story, name, getattr(base, name))
        story.save_base(raw=True, force_insert=True)
        stories.append(story)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(rows))
    parent.refresh_from_db()

    for field, choices in (("intervention_types", vocab.interventions), ("stages", vocab.stages)):
        through = getattr(model, field).through
        own, other = (
            f.attname for f in through._meta.concrete_fields if f.is_relation
        )  # (page, term)
        links = []
        for story in stories:
            for term in rng.sample(choices, rng.randint(1, 3)):
                links.append(through(**{own: story.pk, other: term.pk}))
        through.objects.bulk_create(links, batch_size=CHUNK)
    return stories


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
            rows = []
            for n in range(start + offset, start + offset + size):
                row = _story_fields(n, "case-study", text, vocab, images)
                row.update(_case_study_body(text))
                rows.append(row)
            stories = _insert(CaseStudyPage, case_index, rows, locale, rng, vocab)
            created["metric_results"] += _results(stories, rng, vocab)
            created["case_studies"] += len(stories)
            if progress:
                progress("case studies", len(stories))

        spot_index = BrightSpotIndexPage.objects.get()
        linked = list(CaseStudyPage.objects.live().values_list("pk", flat=True)[:2000])
        for offset in range(0, bright_spots, CHUNK):
            size = min(CHUNK, bright_spots - offset)
            rows = []
            for n in range(start + offset, start + offset + size):
                row = _story_fields(n, "bright-spot", text, vocab, images)
                metric = rng.choice(vocab.metrics)
                row.update(
                    body=text.paragraph(3)[:480],
                    metric=metric,
                    metric_value=rng.randint(10, 20000),
                    metric_unit=metric.unit,
                    verification=rng.choice(VERIFICATION_LEVELS)[0],
                    case_study_id=rng.choice(linked) if linked and rng.random() < 0.5 else None,
                )
                rows.append(row)
            stories = _insert(BrightSpotPage, spot_index, rows, locale, rng, vocab)
            created["bright_spots"] += len(stories)
            if progress:
                progress("bright spots", len(stories))
    return created


def _case_study_body(text: _Text) -> dict:
    rng = text.rng
    steps = [
        (
            "step",
            {
                "heading": text.sentence(6)[:-1][:120],
                "what_was_done": text.html(2),
                "who_was_involved": "Sourcing team, supplier HR managers and a worker committee",
                "duration": f"{rng.randint(1, 18)} months",
                "cost_band": rng.choice(COST_BANDS)[0],
                "pitfalls": text.sentence(18),
            },
        )
        for _ in range(rng.randint(3, 6))
    ]
    return {
        "summary": text.paragraph(3)[:590],
        "challenge": text.html(3),
        "steps": steps,
        "what_did_not_work": text.html(2),
        "lessons": text.html(2),
        "featured": rng.random() < 0.05,
    }


def _results(stories: list, rng: random.Random, vocab: Vocabulary) -> int:
    results = []
    for story in stories:
        for order, metric in enumerate(rng.sample(vocab.metrics, rng.randint(1, 4))):
            baseline = rng.randint(0, 500)
            results.append(
                MetricResult(
                    page_id=story.pk,
                    sort_order=order,
                    metric=metric,
                    baseline=baseline,
                    result=baseline + rng.randint(10, 5000),
                    unit=metric.unit,
                    period_start=datetime.date(story.year_started, 1, 1),
                    period_end=datetime.date(story.year_ended or story.year_started, 12, 31),
                    verification=rng.choice(VERIFICATION_LEVELS)[0],
                )
            )
    MetricResult.objects.bulk_create(results, batch_size=CHUNK)
    return len(results)


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
