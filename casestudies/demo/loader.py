"""Load the demo content: vocabularies, metrics, case studies, bright spots, images.

The stories are read from ``data/case_studies.toml`` and ``data/bright_spots.toml`` as
written; only what follows the publication date (years, result periods) is worked out
here. Idempotent by slug: whatever already exists (including anything an editor has
since changed) is left alone, so a second run creates and changes nothing.
Pages are published through revisions so that publish signals (search
indexing, the anonymity guard) run exactly as when an editor publishes.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from wagtail.models import Page, Site

from base.models import StoryImage
from casestudies.building import add_story, publish_story
from casestudies.models import (
    BrightSpotIndexPage,
    BrightSpotPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    HomePage,
    Industry,
    InterventionType,
    MetricDefinition,
    Region,
    StepKind,
    StoryPage,
    SupplyChainStage,
)

from .files import (
    BRIGHT_SPOTS,
    CASE_STUDIES,
    INDUSTRIES,
    INTERVENTIONS,
    METRICS,
    REGIONS,
    STAGES,
    STEP_KINDS,
)
from .images import hero_image_file

Progress = Callable[[int, int, str], None]

TAXONOMIES = [
    (Industry, INDUSTRIES, ["name", "description"]),
    (InterventionType, INTERVENTIONS, ["name", "description", "knowthechain_theme"]),
    (SupplyChainStage, STAGES, ["name", "description", "position"]),
    (Region, REGIONS, ["name"]),
    (StepKind, STEP_KINDS, ["name", "description"]),
    (MetricDefinition, METRICS, ["name", "unit", "counts", "higher_is_better", "framework"]),
]
SPREAD_DAYS = 700  # publication dates spread over the last two years
INDUSTRIES_BY_SLUG = {row["slug"]: row for row in INDUSTRIES}
UNITS = {row["slug"]: row["unit"] for row in METRICS}
# What a bright spot linked to a case study takes from it (besides its years).
FROM_CASE_STUDY = [
    "size_band",
    "industry",
    "region",
    "intervention_types",
    "stages",
    "risks_addressed",
]
# Keys of the story data that are not page fields: years before publication, the link.
_NOT_FIELDS = {"started", "ended", "case_study"}
# Every demo company is invented, which the re-identification check is told.
REIDENTIFICATION_OVERRIDE = "Demo content: the contributing company is fictional."

# Sent with each demo story (page=...) just before it is published, so that a
# capability can prepare what publishing needs: the anonymity app registers
# the story's fictional contributing company.
demo_story_ready = Signal()
# Sent once the demo's vocabularies exist, before any story: the search app adds
# the synonyms a reader of the demo stories expects.
demo_vocabulary_ready = Signal()


class DemoContentError(Exception):
    """The demo content cannot be loaded; the message says why and what to do."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    site: str = ""


def total_steps() -> int:
    return 1 + len(CASE_STUDIES) + len(BRIGHT_SPOTS)


def load_demo_content(progress: Progress | None = None) -> LoadReport:
    report = LoadReport()
    tick = _ticker(progress)
    try:
        case_index = CaseStudyIndexPage.objects.get()
        bright_index = BrightSpotIndexPage.objects.get()
    except (CaseStudyIndexPage.DoesNotExist, BrightSpotIndexPage.DoesNotExist) as error:
        raise DemoContentError(
            "The case study and bright spot listings are missing; run `manage.py migrate` "
            "first (it creates them)."
        ) from error

    report.site = sync_site_with_setting(settings.SITE_URL)
    load_vocabularies(report)
    demo_vocabulary_ready.send(sender=None, report=report)
    tick("vocabularies and metrics")

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    case_pages: dict[str, tuple[CaseStudyPage, dict]] = {}
    for index, story in enumerate(CASE_STUDIES):
        published = _published_at(now, index, len(CASE_STUDIES))
        fields = case_study_fields(story, published)
        page = CaseStudyPage.objects.child_of(case_index).filter(slug=fields["slug"]).first()
        if page is None:
            page = _create_story(case_index, CaseStudyPage, fields, published)
            report.created["case study"] += 1
        else:
            report.existing["case study"] += 1
        case_pages[story["slug"]] = (page, fields)
        tick(story["title"])

    for index, story in enumerate(BRIGHT_SPOTS):
        linked = story.get("case_study")
        if linked is not None and linked not in case_pages:
            raise DemoContentError(
                f"The bright spot {story['title']!r} links to the case study {linked!r}, "
                "which data/case_studies.toml does not hold; fix its case_study slug."
            )
        case_page, case_fields = case_pages.get(linked, (None, None))
        if case_page is not None:
            published = case_page.first_published_at + datetime.timedelta(days=5 + index % 9)
            published = min(published, now - datetime.timedelta(hours=1))
        else:
            published = _published_at(now, index, len(BRIGHT_SPOTS), offset=11)
        fields = bright_spot_fields(story, published, case_fields)
        exists = BrightSpotPage.objects.child_of(bright_index).filter(slug=fields["slug"])
        if exists.exists():
            report.existing["bright spot"] += 1
        else:
            _create_story(bright_index, BrightSpotPage, fields, published, case_study=case_page)
            report.created["bright spot"] += 1
        tick(story["title"])
    return report


