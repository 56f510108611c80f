"""Member companies: members-only pages and the "Share your practice" form."""

import pytest

from anonymity.members import make_members_only
from anonymity.models import ContributingCompany
from casestudies.models import CaseStudyPage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    user = factories.member_of("Zorblatt Textiles")
    group = user.groups.get()
    ContributingCompany.objects.create(  # the share form speaks for the registered company
        name="Zorblatt Textiles",
        industry=factories.IndustryFactory(),
        size_band="large",
        hq_region=factories.RegionFactory(),
        member_group=group,
    )
    return user


@pytest.fixture
def members_only_page(member):
    page = factories.publish(
        factories.CaseStudyPageFactory(title="Cooperative audits of Xylophone mills")
    )
    make_members_only(page)
    return page


def test_anonymous_visitors_get_a_404_that_offers_sign_in(client, members_only_page):
    # Not a redirect to sign in: that would tell outsiders the page exists.
    response = client.get(members_only_page.url)
    assert response.status_code == 404
    assert "/_util/login/?next=" in response.content.decode()
    assert "Xylophone" not in response.content.decode()
    listing = client.get("/case-studies/").content.decode()
    assert "Xylophone" not in listing


def test_members_read_members_only_pages_and_see_them_listed(client, member, members_only_page):
    client.force_login(member)
    response = client.get(members_only_page.url)
    assert response.status_code == 200
    assert "Cooperative audits of Xylophone mills" in response.content.decode()
    assert "Xylophone" in client.get("/case-studies/").content.decode()


def test_members_sign_in_through_the_portal(client, member, members_only_page):
    response = client.post(
        "/_util/login/",
        {"username": "amira", "password": "pw", "next": members_only_page.url},
    )
    assert response["Location"] == members_only_page.url
    assert "Xylophone" in client.get(members_only_page.url).content.decode()


def test_signed_in_non_members_are_not_entitled(client, django_user_model, members_only_page):
    client.force_login(django_user_model.objects.create_user("visitor", "v@example.org", "pw"))
    assert client.get(members_only_page.url).status_code != 200
    assert "Xylophone" not in client.get("/case-studies/").content.decode()


def test_a_company_joining_later_reads_existing_members_only_pages(client, members_only_page):
    newcomer = factories.member_of("Quenvik Foods", username="li")
    client.force_login(newcomer)
    assert client.get(members_only_page.url).status_code == 200


# --- Share your practice --------------------------------------------------


@pytest.fixture
def vocabulary():
    """Entries a published story uses: the form offers only those a member can read of."""
    terms = {
        "industry": factories.IndustryFactory(name="Apparel"),
        "region": factories.RegionFactory(name="South Asia"),
        "stage": factories.SupplyChainStageFactory(name="Recruitment"),
        "intervention": factories.InterventionTypeFactory(name="Employer pays"),
    }
    factories.publish(
        factories.CaseStudyPageFactory(
            industry=terms["industry"],
            region=terms["region"],
            stages=[terms["stage"]],
            intervention_types=[terms["intervention"]],
        )
    )
    return terms


def _submission(vocabulary, **changes):
    data = {
        "title": "Repaying recruitment fees across a spinning tier",
        "summary": "We repaid recruitment fees to every migrant worker at our spinning mills.",
        "challenge": "Workers paid agencies up to a year's wages.\n\nSome held passports.",
        "steps": "Map the corridor\nWe listed every agency.\n\nRepay the fees\nWithin 90 days.",
        "what_did_not_work": "Self-certification.",
        "lessons": "Start upstream.",
        "industry": vocabulary["industry"].pk,
        "region": vocabulary["region"].pk,
        "size_band": "large",
        "stages": [vocabulary["stage"].pk],
        "intervention_types": [vocabulary["intervention"].pk],
        "year_started": 2021,
        "year_ended": 2023,
        "confidential_terms": "Quenvik Spinning\nDr Ilse Marrow\n\nQuenvik Spinning",
    }
    data.update(changes)
    return data


