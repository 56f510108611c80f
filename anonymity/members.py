"""Member companies: who they are and which pages only they may read.

A member company is a Django group named with MEMBER_GROUP_PREFIX; its people
sign in as members of that group. "Members-only" is Wagtail page privacy: a
view restriction listing every member group, so Wagtail's own page serving,
its sitemap and `visible_to` all agree on who may see the page.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction

from casestudies.models import MEMBER_GROUP_PREFIX


def member_groups():
    return Group.objects.filter(name__startswith=MEMBER_GROUP_PREFIX)


def member_company_name(user) -> str | None:
    """The company a signed-in member speaks for (from its group's name)."""
    if not user.is_authenticated:
        return None
    group = user.groups.filter(name__startswith=MEMBER_GROUP_PREFIX).order_by("name").first()
    return group.name.removeprefix(MEMBER_GROUP_PREFIX).strip() if group else None


def make_members_only(page: Page) -> PageViewRestriction:
    """Restrict a page (and its subpages) to every member company."""
    restriction, _ = PageViewRestriction.objects.get_or_create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(*member_groups())
    return restriction


def members_only_collection(parent: Collection, name: str) -> Collection:
    """The child collection ``name`` of ``parent`` that only member companies may open
    (made, with its restriction, the first time it is asked for)."""
    collection = parent.get_children().filter(name=name).first()
    if collection is None:
        collection = parent.add_child(name=name)
    restriction, _ = CollectionViewRestriction.objects.get_or_create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.add(*member_groups())
    return collection


def is_members_only(restriction) -> bool:
    """A group restriction (of a page or a collection) listing only member companies."""
    names = list(restriction.groups.values_list("name", flat=True))
    return bool(names) and all(name.startswith(MEMBER_GROUP_PREFIX) for name in names)


def admit_new_member_company(sender, instance: Group, created: bool, **kwargs) -> None:
    """A company that joins later can read every members-only page and file at once.

    Connected to the group's post_save in ``signal_handlers.connect``.
    """
    if not created or not instance.name.startswith(MEMBER_GROUP_PREFIX):
        return
    for model in (PageViewRestriction, CollectionViewRestriction):
        restrictions = model.objects.filter(restriction_type=model.GROUPS)
        for restriction in restrictions.prefetch_related("groups"):
            if is_members_only(restriction):
                restriction.groups.add(instance)
