import pytest

from tests.factories import BrightSpotPageFactory, CaseStudyPageFactory, publish

pytestmark = pytest.mark.django_db


def test_case_study_page_renders_its_story(client):
    page = publish(CaseStudyPageFactory(title="How a spinning mill ended placement fees"))
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "How a spinning mill ended placement fees" in html
    assert "Map the recruitment corridor" in html
    assert "What did not work" in html
