"""Following a search as a reader does: the form, the confirmation e-mail, the manage page."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alerts.models import FollowedSearch, Follower
from tests.factories import CaseStudyPageFactory, IndustryFactory, RegionFactory, publish

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^\s\"<>]+")


@pytest.fixture
def taxonomy():
    """Terms a public story uses: one no public story uses is unknown to the public."""
    seafood, region = IndustryFactory(name="Seafood"), RegionFactory(name="Southeast Asia")
    publish(CaseStudyPageFactory(industry=seafood, region=region))
    return seafood, region


def _links(text: str) -> list[str]:
    return [link.removeprefix("http://127.0.0.1:8000") for link in LINK.findall(text)]


def _sign_up(client, query: str, email: str = "buyer@example.org", frequency="immediately"):
    return client.post(f"/alerts/follow/?{query}", {"email": email, "frequency": frequency})


def test_the_search_page_links_to_following_exactly_this_search(client, taxonomy):
    response = client.get("/search/?q=fees&industry=seafood")
    assert b'href="/alerts/follow/?q=fees&amp;industry=seafood"' in response.content


def test_sign_up_confirm_and_manage(client, mailbox, taxonomy):
    page = client.get("/alerts/follow/?q=fees&industry=seafood&region=southeast-asia")
    assert page.status_code == 200
    assert "“fees” · Industry: Seafood · Region: Southeast Asia" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert page["X-Frame-Options"] == "DENY"

    response = _sign_up(client, "q=fees&industry=seafood&region=southeast-asia")
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    assert response["Cache-Control"] == "private, no-store"
    # Stored, but not followed until confirmed.
    followed = FollowedSearch.objects.get()
    assert followed.confirmed_at is None
    assert followed.filters == {"industry": ["seafood"], "region": ["southeast-asia"]}

    [message] = mailbox.to("buyer@example.org")
    assert message["Subject"] == "Confirm that you want to follow this search"
    text = mailbox.text(message)
    assert "“fees” · Industry: Seafood · Region: Southeast Asia" in text
    confirm_url = next(link for link in _links(text) if "/alerts/confirm/" in link)
    # Links carry row ids and a keyed hash, never the address (they end up in logs).
    payload = signing.loads(confirm_url.split("/")[-2], salt="alerts.confirm")
    assert set(payload) == {"f", "h", "s"} and "buyer" not in str(payload)
    assert 'href="http://127.0.0.1:8000/alerts/confirm/' in mailbox.html(message)

    # Opening the link (or a mail scanner opening it) confirms nothing; the button does.
    assert client.get(confirm_url).status_code == 200
    followed.refresh_from_db()
    assert followed.confirmed_at is None
    manage = client.post(confirm_url, follow=True)
    followed.refresh_from_db()
    assert followed.confirmed_at is not None
    assert "“fees” · Industry: Seafood · Region: Southeast Asia" in manage.content.decode()
    assert manage.redirect_chain[0][0].startswith("/alerts/manage/")


def test_the_answer_is_the_same_whether_or_not_the_address_already_follows(
    client, mailbox, taxonomy
):
    first = _sign_up(client, "industry=seafood")
    client.post(_links(mailbox.text(mailbox.messages[0]))[0])  # confirm
    again = _sign_up(client, "industry=seafood")
    stranger = _sign_up(client, "industry=seafood", email="someone@example.org")

    assert first.status_code == again.status_code == stranger.status_code == 200
    assert first.content == again.content == stranger.content
    # The address's owner, and only they, learn it in their inbox.
    assert mailbox.to("buyer@example.org")[-1]["Subject"] == "You already follow this search"
    assert FollowedSearch.objects.filter(follower__email="buyer@example.org").count() == 1


def test_manage_page_changes_frequency_and_unfollows_one_or_all(client, mailbox, taxonomy):
    for query in ("industry=seafood", "q=fees"):
        _sign_up(client, query)
        confirm = next(
            link
            for link in _links(mailbox.text(mailbox.messages[-1]))
            if "/alerts/confirm/" in link
        )
        manage_url = client.post(confirm)["Location"]
    page = client.get(manage_url).content.decode()
    assert "Industry: Seafood" in page and "“fees”" in page

    seafood = FollowedSearch.objects.get(query="")
    client.post(manage_url, {"action": "frequency", "search": seafood.pk, "frequency": "weekly"})
    seafood.refresh_from_db()
    assert seafood.frequency == "weekly"

    client.post(manage_url, {"action": "unfollow", "search": seafood.pk})
    assert list(FollowedSearch.objects.values_list("query", flat=True)) == ["fees"]

    done = client.post(manage_url, {"action": "unfollow-all"})
    assert b"your address has been deleted" in done.content
    assert not Follower.objects.exists() and not FollowedSearch.objects.exists()
    # The link now leads nowhere, and says so.
    assert client.get(manage_url).status_code == 404


# --- Bad input: a clear message, nothing stored, nothing sent ---------------------------


def test_an_invalid_address_is_refused(client, mailbox, taxonomy):
    response = _sign_up(client, "industry=seafood", email="buyer@example")
    assert response.status_code == 400
    assert "Enter a complete e-mail address" in response.content.decode()
    assert not Follower.objects.exists()
    assert mailbox.messages == []


def test_an_unknown_facet_value_is_refused(client, mailbox, taxonomy):
    page = client.get("/alerts/follow/?industry=seafood&region=atlantis")
    assert page.status_code == 400
    assert "Region: “atlantis” is not a value this portal knows." in page.content.decode()

    response = _sign_up(client, "industry=seafood&region=atlantis")
    assert response.status_code == 400
    assert "“atlantis” is not a value this portal knows" in response.content.decode()
    assert not Follower.objects.exists()
    assert mailbox.messages == []


def test_expired_and_forged_links_are_refused(client, mailbox, taxonomy, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 4 * 86400)
    _sign_up(client, "industry=seafood")
    monkeypatch.setattr(signing.time, "time", real_time)
    confirm_url = _links(mailbox.text(mailbox.messages[0]))[0]

    expired = client.post(confirm_url)
    assert expired.status_code == 400
    assert "This link has expired" in expired.content.decode()

    forged = client.post(confirm_url[:-3] + "xyz/")
    assert forged.status_code == 400
    assert "This link is not valid" in forged.content.decode()
    for path in ("/alerts/manage/abc/", "/alerts/unsubscribe/abc/"):
        assert client.post(path).status_code == 400
    assert FollowedSearch.objects.get().confirmed_at is None


def test_sign_ups_are_rate_limited_per_address_and_per_client(client, mailbox, taxonomy):
    statuses = [_sign_up(client, "industry=seafood").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert len(mailbox.messages) == 5

    for n in range(14):
        _sign_up(client, "industry=seafood", email=f"reader{n}@example.org")
    refused = _sign_up(client, "industry=seafood", email="one-more@example.org")
    assert refused.status_code == 429
    assert "Too many sign-ups" in refused.content.decode()
    # Another client is not affected.
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert _sign_up(other, "industry=seafood", email="one-more@example.org").status_code == 200


def test_smtp_down_at_sign_up_stores_nothing_and_says_so(client, mailbox, taxonomy):
    mailbox.stop()
    response = _sign_up(client, "industry=seafood")
    assert response.status_code == 503
    assert "nothing was saved" in response.content.decode()
    assert not Follower.objects.exists()


def test_unconfirmed_sign_ups_are_forgotten_once_their_link_expired(client, mailbox, taxonomy):
    _sign_up(client, "industry=seafood")
    _sign_up(client, "q=fees", email="keeper@example.org")
    FollowedSearch.objects.filter(follower__email="buyer@example.org").update(
        created_at=timezone.now() - timedelta(days=4)
    )
    out = StringIO()
    call_command("send_alerts", stdout=out)
    assert "1 unconfirmed sign-ups forgotten" in out.getvalue()
    assert list(Follower.objects.values_list("email", flat=True)) == ["keeper@example.org"]


def test_the_address_never_reaches_the_logs(client, mailbox, taxonomy, caplog):
    caplog.set_level(logging.DEBUG)
    _sign_up(client, "industry=seafood")
    client.post(_links(mailbox.text(mailbox.messages[0]))[0])
    _sign_up(client, "industry=seafood&region=atlantis")
    for _ in range(6):
        _sign_up(client, "q=fees")
    mailbox.stop()
    _sign_up(client, "q=wages", email="down@example.org")
    # The portal's own records (not the test SMTP server's, which logs what it receives).
    portal = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert any("Too Many Requests" in line for line in portal)
    assert any("Confirmation e-mail not accepted" in line for line in portal)
    assert not [line for line in portal if "buyer@" in line or "down@" in line]
