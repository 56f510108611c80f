"""Members-only stories are invisible to outsiders (issue 11, deliverable 7).

An outsider (anonymous, or signed in without a member company) cannot tell a
members-only story from one that does not exist, on any surface; no public page
links to one; nothing shown to a signed-in person is kept by a shared cache; a
privacy change purges the CDN; members-only files are served only to members;
and /health/ says nothing countable.
"""

from __future__ import annotations

import io
import json
import re
from urllib.parse import quote, unquote

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    PageLogEntry,
    PageViewRestriction,
)

from anonymity.members import make_members_only, member_groups
from base.models import StoryImage
from casestudies.models import (
    MEMBER_GROUP_PREFIX,
    BrightSpotIndexPage,
    CaseStudyIndexPage,
    CaseStudyPage,
)
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    StoryImageFactory,
    publish,
)

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Cooperative audits of Xylophone mills"
MISSING_PATH = "/case-studies/cooperative-audits-of-quenvik-mills/"


@pytest.fixture
def non_member(django_user_model):
    return django_user_model.objects.create_user("visitor", "visitor@example.org", "pw")


@pytest.fixture
def staff(admin_user):
    return admin_user


@pytest.fixture
def members_only_story(member):
    page = publish(CaseStudyPageFactory(title=SECRET_TITLE, slug="cooperative-audits-xylophone"))
    make_members_only(page)
    return page


