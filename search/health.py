"""Search availability for /health/: a fast check the load balancer can poll."""

from __future__ import annotations

from django.conf import settings
from elastic_transport import TransportError
from elasticsearch import ApiError

from .documents import alias_name, client
from .indexing import mapping_status


def search_status() -> dict:
    """``{"ok": bool, "detail": str}``; ok only when the story index answers.

    No document count: the index holds members-only stories too, so its size
    minus the public API's count would say how many there are. ``detail`` is
    for the log, not for the public answer.

    An index built with an older mapping still answers, so search stays ok (a load
    balancer must not take the site out while a rebuild runs) and ``detail`` asks for
    the rebuild.
    """
    timeout = float(settings.SEARCH_HEALTH_TIMEOUT_SECONDS)
    es = client(timeout=timeout)
    alias = alias_name()
    try:
        if not es.indices.exists_alias(name=alias):
            return {
                "ok": False,
                "detail": f"no index behind '{alias}': run manage.py search_index rebuild",
            }
        es.count(index=alias)  # the index answers queries (its shards are up); size not shown
        mapping = mapping_status(es)
    except (TransportError, ApiError) as exc:
        return {"ok": False, "detail": f"unreachable ({exc.__class__.__name__})"}
    return {"ok": True, "detail": mapping["message"] or "ok"}
