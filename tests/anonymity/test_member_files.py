"""Files of members-only stories follow their stories behind the members' restriction.

Nobody has to file them in a private collection: making a story members-only (or
publishing one with a new picture or paper) takes its files off their public
addresses, and making it public again brings them back (anonymity/member_files.py).

The public media route below stands for the web server in front of the portal, which
serves everything in the media storage but ``private/`` (README, "Members-only files"),
so an old public address is tried as an outsider would try it.
"""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import re_path
from django.views.static import serve
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from anonymity.member_files import MEMBER_FILES_COLLECTION
from anonymity.members import make_members_only
from base.models import StoryImage
from casestudies.models import CaseStudyIndexPage, HomePage
from portal import urls as portal_urls
from tests.factories import CaseStudyPageFactory, StoryImageFactory, publish


def _public_media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


handler404 = portal_urls.handler404
urlpatterns = [
    re_path(r"^media/(?!private/)(?P<path>.*)$", _public_media),
    *portal_urls.urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

DOCUMENT_TEXT = b"question,answer\nfees charged?,no\n"


@pytest.fixture(autouse=True)
def _fresh_index(search_index):
    """Story pages list related stories from the index: none from another test."""


@pytest.fixture
def document():
    return get_document_model().objects.create(
        title="Mill audit checklist",
        file=ContentFile(DOCUMENT_TEXT, name="mill-audit-checklist.csv"),
    )


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _story_with_files(image, document, **fields):
    page = CaseStudyPageFactory(hero_image=image, hero_alt="Workers at a meeting", **fields)
    page.resources = [("document", {"document": document, "description": "The checklist."})]
    page.save()
    return publish(page)


def _image_urls(html: str) -> set[str]:
    return set(re.findall(r"/(?:members-)?media/images/[^\"\s,]+", html))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _old_addresses(story, image, document) -> list[str]:
    """Every address of the story's files an outsider could have noted while it was public."""
    html = Client().get(story.url).content.decode()
    renditions = _image_urls(html)
    assert renditions and all(url.startswith("/media/images/") for url in renditions)
    addresses = [*renditions, image.file.url, document.file.url, document.url]
    for url in addresses:
        assert Client().get(url).status_code == 200, url
    return addresses


def _assert_members_only(story, member, addresses, document):
    """Outsiders get 404 at every old address; a member reads the story with its files,
    served by the views that check who asks."""
    non_member = get_user_model().objects.get_or_create(username="visitor")[0]
    for outsider in (Client(), _client(non_member)):
        for url in addresses:
            assert outsider.get(url).status_code == 404, url
    html = _client(member).get(story.url).content.decode()
    shown = _image_urls(html)
    assert shown and all(url.startswith("/members-media/images/") for url in shown), shown
    for url in shown:
        response = _client(member).get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        PILImage.open(io.BytesIO(_body(response))).verify()
        assert Client().get(url).status_code == 404
    paper = _client(member).get(document.url)
    assert paper.status_code == 200
    assert _body(paper) == DOCUMENT_TEXT


def _files_public(story, image, document) -> None:
    image = StoryImage.objects.get(pk=image.pk)
    document = get_document_model().objects.get(pk=document.pk)
    root = Collection.get_first_root_node()
    assert image.collection == root and document.collection == root
    html = Client().get(story.url).content.decode()
    renditions = _image_urls(html)
    assert renditions and all(url.startswith("/media/images/") for url in renditions)
    for url in [*renditions, image.file.url, document.url]:
        assert Client().get(url).status_code == 200, url


def test_a_story_made_members_only_takes_its_files_along_and_back(
    member, editor, document, django_capture_on_commit_callbacks
):
    image = StoryImageFactory()
    story = _story_with_files(image, document)
    addresses = _old_addresses(story, image, document)

    # The editor sets "Private, accessible to members" in Wagtail's privacy dialog.
    admin = _client(editor)
    with django_capture_on_commit_callbacks(execute=True):  # old rendition files go
        response = admin.post(
            f"/admin/pages/{story.pk}/privacy/",
            {"restriction_type": "groups", "groups": [g.pk for g in Group.objects.all()]},
        )
    assert response.status_code == 200
    assert PageViewRestriction.objects.filter(page=story).exists()

    image = StoryImage.objects.get(pk=image.pk)
    assert image.collection.name == MEMBER_FILES_COLLECTION
    assert image.file.name.startswith("private/")
    _assert_members_only(story, member, addresses, document)

    # Public again: the files return to the collection they came from and their addresses.
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/admin/pages/{story.pk}/privacy/", {"restriction_type": "none"})
    _files_public(story, image, document)


def test_publishing_in_a_members_only_section_hides_a_newly_added_picture(
    member, document, django_capture_on_commit_callbacks
):
    home = HomePage.objects.get()
    library = home.add_child(instance=CaseStudyIndexPage(title="Members' library", slug="library"))
    make_members_only(library)
    story = publish(CaseStudyPageFactory(parent=library))
    image = StoryImageFactory()
    public_address = image.file.url
    assert Client().get(public_address).status_code == 200

    story.hero_image = image
    story.resources = [("document", {"document": document, "description": "The checklist."})]
    with django_capture_on_commit_callbacks(execute=True):
        publish(story)

    for model, pk in ((StoryImage, image.pk), (get_document_model(), document.pk)):
        assert model.objects.get(pk=pk).collection.name == MEMBER_FILES_COLLECTION
    _assert_members_only(story, member, [public_address, document.url], document)


def test_a_file_a_public_story_shows_stays_public_until_that_story_goes(
    member, document, django_capture_on_commit_callbacks
):
    image = StoryImageFactory()
    public_story = _story_with_files(image, document)
    members_story = _story_with_files(image, document)
    make_members_only(members_story)
    addresses = _old_addresses(public_story, image, document)  # still public: shared

    with django_capture_on_commit_callbacks(execute=True):
        public_story.unpublish()

    _assert_members_only(members_story, member, addresses, document)


def test_files_in_an_editors_own_private_collection_stay_there(member, document):
    own = Collection.get_first_root_node().add_child(name="Board papers")
    CollectionViewRestriction.objects.create(
        collection=own, restriction_type=CollectionViewRestriction.LOGIN
    )
    image = StoryImageFactory(collection=own)
    story = _story_with_files(image, document)
    make_members_only(story)
    PageViewRestriction.objects.filter(page=story).delete()

    assert StoryImage.objects.get(pk=image.pk).collection == own
    # The document had followed the story and came back; the editor's image never moved.
    assert get_document_model().objects.get(pk=document.pk).collection.is_root()
