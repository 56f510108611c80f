"""k-anonymity fails closed: a story names a registered company, and look-alikes are
companies that work where the story's work happened."""

import pytest
from django.contrib.messages import get_messages
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

from anonymity.guard import PublicationRefused
from anonymity.models import ContributingCompany
from casestudies.models import CaseStudyPage
from tests import factories

pytestmark = pytest.mark.django_db

REFUSAL = "Choose the registered contributing company"
RICH_TEXT = (
    '{"blocks":[{"key":"a","type":"unstyled","text":"Mapped agencies.","depth":0,'
    '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}'
)


@pytest.fixture(autouse=True)
def k_is_three(settings):
    settings.REIDENTIFICATION_K = 3


def _draft(**kwargs):
    page = factories.CaseStudyPageFactory(registered=False, **kwargs)
    page.unpublish() if page.live else None
    return CaseStudyPage.objects.get(pk=page.pk)


def _is_live(page) -> bool:
    return CaseStudyPage.objects.get(pk=page.pk).live


def _company(name, page, *, operating=None, hq=None, stages=None, **fields):
    company = ContributingCompany.objects.create(
        name=name,
        industry=fields.get("industry", page.industry),
        size_band=fields.get("size_band", page.size_band),
        hq_region=hq or page.region,
    )
    company.operating_regions.set(operating if operating is not None else [page.region])
    company.stages.set(stages if stages is not None else page.stages.all())
    return company


def _lookalikes(page, n, **kwargs):
    return [_company(f"Look-alike {i}", page, **kwargs) for i in range(n)]


@pytest.mark.parametrize("company", ["", "   ", "Zorblatt Textiles"])
def test_a_blank_or_unregistered_company_is_refused_even_with_an_override(company):
    page = _draft(
        contributing_company=company,
        reidentification_override="Dozens of mills in the region do this work.",
    )
    _lookalikes(page, 3)

    with pytest.raises(PublicationRefused) as refused:
        factories.publish(page)

    assert REFUSAL in str(refused.value)
    assert "A re-identification override does not replace it" in str(refused.value)
    if company.strip():
        assert "“Zorblatt Textiles” is not a registered contributing company" in str(refused.value)
    assert not _is_live(page)


def test_the_registered_name_matches_whatever_the_case_and_spacing():
    page = _draft(contributing_company="  zorblatt   TEXTILES ")
    _company("Zorblatt Textiles", page)
    _lookalikes(page, 2)
    factories.publish(page)
    assert _is_live(page)


def test_companies_headquartered_in_the_region_but_not_working_there_do_not_count():
    page = _draft(contributing_company="Zorblatt")
    elsewhere = factories.RegionFactory(name="Elsewhere")
    _company("Zorblatt", page)
    _lookalikes(page, 2, operating=[elsewhere])  # headquartered in the page's region

    with pytest.raises(PublicationRefused) as refused:
        factories.publish(page)
    assert "Only 1 registered contributing company shares" in str(refused.value)
    assert f"work in {page.region}" in str(refused.value)


def test_companies_working_in_the_region_count_wherever_they_are_headquartered():
    page = _draft(contributing_company="Zorblatt")
    elsewhere = factories.RegionFactory(name="Elsewhere")
    _company("Zorblatt", page)
    _lookalikes(page, 2, hq=elsewhere, operating=[elsewhere, page.region])
    factories.publish(page)
    assert _is_live(page)


def test_look_alikes_share_industry_size_band_and_every_stage():
    stage, other_stage = factories.SupplyChainStageFactory(), factories.SupplyChainStageFactory()
    page = _draft(contributing_company="Zorblatt", stages=[stage, other_stage])
    _company("Zorblatt", page)
    _company("Other industry", page, industry=factories.IndustryFactory())
    _company("Other size", page, size_band="small")
    _company("One stage only", page, stages=[stage])

    with pytest.raises(PublicationRefused, match="Only 1 registered contributing company"):
        factories.publish(page)


def test_an_override_answers_too_few_look_alikes_for_a_registered_company():
    page = _draft(
        contributing_company="Zorblatt",
        reidentification_override="Dozens of unregistered mills in the region do this work.",
    )
    _company("Zorblatt", page)
    factories.publish(page)
    assert _is_live(page)