def case_study_fields(story: dict, published: datetime.datetime) -> dict:
    """Plain data for ``casestudies.building`` from a case study as written in the data:
    its years, the year its summary names and its results' period follow ``published``."""
    year_started, year_ended = _years(story, published)
    period_start = datetime.date(year_started, 1, 1)
    if year_ended is not None and year_ended < published.year:
        period_end = datetime.date(year_ended, 12, 31)
    else:  # still going, or ended this year: measured up to the last full month
        period_end = published.date().replace(day=1) - datetime.timedelta(days=1)
    results = [
        {
            "metric": row["metric"],
            "baseline": None if row.get("baseline") is None else Decimal(row["baseline"]),
            "result": Decimal(row["result"]),
            "unit": UNITS[row["metric"]],
            "period_start": period_start,
            "period_end": max(period_end, period_start),
            "verification": row["verification"],
            "note": row.get("note", ""),
        }
        for row in story["results"]
    ]
    return {
        **_page_fields(story, year_started, year_ended),
        "summary": story["summary"].format(year_ended=year_ended),
        "results": results,
    }


def bright_spot_fields(
    story: dict, published: datetime.datetime, case_fields: dict | None = None
) -> dict:
    """Plain data for ``casestudies.building`` from a bright spot as written in the data; a
    linked one takes its size, years and tags from its case study's fields."""
    if case_fields is None:
        year_started, year_ended = _years(story, published)
    else:
        story = {**{name: case_fields[name] for name in FROM_CASE_STUDY}, **story}
        year_started, year_ended = case_fields["year_started"], case_fields["year_ended"]
    return {
        **_page_fields(story, year_started, year_ended),
        "metric_value": Decimal(story["metric_value"]),
        "metric_unit": UNITS[story["metric"]],
    }


def _page_fields(story: dict, year_started: int, year_ended: int | None) -> dict:
    """The fields every story passes on as written, with what the data leaves implicit."""
    fields = {key: value for key, value in story.items() if key not in _NOT_FIELDS}
    return {
        **fields,
        "year_started": year_started,
        "year_ended": year_ended,
        "hero_alt": INDUSTRIES_BY_SLUG[story["industry"]]["image_alt"],
        "confidential_terms": "\n".join(story["confidential_terms"]),
        "reidentification_override": REIDENTIFICATION_OVERRIDE,
    }


def _years(story: dict, published: datetime.datetime) -> tuple[int, int | None]:
    """Years in the data count back from publication, so the demo never tells of the future."""
    ended = story.get("ended")
    return published.year - story["started"], None if ended is None else published.year - ended


def load_vocabularies(report: LoadReport | None = None) -> LoadReport:
    """The demo's vocabularies and metrics (data/vocabulary.toml), created where missing.

    The benchmark corpus tags its stories with the same terms.
    """
    report = report or LoadReport()
    for model, rows, fields in TAXONOMIES:
        for row in rows:
            _, created = model.objects.get_or_create(
                slug=row["slug"], defaults={name: row[name] for name in fields if name in row}
            )
            (report.created if created else report.existing)[model._meta.verbose_name] += 1
    return report


def sync_site_with_setting(site_url: str) -> str:
    """Point the default Wagtail site at SITE_URL so sitemaps and canonical URLs are right."""
    parts = urlsplit(site_url)
    hostname = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(
            is_default_site=True,
            root_page=HomePage.objects.first() or Page.get_first_root_node(),
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    if site.pk is None or (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save()
    return site.root_url


def ensure_admin(password: str) -> bool:
    """Create the `admin` superuser (or reset its password); True if it was created."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "email": ""}
    )
    if created or not user.check_password(password) or not user.is_superuser:
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
    return created


def _ticker(progress: Progress | None) -> Callable[[str], None]:
    done = 0
    total = total_steps()

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)

    return tick


def _published_at(
    now: datetime.datetime, index: int, count: int, offset: int = 0
) -> datetime.datetime:
    """Spread publication over the last two years, newest first in outline order."""
    days_ago = 3 + offset + (index * (SPREAD_DAYS - offset)) // count
    return (now - datetime.timedelta(days=days_ago)).replace(hour=8 + index % 9)


def _image(industry_slug: str) -> StoryImage:
    """One abstract image per industry: a visual language per industry, and few renditions."""
    industry = INDUSTRIES_BY_SLUG[industry_slug]
    title = f"{industry['name']}: abstract illustration"
    image = StoryImage.objects.filter(title=title).first()
    if image is None:
        image = StoryImage(
            title=title,
            file=hero_image_file(
                industry["palette"], seed=industry_slug, name=f"{industry_slug}.jpg"
            ),
            caption=industry["image_caption"],
        )
        image._set_image_file_metadata()
        image.save()
    return image


@transaction.atomic
def _create_story(index_page: Page, model: type[StoryPage], fields: dict, published, **extra):
    page = add_story(
        index_page,
        model,
        publish=False,
        **fields,
        **extra,
        hero_image=_image(fields["industry"]),
        live=False,
        first_published_at=published,
    )
    demo_story_ready.send(sender=model, page=page)
    return publish_story(page)
