"""Every page's stylesheet, script and header links, as a reader and a member follow them,
now that a process works them out once (``base.context_processors``) instead of on every
page: the same addresses, and a change of where static files are served shows at once."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.search.helpers import make_member, story

pytestmark = pytest.mark.django_db


def test_a_reader_gets_the_sites_stylesheet_script_and_a_sign_in_that_returns_here(
    client, published
):
    published(story("Spinning mill repays fees"))
    html = client.get("/search/?q=fees").content.decode()
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html
    assert '<script src="/static/js/portal.js" defer></script>' in html
    sign_in_link = f'href="{reverse("wagtailcore_login")}?next=/search/">Member sign in</a>'
    assert f'<a class="member-sign-in" {sign_in_link}' in html
    assert "Sign out" not in html and "Share your practice" not in html

    # Following the sign-in link from the search page lands on a sign-in form.
    sign_in = client.get(f"{reverse('wagtailcore_login')}?next=/search/")
    assert sign_in.status_code == 200


def test_a_signed_in_member_gets_share_and_sign_out_links_that_work(client, published):
    published(story("Spinning mill repays fees"))
    client.force_login(make_member())
    html = client.get("/search/?q=fees").content.decode()
    assert f'<a href="{reverse("share_your_practice")}">Share your practice</a>' in html
    assert f'<form method="post" action="{reverse("logout")}" class="sign-out">' in html
    assert 'class="member-sign-in"' not in html
    # The link reaches the form's view (this member's company is not on file: 403, not 404).
    assert client.get(reverse("share_your_practice")).status_code == 403

    client.post(reverse("logout"))
    html = client.get("/search/?q=mill").content.decode()
    assert 'class="member-sign-in"' in html and "Sign out" not in html


def test_a_signed_in_reader_who_is_not_a_member_gets_the_same_header(client, published):
    published(story("Spinning mill repays fees"))
    client.force_login(User.objects.create_user("reader", password="pw"))
    html = client.get("/search/?q=fees").content.decode()
    assert f'<form method="post" action="{reverse("logout")}" class="sign-out">' in html


def test_static_files_served_from_elsewhere_show_on_the_next_page(client, published, settings):
    published(story("Spinning mill repays fees"))
    assert 'href="/static/css/portal.css"' in client.get("/search/?q=fees").content.decode()
    settings.STATIC_URL = "https://cdn.example.org/assets/"
    html = client.get("/search/?q=mill").content.decode()
    assert '<link rel="stylesheet" href="https://cdn.example.org/assets/css/portal.css">' in html
    assert '<script src="https://cdn.example.org/assets/js/portal.js" defer></script>' in html
    assert 'href="https://cdn.example.org/assets/search/search.css"' in html