@pytest.fixture
def bright_spot_of_members_only_story(members_only_story):
    return publish(
        BrightSpotPageFactory(
            title="Audits found fees at every mill", case_study=members_only_story
        )
    )


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _without_path(response, path: str) -> str:
    """The body with every spelling of the requested address replaced."""
    body = response.content.decode()
    for spelling in (quote(path, safe=""), path):
        body = body.replace(spelling, "{path}")
    # Random per response whatever was asked for: the CSP nonce and the CSRF token.
    body = re.sub(r'nonce="[^"]+"', 'nonce=""', body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', body)


def _headers(response) -> dict:
    """Headers but the length; CSP nonces are random per response, so only their place counts."""
    return {
        name: re.sub(r"'nonce-[^']+'", "'nonce'", value)
        for name, value in response.items()
        # The length follows the echoed address; Expires is "now", which may tick between the
        # two requests.
        if name.lower() not in ("content-length", "expires")
    }


# --- The same 404 for members-only and missing ------------------------------


@pytest.mark.parametrize("viewer", ["anonymous", "non_member"])
def test_outsiders_get_the_same_404_for_members_only_and_missing_stories(
    request, viewer, members_only_story
):
    client = _client(None if viewer == "anonymous" else request.getfixturevalue(viewer))
    restricted = client.get(members_only_story.url)
    missing = client.get(MISSING_PATH)

    assert restricted.status_code == missing.status_code == 404
    assert _without_path(restricted, members_only_story.url) == _without_path(missing, MISSING_PATH)
    assert _headers(restricted) == _headers(missing)
    assert SECRET_TITLE not in restricted.content.decode()


def test_every_404_offers_the_member_sign_in_back_to_the_page(client, members_only_story):
    # (An embed card is a partner's frame, not a page: it gets the "no longer available" card,
    # tested in test_partner_surfaces_answer_alike_for_members_only_and_missing.)
    for path in (members_only_story.url, MISSING_PATH, "/no/such/thing/"):
        html = client.get(path).content.decode()
        assert f'href="/_util/login/?next={quote(path, safe="")}"' in html, path
        assert "Member sign in" in html


def test_a_member_signs_in_from_the_404_and_reads_the_story(client, member, members_only_story):
    html = client.get(members_only_story.url).content.decode()
    sign_in = re.search(r'href="(/_util/login/\?next=[^"]+)"', html).group(1)
    next_path = unquote(sign_in.split("next=", 1)[1])

    response = client.post(
        "/_util/login/", {"username": "amira", "password": "pw", "next": next_path}
    )
    assert response["Location"] == members_only_story.url
    page = client.get(members_only_story.url)
    assert page.status_code == 200
    assert SECRET_TITLE in page.content.decode()


@pytest.mark.parametrize("viewer", ["member", "staff"])
def test_members_and_staff_read_it_and_still_get_404_for_missing(
    request, viewer, members_only_story
):
    client = _client(request.getfixturevalue(viewer))
    assert SECRET_TITLE in client.get(members_only_story.url).content.decode()
    missing = client.get(MISSING_PATH)
    assert missing.status_code == 404
    assert "/_util/login/?next=" in missing.content.decode()


def test_staff_without_member_access_are_not_listed_what_they_cannot_open(
    django_user_model, members_only_story, search_index
):
    """One audience rule for listing and serving: an editor (staff, no member company)
    is an outsider to members-only stories everywhere, until a member company takes them."""
    editor = django_user_model.objects.create_user("editor", "editor@example.org", is_staff=True)
    client = _client(editor)
    surfaces = ("/case-studies/", "/search/?q=Xylophone+audits")
    assert client.get(members_only_story.url).status_code == 404
    for path in surfaces:
        assert members_only_story.url not in client.get(path).content.decode(), path

    editor.groups.add(Group.objects.get(name__startswith=MEMBER_GROUP_PREFIX))
    assert SECRET_TITLE in client.get(members_only_story.url).content.decode()
    for path in surfaces:
        assert members_only_story.url in client.get(path).content.decode(), path


@pytest.mark.parametrize("viewer", ["anonymous", "non_member"])
def test_partner_surfaces_answer_alike_for_members_only_and_missing(
    request, viewer, members_only_story
):
    client = _client(None if viewer == "anonymous" else request.getfixturevalue(viewer))
    missing_id = members_only_story.pk + 1000

    card, no_card = (
        client.get(f"/embed/{members_only_story.pk}/"),
        client.get(f"/embed/{missing_id}/"),
    )
    assert card.status_code == no_card.status_code == 404
    # Both are the frameable "no longer available" card; the id the partner asked for is
    # echoed to its resize script, and nothing else differs.
    assert _without_path(card, f"/embed/{members_only_story.pk}/").replace(
        f"id: {members_only_story.pk},", "id: {id},"
    ) == _without_path(no_card, f"/embed/{missing_id}/").replace(f"id: {missing_id},", "id: {id},")
    assert SECRET_TITLE not in card.content.decode()

    api, no_api = (
        client.get(f"/api/stories/{members_only_story.pk}/"),
        client.get(f"/api/stories/{missing_id}/"),
    )
    assert api.status_code == no_api.status_code == 404
    assert api.content == no_api.content

    url = f"http://testserver{members_only_story.url}"
    oembed = client.get("/oembed/", {"url": url})
    no_oembed = client.get("/oembed/", {"url": f"http://testserver{MISSING_PATH}"})
    assert oembed.status_code == no_oembed.status_code == 404
    assert oembed.content == no_oembed.content

    for feed in ("/feeds/rss/", "/feeds/atom/"):
        assert SECRET_TITLE not in client.get(feed).content.decode()


# --- No link from a public page to a members-only one -----------------------


def _surfaces(client, spot) -> dict[str, str]:
    return {
        "page": client.get(spot.url).content.decode(),
        "api detail": client.get(f"/api/stories/{spot.pk}/").content.decode(),
        "api list": client.get("/api/stories/").content.decode(),
        "embed card": client.get(f"/embed/{spot.pk}/").content.decode(),
        "rss": client.get("/feeds/rss/").content.decode(),
        "atom": client.get("/feeds/atom/").content.decode(),
        "oembed": client.get("/oembed/", {"url": f"http://testserver{spot.url}"}).content.decode(),
    }


def test_a_public_bright_spot_does_not_link_its_members_only_case_study(
    client, members_only_story, bright_spot_of_members_only_story
):
    spot = bright_spot_of_members_only_story
    surfaces = _surfaces(client, spot)
    assert "Audits found fees at every mill" in surfaces["page"]
    json_ld = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', surfaces["page"], re.S
    )
    assert json.loads(json_ld.group(1))["headline"] == "Audits found fees at every mill"
    for surface, text in surfaces.items():
        assert members_only_story.slug not in text, surface
        assert "Xylophone" not in text, surface
        assert "Read the full case study" not in text, surface


