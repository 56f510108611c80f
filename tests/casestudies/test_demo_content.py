"""`load_demo_content`: a newcomer's first look at the portal.

The demo is loaded once for this module inside a transaction that is rolled
back at the end (publishing 48 pages is the slow part); each test runs in its
own savepoint on top of it. Nothing is committed, so search indexing and
rendition tasks (which run on commit) never fire.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core import serializers
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Revision, Site

from anonymity.guard import find_leaks, find_terms
from base.models import StoryImage
from casestudies import models
from casestudies.demo import loader
from casestudies.demo.files import read
from tests.worlds import rolled_back

pytestmark = pytest.mark.django_db

ISSUE_INTERVENTIONS = {
    "employer-pays",
    "worker-voice",
    "independent-audits",
    "responsible-purchasing",
    "supplier-capacity-building",
    "remediation",
    "recruitment-agency-vetting",
}
STAGES = ["raw-materials", "processing", "manufacturing", "logistics", "retail-services"]
# The invented words the demo's fictional companies, sites and people are named with.
PRIVATE_WORDS = read("private_words")["private_words"]


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker, demo_media):
    """Load the demo once for the module; roll it back afterwards."""
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with rolled_back(django_db_blocker), override_settings(MEDIA_ROOT=demo_media, TASKS=immediate):
        output = StringIO()
        call_command("load_demo_content", stdout=output)
        yield output.getvalue()


@pytest.fixture
def demo(demo_output, settings, demo_media):
    settings.MEDIA_ROOT = demo_media
    return demo_output


def stories():
    return list(models.CaseStudyPage.objects.all()) + list(models.BrightSpotPage.objects.all())


def fingerprint() -> str:
    """Everything the command writes, serialized: equal fingerprints, equal content."""
    written = [
        models.Industry,
        models.InterventionType,
        models.SupplyChainStage,
        models.Region,
        models.MetricDefinition,
        models.CaseStudyPage,
        models.BrightSpotPage,
        models.MetricResult,
        StoryImage,
        Revision,
        Site,
        get_user_model(),
    ]
    data = "".join(serializers.serialize("json", m.objects.order_by("pk")) for m in written)
    return hashlib.sha256(data.encode()).hexdigest()


def test_demo_covers_every_facet_the_issue_asks_for(demo):
    case_studies = models.CaseStudyPage.objects.live().public()
    bright_spots = models.BrightSpotPage.objects.live().public()
    assert case_studies.count() >= 30
    assert bright_spots.count() >= 15
    assert models.Industry.objects.count() >= 8
    assert models.Region.objects.count() >= 6
    assert ISSUE_INTERVENTIONS <= set(
        models.InterventionType.objects.values_list("slug", flat=True)
    )
    assert all(len(t.description) > 80 for t in models.InterventionType.objects.all())
    assert list(models.SupplyChainStage.objects.values_list("slug", flat=True)) == STAGES
    assert models.MetricDefinition.objects.filter(framework__icontains="GRI 409").exists()
    assert (
        models.MetricDefinition.objects.filter(framework__icontains="ILO forced labour").count()
        >= 4
    )
    assert models.MetricDefinition.objects.filter(higher_is_better=False).exists()

    pages = stories()
    assert len({p.industry_id for p in pages}) >= 6
    assert len({p.region_id for p in pages}) >= 6
    assert len({t.slug for p in pages for t in p.intervention_types.all()}) >= 6
    assert {s.slug for p in pages for s in p.stages.all()} == set(STAGES)
    assert case_studies.filter(featured=True).count() >= 3
    assert bright_spots.filter(case_study__isnull=False).count() >= 5


def test_every_case_study_tells_the_whole_story_with_results(demo):
    verification_levels = set()
    for page in models.CaseStudyPage.objects.all():
        assert page.summary and page.challenge and page.what_did_not_work and page.lessons
        assert len(page.steps) >= 3
        for block in page.steps:
            assert block.block_type == "step"
            assert all(block.value[key] for key in ("heading", "what_was_done", "pitfalls"))
            assert block.value["who_was_involved"] and block.value["duration"]
        results = list(page.results.select_related("metric"))
        assert 1 <= len(results) <= 3
        for result in results:
            result.full_clean()  # the admin's validation: unit and period
            assert result.unit == result.metric.unit
            verification_levels.add(result.verification)
        assert page.hero_image is not None and page.hero_alt
    assert verification_levels == {"self-reported", "second-party", "independently-audited"}
    for spot in models.BrightSpotPage.objects.select_related("metric"):
        assert spot.metric_unit == spot.metric.unit
        assert spot.hero_image is not None and spot.hero_alt


def test_demo_steps_have_kinds_peers_share_and_stories_name_their_risks(demo):
    """Enough for playbooks: every step has a kind, and for every intervention at least three
    case studies share a kind of step (the re-identification rule's minimum)."""
    assert 8 <= models.StepKind.objects.count() <= 15
    kinds_by_intervention: dict[str, Counter] = {}
    for page in models.CaseStudyPage.objects.prefetch_related("intervention_types"):
        kinds = {block.value["kind"] for block in page.steps}
        assert None not in kinds, page.title
        for practice in page.intervention_types.all():
            kinds_by_intervention.setdefault(practice.slug, Counter()).update(kinds)
    for practice, kinds in kinds_by_intervention.items():
        shared = [kind for kind, count in kinds.items() if count >= 3]
        assert len(shared) >= 2, practice
    for page in stories():
        assert 1 <= page.risks_addressed.count() <= 3, page.title
    themes = dict(models.InterventionType._meta.get_field("knowthechain_theme").choices)
    assert all(t.knowthechain_theme in themes for t in models.InterventionType.objects.all())


def test_texts_read_differently(demo):
    case_studies = list(models.CaseStudyPage.objects.all())
    for field in ("title", "summary", "challenge"):
        assert len({getattr(p, field) for p in case_studies}) == len(case_studies), field
    step_sequences = {tuple(b.value["heading"] for b in p.steps) for p in case_studies}
    assert len(step_sequences) >= len(case_studies) - 2


def test_publication_dates_spread_over_two_years_for_newest_sorting(demo):
    now = timezone.now()
    dates = [p.first_published_at for p in stories()]
    assert all(now - datetime.timedelta(days=731) <= d <= now for d in dates)
    assert max(dates) - min(dates) > datetime.timedelta(days=365)
    assert len(set(dates)) == len(dates)
    for spot in models.BrightSpotPage.objects.filter(case_study__isnull=False):
        assert spot.first_published_at > spot.case_study.first_published_at
    for page in stories():
        assert page.year_started <= (page.year_ended or page.year_started)
        assert (page.year_ended or page.first_published_at.year) <= page.first_published_at.year


def test_every_demo_page_renders_without_confidential_terms(demo, client):
    public_pages = [
        "/",
        "/case-studies/",
        "/case-studies/?page=2",
        "/case-studies/?page=3",
        "/bright-spots/",
        "/bright-spots/?page=2",
    ]
    listing_html = ""
    for url in public_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        listing_html += response.content.decode()

    all_terms = []
    for page in stories():
        terms = page.confidential_term_list()
        assert len(terms) >= 3  # the company and the private names the guard watches
        all_terms += terms
        assert find_leaks(page) == []
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert page.title.replace("'", "&#x27;") in html
        assert find_terms(html, terms) == [], page.url
        assert not re.search("|".join(PRIVATE_WORDS), html), page.url
    assert find_terms(listing_html, all_terms) == []
    assert not re.search("|".join(PRIVATE_WORDS), listing_html)


def test_loading_again_creates_and_changes_nothing(demo):
    before = fingerprint()
    output = StringIO()
    call_command("load_demo_content", "--quiet", stdout=output)
    assert fingerprint() == before
    assert "created nothing" in output.getvalue()
    assert (
        models.CaseStudyIndexPage.objects.get().get_children().count()
        == models.CaseStudyPage.objects.count()
    )
    assert (
        models.BrightSpotIndexPage.objects.get().get_children().count()
        == models.BrightSpotPage.objects.count()
    )


def test_a_bright_spot_linked_to_a_missing_case_study_is_named(demo, monkeypatch):
    broken = {**loader.BRIGHT_SPOTS[0], "case_study": "no-such-case-study"}
    monkeypatch.setattr(loader, "BRIGHT_SPOTS", [broken])
    with pytest.raises(CommandError, match="'no-such-case-study'.*fix its case_study slug"):
        call_command("load_demo_content", "--quiet", stdout=StringIO())


def test_progress_is_shown_unless_quiet(demo):
    assert re.search(r"\[#+\] (\d+)/\1 ", demo)  # the bar reaches the end
    assert "created 16 bright spot, 32 case study" in demo
    quiet = StringIO()
    call_command("load_demo_content", "--quiet", stdout=quiet)
    assert quiet.getvalue().count("\n") == 1 and "[" not in quiet.getvalue()


def test_admin_is_created_only_when_asked(demo):
    users = get_user_model().objects
    assert not users.filter(username="admin").exists()

    output = StringIO()
    call_command("load_demo_content", "--quiet", "--admin", stdout=output)
    assert "username admin, password admin" in output.getvalue()
    admin = authenticate(username="admin", password="admin")
    assert admin is not None and admin.is_superuser

    call_command("load_demo_content", "--quiet", "--admin", "s3cret-demo", stdout=StringIO())
    assert authenticate(username="admin", password="s3cret-demo") is not None
    assert users.filter(username="admin").count() == 1


def test_site_follows_site_url(demo, settings):
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == settings.SITE_URL  # http://127.0.0.1:8000 in development

    settings.SITE_URL = "https://stories.example.org"
    call_command("load_demo_content", "--quiet", stdout=StringIO())
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("stories.example.org", 443)
    page = models.CaseStudyPage.objects.first()
    assert page.full_url == f"https://stories.example.org/case-studies/{page.slug}/"


def test_help_explains_the_options():
    from casestudies.management.commands.load_demo_content import Command

    parser = Command().create_parser("manage.py", "load_demo_content")
    help_text = " ".join(parser.format_help().split())
    assert "Safe to run again" in help_text
    assert "--quiet" in help_text and "--admin" in help_text
