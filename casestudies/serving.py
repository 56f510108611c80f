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

Parts of a public story's page that every reader of the public audience is shown alike
(its citation panel, its related practices) are kept the same way (``kept_part``): a
member's, an editor's or a returning visitor's view of the page, which the page cache
never answers, then reads them rather than rendering them again.

Each process also holds what it read or kept under the current version in memory
(``_ProcessCopy``), so a repeat view does not ask the cache again: the version is read
once per request anyway, and an entry is only used under the version it was kept under,
so the copy is exactly as fresh as the shared cache. A page is held as its pickle and
unpickled for each request, as the shared cache hands it out: requests never share a page
object (serving annotates it).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import models
from django.http import HttpRequest
from wagtail.models import Page

logger = logging.getLogger(__name__)

# version(request) -> a value that changes whenever any published content does.
ContentVersion = Callable[[HttpRequest], object]

KEPT_SECONDS = 600

_version: list[ContentVersion] = []

# Entries this process holds for the current version (a story's page and its parts are
# five or six, 8 KB each on average): the stories a busy process serves between two
# publishes, bounded (about 8 MB; emptied when full) so memory does not grow with the corpus.
PROCESS_ENTRIES = 1024


class _ProcessCopy:
    """What this process read or kept under one content version, for ``KEPT_SECONDS``."""

    def __init__(self, version: object = None):
        self.version, self.since, self.entries = version, time.monotonic(), {}

    def holds(self, version: object) -> bool:
        return self.version == version and time.monotonic() - self.since < KEPT_SECONDS


_copy = _ProcessCopy()
_copy_lock = threading.Lock()


def _held(version: object, key: str):
    copy = _copy
    return copy.entries.get(key) if copy.holds(version) else None


def _hold(version: object, key: str, value) -> None:
    global _copy
    with _copy_lock:
        if not _copy.holds(version) or len(_copy.entries) >= PROCESS_ENTRIES:
            _copy = _ProcessCopy(version)
        _copy.entries[key] = value


def forget_process_copy(**kwargs) -> None:
    """Drop this process's copy (the cache settings changed: a test, a new backend)."""
    global _copy
    _copy = _ProcessCopy()


setting_changed.connect(forget_process_copy, dispatch_uid="casestudies-serving-copy")


def register_content_version(version: ContentVersion) -> ContentVersion:
    """Let routed public stories be kept under ``version`` (one provider; the last wins)."""
    _version[:] = [version]
    return version


def kept_page(request: HttpRequest | None, url_path: str, find: Callable[[], Page | None]):
    """The page ``find`` reads for ``url_path``, kept while the content version holds."""
    if not _version or request is None:
        return find()
    version = _version[0](request)
    digest = hashlib.sha256(url_path.encode()).hexdigest()[:40]
    key = f"casestudies:page-at:{version}:{digest}"
    held = _held(version, key)
    if held is not None:
        return pickle.loads(held)  # noqa: S301 - pickled by this process
    page = _kept_by_this_code(key)
    if page is None:
        page = find()
        if page is None or not _keepable(page):
            return page
        cache.set(key, page, KEPT_SECONDS)
    _hold(version, key, pickle.dumps(page, pickle.HIGHEST_PROTOCOL))
    return page


# What unpickling a page raises when the code that kept it had other classes: a model,
# block or module renamed or removed since (Django looks models up by app and name).
_FOREIGN_PICKLE = (
    AttributeError, EOFError, ImportError, LookupError, pickle.UnpicklingError, TypeError,
    ValueError,
)  # fmt: skip


def _kept_by_this_code(key: str) -> Page | None:
    """The page kept under ``key``, or None when it is not there or was kept by other code.

    A deploy does not move the content version, so the shared cache still holds pages
    that processes running the previous code pickled, for up to ``KEPT_SECONDS``. One
    that no longer unpickles, or lacks a column its model now has (a field added or
    renamed: Django would quietly read each from the database, one query per field on
    every view), is read again and kept anew rather than served.
    """
    try:
        page = cache.get(key)
    except _FOREIGN_PICKLE as exc:
        logger.info("kept page %s not readable by this code (%s)", key, type(exc).__name__)
        return None
    if page is None or not _complete(page):
        return None
    return page


def _complete(page: Page) -> bool:
    """Every column of the page's model, and of each row read with it, is on the object."""
    if not isinstance(page, Page) or page.get_deferred_fields():
        return False
    related = page._state.fields_cache.values()
    return not any(isinstance(row, models.Model) and row.get_deferred_fields() for row in related)


def kept_part(
    request: HttpRequest | None, page: Page, name: str, render: Callable[[], str], *extra
) -> str:
    """HTML ``render`` writes for a part of ``page``, kept while the content version holds.

    The caller vouches that the part is the same for every reader it asks this for (the
    public audience; ``extra`` names whatever else it depends on, such as the day). Kept
    only for a public page, never for a preview (a draft shares the live page's id but not
    its content), and never empty: a part that could not be rendered in full (related
    practices while search is down) comes out empty and is tried again on the next view.
    """
    if not _version or request is None or getattr(request, "is_preview", False):
        return render()
    if not _keepable(page):
        return render()
    version = _version[0](request)
    published = page.last_published_at.isoformat() if page.last_published_at else ""
    key = "casestudies:part:" + ":".join(map(str, (version, name, page.pk, published, *extra)))
    html = _held(version, key)
    if html is not None:
        return html
    html = cache.get(key)
    if html is None:
        html = render()
        if not html.strip():
            return html
        cache.set(key, html, KEPT_SECONDS)
    _hold(version, key, html)
    return html


def kept_for_version(request: HttpRequest | None, name: str, compute: Callable[[], object]):
    """What ``compute`` answers for the whole site (not one page), held in this process
    while the content version holds: the navigation's listing addresses, say."""
    if not _version or request is None:
        return compute()
    version = _version[0](request)
    key = f"casestudies:site:{name}"
    value = _held(version, key)
    if value is None:
        value = compute()
        _hold(version, key, value)
    return value


def _keepable(page: Page) -> bool:
    """Public (``StoryPage.is_public``: live, no restriction on it or above it)."""
    is_public = getattr(page, "is_public", None)
    return callable(is_public) and is_public()