def test_members_see_the_link_and_a_public_case_study_is_linked_for_everyone(
    client, member, members_only_story, bright_spot_of_members_only_story
):
    spot = bright_spot_of_members_only_story
    link = f'href="{members_only_story.url}">Read the full case study'
    assert link in _client(member).get(spot.url).content.decode()

    PageViewRestriction.objects.filter(page=members_only_story).delete()
    assert link in client.get(spot.url).content.decode()


# --- Nothing shown to a signed-in person is stored by a shared cache ---------


@pytest.mark.parametrize("viewer", ["member", "non_member", "staff"])
def test_every_response_to_a_signed_in_person_is_private_no_store(
    request, viewer, members_only_story, bright_spot_of_members_only_story
):
    client = _client(request.getfixturevalue(viewer))
    public_story = publish(CaseStudyPageFactory(title="A practice for everyone"))
    paths = [
        "/",
        "/case-studies/",
        public_story.url,
        members_only_story.url,
        bright_spot_of_members_only_story.url,
        "/search/?q=fees",
        f"/embed/{public_story.pk}/",
        "/api/stories/",
        "/feeds/rss/",
        MISSING_PATH,
        "/share-your-practice/",
    ]
    for path in paths:
        response = client.get(path)
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, (path, response.get("Cache-Control"))
        assert "public" not in directives, path
        assert response["X-Cache"] == "BYPASS", path


def test_anonymous_pages_stay_cacheable(client, search_index):
    story = publish(CaseStudyPageFactory(title="A practice for everyone"))
    response = client.get(story.url)
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
    assert client.get(story.url)["X-Cache"] == "HIT"
    card = client.get(f"/embed/{story.pk}/")
    assert "public" in card["Cache-Control"]


# --- A privacy change purges the CDN ----------------------------------------


def test_making_a_story_members_only_and_public_again_purges_its_url(
    purged, member, django_capture_on_commit_callbacks
):
    story = publish(CaseStudyPageFactory(title="Soon for members only"))
    purged.clear()

    with django_capture_on_commit_callbacks(execute=True):  # purged after the commit
        restriction = make_members_only(story)
    assert story.url in purged
    assert "/case-studies/" in purged and "/" in purged

    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert story.url in purged


def test_restricting_a_section_purges_every_story_in_it_and_no_other(
    purged, member, django_capture_on_commit_callbacks
):
    case_study = publish(CaseStudyPageFactory())
    spot = publish(BrightSpotPageFactory())
    purged.clear()

    with django_capture_on_commit_callbacks(execute=True):  # purged after the commit
        make_members_only(CaseStudyIndexPage.objects.get())
    assert case_study.url in purged
    assert spot.url not in purged

    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_members_only(BrightSpotIndexPage.objects.get())
    assert spot.url in purged


# --- A privacy change that lets outsiders in runs the guard ----------------------


@pytest.fixture
def privacy_dialog(admin_user):
    """Wagtail's privacy dialog, as an editor uses it on a page."""
    client = _client(admin_user)

    def change(page, **data):
        response = client.post(f"/admin/pages/{page.pk}/privacy/", data)
        assert response.status_code == 200
        return response

    return change


def _leaking_members_only_story():
    """Members-only, and its live title carries its company's name (written straight to the
    table, as before the guard existed: no admin path allows it now)."""
    story = publish(CaseStudyPageFactory())
    restriction = make_members_only(story)
    CaseStudyPage.objects.filter(pk=story.pk).update(
        title=f"How {story.contributing_company} repaid recruitment fees"
    )
    return CaseStudyPage.objects.get(pk=story.pk), restriction


def _taken_down(story) -> bool:
    return not CaseStudyPage.objects.get(pk=story.pk).live and (
        PageLogEntry.objects.filter(page=story, action="anonymity.taken_down").exists()
    )


@pytest.mark.parametrize(
    "change",
    [
        {"restriction_type": "password", "password": "open sesame"},
        {"restriction_type": "login"},
        {"restriction_type": "groups", "groups": "editors"},
        {"restriction_type": "none"},
    ],
    ids=["to-password", "to-any-signed-in-person", "to-a-non-member-group", "removed"],
)
def test_a_privacy_change_that_lets_outsiders_in_takes_a_leak_down(
    member, privacy_dialog, change, django_capture_on_commit_callbacks
):
    story, _ = _leaking_members_only_story()
    if change.get("groups") == "editors":
        change = {**change, "groups": [Group.objects.get_or_create(name="Editors")[0].pk]}

    with django_capture_on_commit_callbacks(execute=True):
        privacy_dialog(story, **change)

    assert _taken_down(story)
    assert Client().get(story.url).status_code == 404
    assert any(story.title in message.body for message in mail.outbox)  # moderators told


