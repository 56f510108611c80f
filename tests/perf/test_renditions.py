"""Image renditions are made once, when the image is saved, never while serving a page."""

import pytest

from base.models import StoryRendition
from perf.renditions import STORY_RENDITIONS
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    StoryImageFactory,
    make_image_file,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploaded_image(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = StoryImageFactory(file=make_image_file(size=(1600, 900)))
    return image


def test_saving_an_image_makes_every_rendition_pages_use(uploaded_image):
    made = set(
        StoryRendition.objects.filter(image=uploaded_image).values_list("filter_spec", flat=True)
    )
    assert made == set(STORY_RENDITIONS)
    webp = StoryRendition.objects.filter(image=uploaded_image, filter_spec__contains="webp")
    assert all(r.file.name.endswith(".webp") for r in webp)
    widths = {r.width for r in webp if r.filter_spec.startswith("width-")}
    assert widths == {480, 800, 1200}


def test_serving_pages_never_generates_a_rendition(client, uploaded_image):
    case_study = publish(
        CaseStudyPageFactory(hero_image=uploaded_image, hero_alt="Workers", featured=True)
    )
    spot = publish(BrightSpotPageFactory(hero_image=uploaded_image, case_study=case_study))
    before = StoryRendition.objects.count()

    for url in ["/", "/case-studies/", "/bright-spots/", case_study.url, spot.url,
                f"/embed/{case_study.pk}/", "/api/stories/", "/feeds/rss/"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url

    assert StoryRendition.objects.count() == before


def test_case_study_hero_is_a_webp_srcset_of_pregenerated_files(client, uploaded_image):
    page = publish(CaseStudyPageFactory(hero_image=uploaded_image, hero_alt="Workers"))
    html = client.get(page.url).content.decode()
    for rendition in StoryRendition.objects.filter(
        image=uploaded_image, filter_spec__startswith="width-"
    ):
        assert f"{rendition.url} {rendition.width}w" in html
