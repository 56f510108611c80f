"""Search availability for /health/: a fast check the load balancer can poll."""

from __future__ import annotations

from django.conf import settings
from elastic_transport import TransportError
from elasticsearch import ApiError

from .documents import alias_name, client


def search_status() -> dict:
    """``{"ok": bool, "detail": str, ...}``; ok only when the story index answers."""
    timeout = float(settings.SEARCH_HEALTH_TIMEOUT_SECONDS)
    es = client(timeout=timeout)
    alias = alias_name()
    try:
        if not es.indices.exists_alias(name=alias):
            return {
                "ok": False,
                "detail": f"no index behind '{alias}': run manage.py search_index rebuild",
            }
        documents = es.count(index=alias)["count"]
    except (TransportError, ApiError) as exc:
        return {"ok": False, "detail": f"unreachable ({exc.__class__.__name__})"}
    return {"ok": True, "detail": "ok", "documents": documents}