def test_the_editor_is_told_to_choose_the_registered_company(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.org", "pw"))
    page = _draft(contributing_company="Zorblat Textile")
    _company("Zorblatt Textiles", page)
    _lookalikes(page, 3)
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    step = {"heading": "Map the corridor", "what_was_done": RICH_TEXT, "pitfalls": ""}
    data.update(
        nested_form_data({"steps": streamfield([("step", step)]), "resources": streamfield([])})
    )
    data["summary"] = "An edit the editor wants to keep."
    data["action-publish"] = "action-publish"

    response = client.post(f"/admin/pages/{page.pk}/edit/", data)

    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert REFUSAL in text
    assert "“Zorblat Textile” is not a registered contributing company" in text
    assert not _is_live(page)
    draft = CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert draft.summary == "An edit the editor wants to keep."


def test_an_editor_registers_where_a_company_works(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.org", "pw"))
    industry, hq = factories.IndustryFactory(), factories.RegionFactory(name="Europe")
    south_asia, stage = (
        factories.RegionFactory(name="South Asia"),
        factories.SupplyChainStageFactory(),
    )
    form = client.get("/admin/snippets/anonymity/contributingcompany/add/").content.decode()
    assert "regions where the company&#x27;s supply chain has work" in form.lower()

    response = client.post(
        "/admin/snippets/anonymity/contributingcompany/add/",
        {
            "name": "Zorblatt Textiles",
            "industry": industry.pk,
            "size_band": "large",
            "hq_region": hq.pk,
            "operating_regions": [south_asia.pk],
            "stages": [stage.pk],
        },
    )

    assert response.status_code == 302
    company = ContributingCompany.objects.get(name="Zorblatt Textiles")
    assert list(company.operating_regions.all()) == [south_asia]

    again = client.post(
        "/admin/snippets/anonymity/contributingcompany/add/",
        {
            "name": " zorblatt  TEXTILES",
            "industry": industry.pk,
            "size_band": "large",
            "hq_region": hq.pk,
        },
    )
    assert again.status_code == 200
    assert "“Zorblatt Textiles” is already registered" in again.content.decode()
    assert ContributingCompany.objects.count() == 1


# --- Share your practice --------------------------------------------------------


def test_the_share_form_records_the_members_registered_company(client):
    member = factories.member_of("Zorblatt")  # the group's name is not the register's
    industry, region = (
        factories.IndustryFactory(name="Apparel"),
        factories.RegionFactory(name="South Asia"),
    )
    ContributingCompany.objects.create(
        name="Zorblatt Textiles Ltd",
        industry=industry,
        size_band="medium",
        hq_region=region,
        member_group=member.groups.get(),
    )
    stage, intervention = factories.SupplyChainStageFactory(), factories.InterventionTypeFactory()
    # The form offers stages and interventions a published story uses (and the company's own
    # industry and region): see test_members.py.
    factories.publish(
        factories.CaseStudyPageFactory(stages=[stage], intervention_types=[intervention])
    )
    client.force_login(member)

    form = client.get("/share-your-practice/").content.decode()
    assert f'<option value="{industry.pk}" selected>' in form
    assert '<option value="medium" selected>' in form

    response = client.post(
        "/share-your-practice/",
        {
            "title": "Repaying recruitment fees across a spinning tier",
            "summary": "We repaid recruitment fees to every migrant worker at our mills.",
            "challenge": "Workers paid agencies up to a year's wages for their jobs.",
            "steps": "Map the corridor\nWe listed every agency.",
            "industry": industry.pk,
            "region": region.pk,
            "size_band": "medium",
            "stages": [stage.pk],
            "intervention_types": [intervention.pk],
            "year_started": 2021,
        },
    )

    assert response["Location"] == "/share-your-practice/thanks/"
    page = CaseStudyPage.objects.get(title="Repaying recruitment fees across a spinning tier")
    assert page.contributing_company == "Zorblatt Textiles Ltd"
    assert page.confidential_term_list()[0] == "Zorblatt Textiles Ltd"


def test_a_member_company_not_yet_registered_is_told_so(client):
    client.force_login(factories.member_of("Zorblatt Textiles"))
    response = client.get("/share-your-practice/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Zorblatt Textiles" in html
    assert "not yet registered as a contributing company" in html
