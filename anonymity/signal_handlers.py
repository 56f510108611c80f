"""The guard's place on the publish path, and the backstop behind it.

``check_revision`` is registered with the content app's publication checks, so
``StoryPage.publish`` (workflow approval, bulk actions, scheduled publishing,
code) runs the guard and every refusal lands in the page's history. The admin
hooks (wagtail_hooks.py) refuse earlier on the paths Wagtail takes without
``publish()``: the edit view, copy, alias, move, the admin API.

The backstop does not rely on knowing those paths: whenever a story is live
after a publish or a save, or visible beyond the member companies after any
privacy change (a restriction removed, or changed to a password, to "signed-in
people" or to groups that are not all member companies), its live content is
read again, and a leak is taken
down at once with recheck.take_down, the one way stories come down (a real
unpublish, so search and the page cache follow through their own receivers;
the page's history; an e-mail to the moderators after commit), and listed on
the admin dashboard. Connected in ``AnonymityConfig.ready``.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.log_actions import log
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published

from casestudies.models import STORY_MODELS, StoryPage
from casestudies.publication import register_publication_check, registered_publication_checks

from .demo import connect as connect_demo
from .guard import REFUSED_LOG_ACTION, Leak, PublicationRefused, check_publication, find_leaks
from .member_files import connect as connect_member_files
from .members import admit_new_member_company, is_members_only
from .recheck import TAKEN_DOWN_LOG_ACTION, AffectedStory, take_down
from .recheck import connect as connect_rechecks

__all__ = ["TAKEN_DOWN_LOG_ACTION", "check_revision", "connect", "record_refusal"]

# Saves that change no visible field: Wagtail's revision, lock and bookkeeping updates.
_BOOKKEEPING_FIELDS = frozenset(
    {
        "comments",
        "wagtail_admin_comments",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "live_revision",
        "first_published_at",
        "last_published_at",
        "locked",
        "locked_at",
        "locked_by",
        "numchild",
    }
)


# --- Refusals -----------------------------------------------------------------


def record_refusal(page, refused: PublicationRefused, *, user=None, revision=None) -> None:
    """Write a refusal in the page's history, with each field and term."""
    log(
        instance=page,
        action=REFUSED_LOG_ACTION,
        user=user,
        data={"problems": refused.problems},
        revision=revision,
    )


def check_revision(revision, *, user=None, log_action=None) -> bool:
    """The publication check the content app runs in ``StoryPage.publish``."""
    try:
        return check_publication(revision, log_action=log_action)
    except PublicationRefused as refused:
        # Inside a transaction that rolls back (workflow approval), this entry goes
        # with it; the view that reports the refusal records it again.
        record_refusal(revision.content_object, refused, user=user, revision=revision)
        raise


# --- Backstop -------------------------------------------------------------------


def take_down_if_live(page: StoryPage, leaks: list[Leak]) -> None:
    """Take a live page down the way every re-check does (unpublish, history, moderators)."""
    live = type(page).objects.filter(pk=page.pk, live=True).first()
    if live is None:
        return  # already down (a save and the publish signal of one publish)
    take_down([AffectedStory(live, leaks)], "going live with a confidential name")


def recheck_published(sender, instance, **kwargs) -> None:
    """After any publish (including copies, aliases, paths no hook knows): read what is live."""
    live = type(instance).objects.filter(pk=instance.pk, live=True).first()
    if live is None:
        return
    leaks = find_leaks(live)
    if leaks:
        take_down_if_live(live, leaks)


def recheck_saved_live(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """A live story saved by code, a copy or an alias: the instance is what visitors now see.

    The instance, not the database row, because a page's inline children are
    written after its own row (and this signal).
    """
    if raw or not instance.live:
        return
    if update_fields and set(update_fields) <= _BOOKKEEPING_FIELDS:
        return
    leaks = find_leaks(instance)
    if leaks:
        take_down_if_live(instance, leaks)


def _hidden_from_outsiders(story: StoryPage) -> bool:
    """Under a restriction only member companies pass (a password or "any signed-in
    person" lets outsiders in: that counts as public here)."""
    restrictions = PageViewRestriction.objects.filter(
        page__in=Page.objects.ancestor_of(story, inclusive=True),
        restriction_type=PageViewRestriction.GROUPS,
    )
    return any(is_members_only(restriction) for restriction in restrictions)


def recheck_made_public(sender, instance, raw=False, **kwargs) -> None:
    """A restriction removed, or changed (type or groups) in Wagtail's privacy dialog: what
    it hid may now reach outsiders without anything being published or saved."""
    if raw:
        return
    section = Page.objects.filter(pk=instance.page_id).first()
    if section is None:
        return
    for model in STORY_MODELS:
        for story in model.objects.live().filter(path__startswith=section.path):
            if _hidden_from_outsiders(story):
                continue  # still members-only under this or another restriction
            leaks = find_leaks(story)
            if leaks:
                take_down_if_live(story, leaks)


def _recheck_privacy_saved(sender, instance, raw=False, **kwargs) -> None:
    # A group restriction is judged once its groups are written (``m2m_changed`` below):
    # saved, it has none yet, or the ones of the type it had before.
    if instance.restriction_type != PageViewRestriction.GROUPS:
        recheck_made_public(sender, instance, raw=raw)


def _recheck_groups_changed(sender, instance, action, reverse=False, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and not reverse:
        recheck_made_public(PageViewRestriction, instance)


def connect() -> None:
    """Every receiver of the anonymity app, connected once from ``AnonymityConfig.ready``:
    the guard on the publish path and its backstop here, the re-checks after the fact
    (``recheck``), the files of members-only stories (``member_files``) and the demo
    companies (``demo``)."""
    register_publication_check(check_revision)
    for model in STORY_MODELS:
        page_published.connect(
            recheck_published, sender=model, dispatch_uid=f"anonymity-published-{model.__name__}"
        )
        post_save.connect(
            recheck_saved_live, sender=model, dispatch_uid=f"anonymity-saved-{model.__name__}"
        )
    post_delete.connect(
        recheck_made_public, sender=PageViewRestriction, dispatch_uid="anonymity-made-public"
    )
    # A changed restriction: its type is saved first, then (in the privacy dialog) its groups.
    post_save.connect(
        _recheck_privacy_saved, sender=PageViewRestriction, dispatch_uid="anonymity-privacy-saved"
    )
    m2m_changed.connect(
        _recheck_groups_changed,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="anonymity-privacy-groups-changed",
    )
    post_save.connect(
        admit_new_member_company, sender=Group, dispatch_uid="anonymity-admit-member-company"
    )
    connect_rechecks()
    connect_member_files()
    connect_demo()


def is_connected() -> bool:
    """Whether the guard is registered and the backstop listens to every story model."""
    if check_revision not in registered_publication_checks():
        return False
    return all(
        _listens(page_published, recheck_published, model)
        and _listens(post_save, recheck_saved_live, model)
        for model in STORY_MODELS
    ) and (
        _listens(post_delete, recheck_made_public, PageViewRestriction)
        and _listens(post_save, _recheck_privacy_saved, PageViewRestriction)
        and _listens(m2m_changed, _recheck_groups_changed, PageViewRestriction.groups.through)
    )


def _listens(signal, receiver, sender) -> bool:
    sync_receivers = signal._live_receivers(sender)[0]
    return receiver in sync_receivers
