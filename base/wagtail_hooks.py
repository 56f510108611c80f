"""Members-only pages and files look exactly like missing ones to everybody else.

Wagtail answers a page or document under a login or group view restriction
with a redirect to the sign-in form, which tells an outsider that something
exists at that address (and, for a story, that a member company wrote it).
These hooks answer 404 instead, through the same handler as any unknown
address (``base.views.page_not_found``), whose page offers the member sign-in
on every 404 so nothing distinguishes the two. Password restrictions keep
Wagtail's own form: the portal does not use them, and a password prompt is
not a leak of membership.
"""

from __future__ import annotations

from wagtail import hooks

from .private_media import refuse_as_missing


@hooks.register("before_serve_page", order=-100)
def hide_restricted_page(page, request, serve_args, serve_kwargs):
    # Runs before Wagtail's own check (an ``on_serve_page`` hook that redirects to sign in),
    # which then reads the restrictions kept here instead of querying them again.
    restrictions = list(page.get_view_restrictions())
    page.get_view_restrictions = lambda: restrictions
    refuse_as_missing(restrictions, request)


@hooks.register("before_serve_document", order=-100)
def hide_restricted_document(document, request):
    # Before Wagtail's check_view_restrictions, which would redirect to sign in.
    refuse_as_missing(document.collection.get_view_restrictions(), request)