def test_visitors_must_sign_in_to_share(client):
    response = client.get("/share-your-practice/")
    assert response.status_code == 302
    assert response["Location"] == "/_util/login/?next=/share-your-practice/"


def test_signed_in_non_members_cannot_share(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("v", "v@example.org", "pw"))
    response = client.get("/share-your-practice/")
    assert response.status_code == 403
    assert "Only people signed in for a member company" in response.content.decode()


def test_a_shared_practice_becomes_a_private_draft_in_moderation(client, member, vocabulary):
    client.force_login(member)
    assert client.get("/share-your-practice/").status_code == 200

    response = client.post("/share-your-practice/", _submission(vocabulary))

    assert response["Location"] == "/share-your-practice/thanks/"
    page = CaseStudyPage.objects.get(title="Repaying recruitment fees across a spinning tier")
    assert not page.live
    assert page.contributing_company == "Zorblatt Textiles"
    assert page.confidential_term_list() == [
        "Zorblatt Textiles",
        "Quenvik Spinning",
        "Dr Ilse Marrow",
    ]
    assert [s.value["heading"] for s in page.steps] == ["Map the corridor", "Repay the fees"]
    assert "<p>Some held passports.</p>" in page.challenge
    state = page.current_workflow_state
    assert state is not None and state.requested_by == member
    assert state.status == "in_progress"

    client.logout()
    assert client.get(f"/case-studies/{page.slug}/").status_code == 404
    assert "spinning tier" not in client.get("/case-studies/").content.decode()


def test_member_text_cannot_inject_markup(client, member, vocabulary):
    client.force_login(member)
    client.post(
        "/share-your-practice/",
        _submission(vocabulary, challenge="<script>alert(1)</script> and a long enough text"),
    )
    page = CaseStudyPage.objects.get(live=False)
    assert "<script>" not in page.challenge
    assert "&lt;script&gt;" in page.challenge


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": "Fees"}, "title", "at least 10 characters"),
        ({"summary": ""}, "summary", "This field is required"),
        ({"steps": "\n\n  \n"}, "steps", "This field is required"),
        ({"steps": "x" * 130}, "steps", "under 120 characters"),
        ({"year_started": 2022, "year_ended": 2020}, "year_ended", "cannot end before"),
        ({"year_started": 2999}, "year_started", "a year that has started"),
        ({"industry": 999999}, "industry", "Select a valid choice"),
        ({"stages": []}, "stages", "This field is required"),
        ({"confidential_terms": "y" * 201}, "confidential_terms", "under 200 characters"),
    ],
)
def test_every_field_is_validated(client, member, vocabulary, changes, field, message):
    client.force_login(member)
    response = client.post("/share-your-practice/", _submission(vocabulary, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert CaseStudyPage.objects.filter(live=False).count() == 0


def test_sharing_is_rate_limited_without_losing_the_text(client, member, vocabulary):
    client.force_login(member)
    for n in range(3):
        response = client.post(
            "/share-your-practice/", _submission(vocabulary, title=f"Shared practice number {n}")
        )
        assert response.status_code == 302

    response = client.post(
        "/share-your-practice/", _submission(vocabulary, title="One practice too many")
    )

    assert response.status_code == 429
    html = response.content.decode()
    assert "You have shared 3 practices in the last hour" in html
    assert "One practice too many" in html
    assert CaseStudyPage.objects.filter(live=False).count() == 3


def test_the_form_offers_only_entries_a_member_can_read_of(client, member, vocabulary):
    """An entry only a draft uses can name who the draft is about: members are not shown it,
    any more than the public is; their own company's industry is theirs to choose."""
    draft_only = factories.IndustryFactory(name="Quenvik Pearl Farming")
    factories.CaseStudyPageFactory(industry=draft_only, live=False)
    own = ContributingCompany.objects.get(member_group__user=member).industry
    client.force_login(member)

    html = client.get("/share-your-practice/").content.decode()

    assert "Apparel" in html and "South Asia" in html and "Employer pays" in html
    assert own.name in html
    assert "Quenvik Pearl Farming" not in html
    response = client.post("/share-your-practice/", _submission(vocabulary, industry=draft_only.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
