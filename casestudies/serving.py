"""Story pages found by their address without a query, while the content stays as it was.

Routing a story's address reads its row with the rows it shows in one query
(``ChildRoutingInOneQuery``), and then its view restrictions in another: building them
costs about a third of a story page rendered for someone with a session (a member, an
editor, anyone who once signed in), whom the page cache never answers. The answer
changes only when content does, and the content app does not know when that is: the
capability that does (perf's content generation, which every publish, unpublish, move,
privacy or vocabulary change moves on) registers a *content version* here from its
``AppConfig.ready()``. With none registered every address is routed by the database.

Only a public story is kept, with its view restrictions (none): nothing members-only is
stored in a shared cache, and the restriction check stays exact for as long as the
version holds, since a privacy change moves it on. The version is read before the
database is, so a page read before a change is never kept under the version after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest
from wagtail.models import Page

# version(request) -> a value that changes whenever any published content does.
ContentVersion = Callable[[HttpRequest], object]

KEPT_SECONDS = 600

_version: list[ContentVersion] = []


def register_content_version(version: ContentVersion) -> ContentVersion:
    """Let routed public stories be kept under ``version`` (one provider; the last wins)."""
    _version[:] = [version]
    return version


def kept_page(request: HttpRequest | None, url_path: str, find: Callable[[], Page | None]):
    """The page ``find`` reads for ``url_path``, kept while the content version holds."""
    if not _version or request is None:
        return find()
    digest = hashlib.sha256(url_path.encode()).hexdigest()[:40]
    key = f"casestudies:page-at:{_version[0](request)}:{digest}"
    page = cache.get(key)
    if page is not None:
        return page
    page = find()
    if page is not None and _keepable(page):
        cache.set(key, page, KEPT_SECONDS)
    return page


def _keepable(page: Page) -> bool:
    """Public (``StoryPage.is_public``: live, no restriction on it or above it)."""
    is_public = getattr(page, "is_public", None)
    return callable(is_public) and is_public()
