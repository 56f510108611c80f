"""Re-checks after the fact: a change elsewhere cannot put a name on a live story.

In the admin the save is refused with the stories it would expose; saved any
other way, the stories come down at once and moderators are told.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.models import PageLogEntry

from anonymity.models import ConfidentialTermFinding, DenylistTerm
from casestudies.models import CaseStudyPage, Industry, MetricDefinition, Region
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    MetricDefinitionFactory,
    MetricResultFactory,
    RegionFactory,
    StoryImageFactory,
    make_image_file,
    publish,
)

pytestmark = pytest.mark.django_db
QUERY_BUDGET = 8  # session, user, permissions, count and one page of findings


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("mo", "moderator@example.org", "pw")
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    return user


def _live_story(**kwargs):
    return publish(CaseStudyPageFactory(**kwargs))


def _is_live(page) -> bool:
    return type(page).objects.get(pk=page.pk).live


# --- In the admin: the save is refused, listing the stories ------------------


def test_a_denylist_term_shown_on_a_live_story_is_refused_with_the_story_linked(admin_client):
    story = _live_story(summary="Agents of the Rapid Placement Agency were repaid.")
    other = _live_story(summary="Wages were restored.")

    response = admin_client.post(
        "/admin/snippets/anonymity/denylistterm/add/",
        {"term": "rapid placement agency", "reason": "Under investigation"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "would put a confidential name on 1 live story" in html
    assert f'href="/admin/pages/{story.pk}/edit/"' in html
    assert story.title in html
    assert "appears in Summary" in html
    assert other.title not in html
    assert 'value="rapid placement agency"' in html, "the editor's input is kept"
    assert "Under investigation" in html
    assert not DenylistTerm.objects.exists()
    assert _is_live(story)


def test_a_denylist_term_no_live_story_shows_is_saved(admin_client):
    _live_story(summary="Wages were restored.")
    response = admin_client.post(
        "/admin/snippets/anonymity/denylistterm/add/",
        {"term": "Rapid Placement Agency", "reason": ""},
    )
    assert response.status_code == 302
    assert DenylistTerm.objects.filter(term="Rapid Placement Agency").exists()


def test_editing_a_denylist_term_is_checked_too(admin_client):
    term = DenylistTerm.objects.create(term="Quenvik Labour Hire")
    story = _live_story(title="Fees repaid by the Ostrava recruiters")
    response = admin_client.post(
        f"/admin/snippets/anonymity/denylistterm/edit/{term.pk}/",
        {"term": "Ostrava", "reason": ""},
    )
    assert response.status_code == 200
    assert f'href="/admin/pages/{story.pk}/edit/"' in response.content.decode()
    assert DenylistTerm.objects.get(pk=term.pk).term == "Quenvik Labour Hire"


def test_renaming_a_region_to_a_confidential_name_is_refused_for_stories_tagged_with_it(
    admin_client,
):
    coast = RegionFactory(name="Northern Coast")
    tagged = _live_story(region=coast, confidential_terms="Quenvik")
    untagged = _live_story(confidential_terms="Quenvik")

    response = admin_client.post(
        f"/admin/snippets/casestudies/region/edit/{coast.pk}/",
        {"name": "Quenvik Coast", "slug": "quenvik-coast", "description": ""},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/admin/pages/{tagged.pk}/edit/"' in html
    assert "“Quenvik” appears in Region “Quenvik Coast” (name)" in html
    assert untagged.title not in html
    assert 'value="Quenvik Coast"' in html
    assert Region.objects.get(pk=coast.pk).name == "Northern Coast"
    assert _is_live(tagged)


def test_a_harmless_rename_is_saved(admin_client):
    coast = RegionFactory(name="Northern Coast")
    _live_story(region=coast, confidential_terms="Quenvik")
    response = admin_client.post(
        f"/admin/snippets/casestudies/region/edit/{coast.pk}/",
        {"name": "North Coast", "slug": "north-coast", "description": ""},
    )
    assert response.status_code == 302
    assert Region.objects.get(pk=coast.pk).name == "North Coast"


def test_renaming_a_metric_checks_the_bright_spots_reporting_it(admin_client):
    metric = MetricDefinitionFactory(name="Workers repaid")
    spot = publish(BrightSpotPageFactory(metric=metric, contributing_company="Zorblatt Foods"))

    response = admin_client.post(
        f"/admin/snippets/casestudies/metricdefinition/edit/{metric.pk}/",
        {
            "name": "Workers repaid by Zorblatt Foods",
            "slug": metric.slug,
            "unit": "workers",
            "counts": "Workers repaid.",
            "higher_is_better": "on",
            "framework": "",
        },
    )

    assert response.status_code == 200
    assert f'href="/admin/pages/{spot.pk}/edit/"' in response.content.decode()
    assert MetricDefinition.objects.get(pk=metric.pk).name == "Workers repaid"


# --- Any other path: the stories come down and moderators are told -----------


def test_a_denylist_term_added_in_code_takes_its_stories_down_and_alerts_moderators(
    editor, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    story = _live_story(summary="Agents of the Rapid Placement Agency were repaid.")
    other = _live_story(summary="Wages were restored.")

    with django_capture_on_commit_callbacks(execute=True):
        DenylistTerm.objects.create(term="Rapid Placement Agency")

    assert not _is_live(story)
    assert _is_live(other)
    entry = PageLogEntry.objects.get(page=story, action="anonymity.taken_down")
    assert "“Rapid Placement Agency” appears in Summary" in entry.data["problems"]
    assert "Rapid Placement Agency" in entry.data["cause"]
    assert PageLogEntry.objects.filter(page=story, action="wagtail.unpublish").exists()
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {"editor@example.org", "moderator@example.org"}
    assert story.title in mailoutbox[0].body
    assert f"/admin/pages/{story.pk}/edit/" in mailoutbox[0].body
    assert other.title not in mailoutbox[0].body


def test_a_taxonomy_renamed_in_code_takes_down_only_the_stories_tagged_with_it(
    moderator, mailoutbox, django_capture_on_commit_callbacks
):
    story = _live_story(confidential_terms="Quenvik")
    elsewhere = _live_story(confidential_terms="Quenvik")
    industry = Industry.objects.get(pk=story.industry_id)

    industry.name = "Quenvik seafood"
    with django_capture_on_commit_callbacks(execute=True):
        industry.save()

    assert not _is_live(story)
    assert _is_live(elsewhere)
    entry = PageLogEntry.objects.get(page=story, action="anonymity.taken_down")
    assert entry.data["problems"] == ["“Quenvik” appears in Industry “Quenvik seafood” (name)"]
    assert [m.to for m in mailoutbox] == [["moderator@example.org"]]


def test_a_metric_renamed_in_code_takes_down_case_studies_reporting_results_in_it():
    metric = MetricDefinitionFactory(name="Workers repaid")
    story = _live_story(contributing_company="Zorblatt Foods")
    MetricResultFactory(page=story, metric=metric)
    other = _live_story(contributing_company="Zorblatt Foods")

    metric.name = "Workers repaid by Zorblatt Foods"
    metric.save()

    assert not _is_live(story)
    assert _is_live(other)


def test_an_image_file_replaced_in_code_takes_down_the_stories_showing_it(moderator):
    image = StoryImageFactory(title="Workers at a training session")
    hero = _live_story(hero_image=image, confidential_terms="Zorblatt")
    embedded = _live_story(
        confidential_terms="Zorblatt",
        challenge=f'<p>Training.</p><embed embedtype="image" id="{image.pk}" alt="Training"/>',
    )
    unrelated = _live_story(confidential_terms="Zorblatt")

    image.file = make_image_file("zorblatt-canteen.jpg")
    image.save()

    assert not _is_live(hero)
    assert not _is_live(embedded)
    assert _is_live(unrelated)


def test_a_document_renamed_in_code_takes_down_the_stories_listing_it():
    document = get_document_model().objects.create(
        title="Audit summary", file=ContentFile(b"audit", name="audit.txt")
    )
    story = CaseStudyPageFactory(confidential_terms="Quenvik")
    story.resources = [("document", {"document": document, "description": "The audit."})]
    story.save()
    publish(story)
    assert _is_live(story)

    document.title = "Quenvik audit summary"
    document.save()

    assert not _is_live(story)
    entry = PageLogEntry.objects.get(page=story, action="anonymity.taken_down")
    assert any("“Quenvik”" in problem for problem in entry.data["problems"])


def test_a_save_that_touches_no_live_story_leaves_everything_live(mailoutbox):
    story = _live_story(confidential_terms="Quenvik")
    draft = CaseStudyPageFactory(confidential_terms="Quenvik", region=story.region)
    draft.unpublish()
    region = Region.objects.get(pk=story.region_id)
    region.description = "A region where the work happened."
    region.save()
    DenylistTerm.objects.create(term="Never Mentioned Anywhere")
    assert _is_live(story)
    assert not mailoutbox


# --- The stale-terms report ----------------------------------------------------


def _stale_story(n: int) -> CaseStudyPage:
    story = _live_story(title=f"Wages restored {n}", summary=f"The Quenvik{n} team met.")
    story.confidential_terms = f"Quenvik{n}"
    story.save_revision()  # the editor records the term in a draft; live text still shows it
    return story


def test_the_report_lists_live_stories_showing_a_term_marked_confidential_since(admin_client):
    stale = _stale_story(1)
    clean = _live_story(title="Passports returned")

    html = admin_client.get("/admin/reports/confidential-terms/").content.decode()

    assert stale.title in html
    assert f'href="/admin/pages/{stale.pk}/edit/"' in html
    assert "“Quenvik1” appears in Summary" in html
    assert clean.title not in html

    stale.unpublish()
    html = admin_client.get("/admin/reports/confidential-terms/").content.decode()
    assert stale.title not in html
    assert not ConfidentialTermFinding.objects.exists()


def test_the_report_runs_in_a_constant_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    counts = []
    for size in (2, 12):
        while ConfidentialTermFinding.objects.count() < size:
            _stale_story(ConfidentialTermFinding.objects.count())
        admin_client.get("/admin/reports/confidential-terms/")  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            with django_assert_max_num_queries(QUERY_BUDGET):
                response = admin_client.get("/admin/reports/confidential-terms/")
        counts.append(len(queries))
        html = response.content.decode()
        assert all(f"Wages restored {n}" in html for n in range(size))
    assert counts[0] == counts[1], f"queries grew with the findings: {counts}"


def test_recheck_command_finds_stories_that_new_rules_or_bulk_loaded_terms_expose():
    """After a deploy changes the matching, or terms arrive without signals (a bulk load),
    the command reads every live story again and the report lists what it finds."""
    from io import StringIO

    from django.core.management import call_command

    story = _live_story(title="How Quorbex Mills repaid fees")
    clean = _live_story(title="How a tannery repaid fees")
    DenylistTerm.objects.bulk_create([DenylistTerm(term="Quorbex")])  # no signals run
    assert not ConfidentialTermFinding.objects.exists()

    out = StringIO()
    call_command("recheck_live_stories", stdout=out)

    assert list(ConfidentialTermFinding.objects.values_list("page_id", flat=True)) == [story.pk]
    assert f"How Quorbex Mills repaid fees (page {story.pk})" in out.getvalue()
    assert "1 live story shows a confidential term" in out.getvalue()
    assert _is_live(story) and _is_live(clean), "nothing is taken down without an editor"
