"""Membership you can find: the sign-in link, the membership page, password reset, non-members."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from wagtail.models import Site

from anonymity.members import make_members_only
from anonymity.models import MembershipSettings
from casestudies.models import MEMBER_GROUP_PREFIX
from tests.factories import CaseStudyPageFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    settings = MembershipSettings.for_site(Site.objects.get(is_default_site=True))
    settings.contact_email = "join@heres-how.example"
    settings.what_members_get = "<p>Peer practices shared in confidence, every quarter.</p>"
    settings.save()
    return settings


@pytest.fixture
def secret_story():
    """A members-only story outsiders must not learn about, even from the membership page."""
    Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}Zorblatt Textiles")
    page = publish(CaseStudyPageFactory(title="Cooperative audits of Xylophone mills"))
    make_members_only(page)
    return page


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("sam", "sam@example.org", "old-password-1")


@pytest.mark.parametrize("path", ["/", "/case-studies/", "/search/", "/impact/", "/nowhere/"])
def test_every_page_offers_the_member_sign_in(client, path):
    html = client.get(path).content.decode()
    link = re.search(r'<a class="member-sign-in" href="([^"]+)">Member sign in</a>', html)
    assert link and link[1].startswith("/_util/login/")
    assert 'href="/membership/"' in html  # the footer explains membership


def test_membership_page_explains_membership_with_the_editors_contact(
    client, contact, secret_story
):
    response = client.get("/membership/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "What members get" in html and "How to join" in html
    assert "Peer practices shared in confidence, every quarter." in html
    assert 'href="mailto:join@heres-how.example"' in html
    assert 'href="/accounts/password-reset/"' in html
    # Neither names nor counts what only members can read.
    assert "Xylophone" not in html
    assert not re.search(r"\b1 (members-only )?(stor|case stud|practice)", html)


def test_an_editors_new_contact_shows_at_once(client, contact):
    assert "join@heres-how.example" in client.get("/membership/").content.decode()
    contact.contact_email = "members@heres-how.example"
    contact.save()
    html = client.get("/membership/").content.decode()
    assert "members@heres-how.example" in html and "join@heres-how.example" not in html


def test_membership_page_reads_well_before_editors_set_anything(client):
    html = client.get("/membership/").content.decode()
    assert "What members get" in html and "mailto:" not in html
    assert "Ask the editors" in html


def test_sign_in_form_explains_and_links_to_joining_and_password_reset(client):
    html = client.get("/_util/login/").content.decode()
    assert "<h1>Member sign in</h1>" in html
    assert "Visitors do not need an account" in html
    assert 'href="/accounts/password-reset/"' in html and 'href="/membership/"' in html
    assert 'name="username"' in html and 'name="password"' in html


def test_password_reset_by_email_lets_a_member_sign_in_with_the_new_password(client, outsider):
    response = client.post("/accounts/password-reset/", {"email": "sam@example.org"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Check your e-mail" in page

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.org"]
    assert "Here's How" in message.subject or "password" in message.subject.lower()
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", message.body)[1]

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-much-better-passphrase", "new_password2": "a-much-better-passphrase"},
        follow=True,
    )
    assert "Your password has been changed" in done.content.decode()
    client.logout()
    assert client.login(username="sam", password="a-much-better-passphrase")

    # The link works once.
    client.logout()
    again = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in again


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert mail.outbox == []


def test_password_reset_with_a_mistyped_address_keeps_it_and_says_why(client):
    response = client.post("/accounts/password-reset/", {"email": "sam at example"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address" in html
    assert 'value="sam at example"' in html


def test_signed_in_non_member_gets_a_friendly_page_with_the_contact(client, outsider, contact):
    client.force_login(outsider)
    response = client.get("/share-your-practice/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "signed in as <strong>sam</strong>" in html
    assert 'href="mailto:join@heres-how.example"' in html
    assert 'href="/membership/"' in html
    assert 'action="/accounts/logout/"' in html  # sign out to switch accounts
    assert "ask us to add your account to its group" not in html


def test_signed_in_people_see_sign_out_instead_of_sign_in(client, outsider):
    client.force_login(outsider)
    html = client.get("/membership/").content.decode()
    assert 'class="member-sign-in"' not in html
    assert 'action="/accounts/logout/"' in html and "Sign out" in html


def draftail(text: str) -> str:
    """A rich text field's value as Wagtail's editor posts it."""
    block = {"key": "a1b2c", "text": text, "type": "unstyled", "depth": 0}
    block |= {"inlineStyleRanges": [], "entityRanges": []}
    return json.dumps({"blocks": [block], "entityMap": {}})


def test_an_editor_sets_the_contact_in_the_admin_settings(client, admin_user):
    site = Site.objects.get(is_default_site=True)
    client.force_login(admin_user)
    url = f"/admin/settings/anonymity/membershipsettings/{site.pk}/"
    assert client.get(url).status_code == 200
    form = {
        "contact_email": "not an address",
        "what_members_get": draftail("Quarterly calls with peers."),
        "how_to_join": draftail("Write to us with your company's name."),
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "Enter a valid email address" in refused.content.decode()
    assert "Quarterly calls with peers." in refused.content.decode()  # nothing typed is lost

    saved = client.post(url, form | {"contact_email": "join@heres-how.example"})
    assert saved.status_code == 302
    client.logout()
    html = client.get("/membership/").content.decode()
    assert "Quarterly calls with peers." in html and "join@heres-how.example" in html


def test_password_reset_emails_are_bounded_per_address(client, outsider):
    for _ in range(5):
        response = client.post("/accounts/password-reset/", {"email": "sam@example.org"})
        assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert len(mail.outbox) == 3  # the same answer every time, but no flood of e-mails