def test_a_privacy_change_among_member_companies_leaves_the_story_up(member, privacy_dialog):
    story, restriction = _leaking_members_only_story()
    newcomer = Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}Quillon Foods")

    groups = [*restriction.groups.values_list("pk", flat=True), newcomer.pk]
    privacy_dialog(story, restriction_type="groups", groups=groups)

    assert CaseStudyPage.objects.get(pk=story.pk).live
    assert not mail.outbox


# --- /health/ says nothing countable -----------------------------------------


@pytest.mark.parametrize("viewer", [None, "member"])
def test_health_shows_status_only(request, viewer, members_only_story, search_index):
    client = _client(request.getfixturevalue(viewer) if viewer else None)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": {"ok": True}, "search": {"ok": True}}
    assert not re.search(r"\d", response.content.decode())


# --- Files of members-only stories ------------------------------------------


@pytest.fixture
def private_collection(member):
    collection = Collection.get_first_root_node().add_child(name="Members only")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.add(*member_groups())
    return collection


def _stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_members_only_story_image_is_served_to_members_only(
    settings, member, non_member, private_collection
):
    image = StoryImageFactory(collection=private_collection)
    story = publish(CaseStudyPageFactory(title=SECRET_TITLE, hero_image=image, hero_alt="A mill"))
    make_members_only(story)

    html = _client(member).get(story.url).content.decode()
    urls = set(re.findall(r"/members-media/[^\"\s,]+", html))
    assert urls, "the page shows its image through the checking view"
    assert "/media/" not in html
    for url in urls:
        shown = _client(member).get(url)
        assert shown.status_code == 200
        assert shown["Content-Type"].startswith("image/")
        PILImage.open(io.BytesIO(b"".join(shown.streaming_content))).verify()
        assert "no-store" in shown["Cache-Control"]
        for outsider in (Client(), _client(non_member)):
            refused = outsider.get(url)
            assert refused.status_code == 404
            assert _without_path(refused, url) == _without_path(
                outsider.get("/members-media/images/none.webp"), "/members-media/images/none.webp"
            )
    # Original and renditions are stored under private/, which has no public address.
    stored = _stored_files(settings.MEDIA_ROOT)
    assert stored and all(name.startswith("private/") for name in stored), stored


def test_an_image_moved_into_a_private_collection_leaves_its_public_address(
    settings, private_collection, django_capture_on_commit_callbacks
):
    image = StoryImageFactory()
    public_rendition = image.get_rendition("width-480|format-webp")
    assert public_rendition.url.startswith("/media/images/")
    public_files = _stored_files(settings.MEDIA_ROOT)

    image.collection = private_collection
    with django_capture_on_commit_callbacks(execute=True):  # old renditions' files go
        image.save()

    image = StoryImage.objects.get(pk=image.pk)
    assert image.file.name.startswith("private/original_images/")
    assert image.get_rendition("width-480|format-webp").url.startswith("/members-media/images/")
    assert not any((settings.MEDIA_ROOT / name).exists() for name in public_files)

    # Public again when the collection's restriction is lifted.
    CollectionViewRestriction.objects.filter(collection=private_collection).delete()
    image = StoryImage.objects.get(pk=image.pk)
    assert image.file.name.startswith("original_images/")
    assert image.get_rendition("width-480|format-webp").url.startswith("/media/images/")


def test_a_members_only_document_is_served_to_members_only(settings, member, private_collection):
    document = get_document_model().objects.create(
        title="Mill audit checklist",
        file=ContentFile(b"question,answer\nfees charged?,no\n", name="mill-audit-checklist.csv"),
        collection=private_collection,
    )
    document.refresh_from_db()
    assert document.file.name.startswith("private/documents/")
    assert document.url == f"/documents/{document.pk}/mill-audit-checklist.csv"

    refused = Client().get(document.url)
    assert refused.status_code == 404
    assert "/_util/login/?next=" in refused.content.decode()
    shown = _client(member).get(document.url)
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == b"question,answer\nfees charged?,no\n"
