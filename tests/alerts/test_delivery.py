"""Alerts and digests as they reach a real SMTP server when editors publish."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from alerts.delivery import send_due
from alerts.models import AlertDelivery, AlertSent, FollowedSearch, Follower
from anonymity.members import make_members_only
from casestudies.models import MEMBER_GROUP_PREFIX
from search.tasks import apply_pending_changes
from tests.factories import IndustryFactory, publish
from tests.search.helpers import story

pytestmark = pytest.mark.django_db


@pytest.fixture
def seafood():
    return IndustryFactory(name="Seafood")


@pytest.fixture
def apparel():
    return IndustryFactory(name="Apparel")


def follows(email: str, query: str = "", frequency: str = "immediately", **filters):
    """A confirmed followed search (the sign-up itself is driven in test_follow.py)."""
    follower, _ = Follower.objects.get_or_create(email=email)
    followed = FollowedSearch.objects.create(
        follower=follower,
        query=query,
        filters={k: [v] for k, v in filters.items()},
        frequency=frequency,
    )
    followed.confirm()
    return followed


def test_a_matching_story_is_sent_as_it_happens(mailbox, published, seafood, apparel):
    follows("buyer@example.org", industry="seafood")
    follows("fees@example.org", query="recruitment fees")

    published(
        story("Trawler crews repaid", summary="Crews got back what agents took.", industry=seafood)
    )
    published(story("Garment workers repaid recruitment fees", industry=apparel))

    [alert] = mailbox.to("buyer@example.org")
    assert alert["Subject"] == "New on Here's How: Trawler crews repaid"
    text, html = mailbox.text(alert), mailbox.html(alert)
    assert "Crews got back what agents took." in text
    assert "Trawler crews repaid</a>" in html
    assert "You follow: Industry: Seafood" in text
    assert (
        alert["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/alerts/unsubscribe/")
    )
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    [words] = mailbox.to("fees@example.org")
    assert words["Subject"] == "New on Here's How: Garment workers repaid recruitment fees"
    assert len(mailbox.messages) == 2


def test_an_edited_story_does_not_alert_twice(mailbox, published, seafood):
    follows("buyer@example.org", industry="seafood")
    page = published(story("Trawler crews repaid", industry=seafood))
    page.title = "Trawler crews repaid in full"
    published(page)
    assert len(mailbox.to("buyer@example.org")) == 1
    assert AlertDelivery.objects.get().state == AlertDelivery.SENT


def test_weekly_digest_leaves_once_with_every_story_still_published(mailbox, published, seafood):
    follows("weekly@example.org", frequency="weekly", industry="seafood")
    first, second, gone = [
        story(title, industry=seafood)
        for title in ("Trawler crews repaid", "Cannery hostels rebuilt", "Withdrawn practice")
    ]
    published(first, second, gone)
    gone.unpublish()
    assert mailbox.messages == []  # nothing until the digest is due

    totals = send_due(now=timezone.now() + timedelta(days=7, minutes=1))
    assert totals == {"sent": 2, "withheld": 0, "dropped": 1, "failed": 0}
    [digest] = mailbox.to("weekly@example.org")
    assert digest["Subject"] == "This week: 2 new stories for the searches you follow"
    text = mailbox.text(digest)
    assert "Trawler crews repaid" in text and "Cannery hostels rebuilt" in text
    assert "Withdrawn practice" not in text and "Withdrawn practice" not in mailbox.html(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The next digest is a week later; nothing is sent twice.
    send_due(now=timezone.now() + timedelta(days=7, minutes=2))
    assert len(mailbox.messages) == 1


def test_one_click_unsubscribe_by_post_without_login_or_csrf(mailbox, published, seafood):
    follows("buyer@example.org", industry="seafood")
    published(story("Trawler crews repaid", industry=seafood))
    [alert] = mailbox.messages
    url = alert["List-Unsubscribe"].strip().strip("<>").removeprefix("http://127.0.0.1:8000")

    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert not Follower.objects.exists()  # the last search gone, the address is deleted

    published(story("Cannery hostels rebuilt", industry=seafood))
    assert len(mailbox.messages) == 1


def test_smtp_down_then_up_delivers_once(mailbox, published, seafood):
    follows("buyer@example.org", industry="seafood")
    mailbox.stop()
    published(story("Trawler crews repaid", industry=seafood))
    row = AlertDelivery.objects.get()
    assert (row.state, row.attempts) == (AlertDelivery.PENDING, 1)
    assert row.next_attempt_at > timezone.now()

    # Still down at the first retry: kept, and the next retry waits longer.
    assert send_due(now=row.next_attempt_at)["failed"] == 1
    row.refresh_from_db()
    assert row.attempts == 2

    mailbox.start()
    out = StringIO()
    call_command("send_alerts", stdout=out)  # not due yet: backing off
    assert mailbox.messages == []
    assert send_due(now=row.next_attempt_at)["sent"] == 1
    assert send_due(now=row.next_attempt_at + timedelta(hours=1))["sent"] == 0
    assert len(mailbox.to("buyer@example.org")) == 1


def test_members_only_story_reaches_members_and_is_withheld_from_others(
    mailbox, published, committed, seafood
):
    group = Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}Acme")
    member = User.objects.create_user("amira", "member@example.org", "pw")
    member.groups.add(group)
    User.objects.create_user("former", "former@example.org", "pw", is_active=False).groups.add(
        group
    )
    for address in ("member@example.org", "outsider@example.org", "former@example.org"):
        follows(address, industry="seafood")

    page = story("Members-only trawler audit", industry=seafood, live=False)
    make_members_only(page)
    published(page)

    assert [m["Subject"] for m in mailbox.to("member@example.org")] == [
        "New on Here's How: Members-only trawler audit"
    ]
    for outsider in ("outsider@example.org", "former@example.org"):
        assert mailbox.to(outsider) == []
    assert AlertDelivery.objects.filter(state=AlertDelivery.WITHHELD).count() == 2
    assert not any("Members-only trawler audit" in m.as_string() for m in mailbox.messages[1:])

    # Made public later: now everyone who follows the search hears of it, members once.
    with committed():
        PageViewRestriction.objects.filter(page=page).delete()
    assert len(mailbox.to("outsider@example.org")) == 1
    assert len(mailbox.to("member@example.org")) == 1


def test_send_alerts_command_sends_what_is_due_once(mailbox, seafood):
    follows("buyer@example.org", industry="seafood")
    page = story("Trawler crews repaid", industry=seafood, live=False)
    publish(page)  # no commit callbacks ran: as if no task worker were running
    apply_pending_changes()  # the search index's own upkeep (``search_index reconcile``)
    out = StringIO()
    call_command("send_alerts", stdout=out)
    assert "1 new stories matched (1 alerts" in out.getvalue()
    assert "1 alerts sent" in out.getvalue()
    call_command("send_alerts", stdout=StringIO())
    assert len(mailbox.messages) == 1


def test_editors_see_follower_counts_and_what_was_sent_but_no_address(
    client, mailbox, published, seafood, apparel, django_user_model
):
    # Before anyone follows it: a term is named only while a public story uses it.
    published(story("Garment workers repaid", industry=apparel))
    follows("a@example.org", industry="seafood")
    follows("b@example.org", frequency="weekly", industry="seafood")
    follows("c@example.org", query="fees", industry="apparel")
    published(story("Trawler crews repaid", industry=seafood))

    editor = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(editor)
    page = client.get("/admin/reports/followed-searches/").content.decode()
    assert "Industry: Seafood</td><td>2</td><td>1</td><td>1</td>" in page
    assert "“fees” · Industry: Apparel</td><td>1</td>" in page
    assert "Trawler crews repaid</td><td>1</td>" in page  # one message, a's
    assert "@example.org" not in page.replace("editor@example.org", "")
    assert AlertSent.objects.get().kind == AlertSent.ALERT


def test_a_quiet_week_does_not_make_the_next_digest_leave_at_once(mailbox, published, seafood):
    followed = follows("weekly@example.org", frequency="weekly", industry="seafood")
    # The digest was due three days ago, but nothing matched that week.
    FollowedSearch.objects.filter(pk=followed.pk).update(
        digest_due_at=timezone.now() - timedelta(days=3)
    )
    published(story("Trawler crews repaid", industry=seafood))
    assert mailbox.messages == []
    wait = AlertDelivery.objects.get().due_at - timezone.now()
    assert timedelta(days=3, hours=23) < wait <= timedelta(days=4)


def test_an_editors_group_given_the_permission_sees_the_report(client, django_user_model):
    from django.contrib.auth.models import Permission

    editors = Group.objects.create(name="Report readers")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor = django_user_model.objects.create_user("ed", "ed@example.org", "pw")
    editor.groups.add(editors)
    client.force_login(editor)
    assert client.get("/admin/reports/followed-searches/").status_code in (302, 403)
    editors.permissions.add(Permission.objects.get(codename="view_followedsearch"))
    assert client.get("/admin/reports/followed-searches/").status_code == 200
    # The permission is offered on the group editing page.
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(admin)
    page = client.get(reverse("wagtailusers_groups:edit", args=[editors.pk])).content.decode()
    assert "followed search" in page.lower()


def test_one_message_per_address_and_story_names_every_search_it_matched(
    mailbox, published, seafood
):
    fleet = follows("buyer@example.org", industry="seafood")
    fees = follows("buyer@example.org", query="recruitment fees")
    hostels = follows("buyer@example.org", query="hostels")
    follows("other@example.org", industry="seafood")

    page = published(story("Trawler crews repaid recruitment fees", industry=seafood))

    [alert] = mailbox.to("buyer@example.org")
    text = mailbox.text(alert)
    assert "A new story on Here's How matches 2 searches you follow:" in text
    assert "You follow: Industry: Seafood; “recruitment fees”" in text
    assert "hostels" not in text and "hostels" not in mailbox.html(alert)
    assert len(mailbox.to("other@example.org")) == 1
    # The idempotency stays per search and story: an edit alerts nobody again.
    sent = AlertDelivery.objects.filter(page_id=page.pk, state=AlertDelivery.SENT)
    assert sorted(sent.values_list("followed_search_id", flat=True)) == sorted(
        [
            fleet.pk,
            fees.pk,
            *FollowedSearch.objects.filter(follower__email="other@example.org").values_list(
                "pk", flat=True
            ),
        ]
    )
    page.title = "Trawler crews repaid recruitment fees in full"
    published(page)
    assert len(mailbox.messages) == 2

    # Another story matching two other searches of the address: again one message.
    published(story("Cannery hostels rebuilt", industry=seafood))
    latest = mailbox.to("buyer@example.org")[-1]
    assert latest["Subject"] == "New on Here's How: Cannery hostels rebuilt"
    assert "You follow: Industry: Seafood; “hostels”" in mailbox.text(latest)
    assert len(mailbox.to("buyer@example.org")) == 2

    # Its one-click unsubscribe leaves the searches the message named, and only those.
    url = latest["List-Unsubscribe"].strip().strip("<>").removeprefix("http://127.0.0.1:8000")
    Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert list(FollowedSearch.objects.filter(follower__email="buyer@example.org")) == [fees]
    assert hostels.pk not in FollowedSearch.objects.values_list("pk", flat=True)
