"""Search availability for /health/: a fast check the load balancer can poll."""

from __future__ import annotations

import time

from django.conf import settings
from elastic_transport import TransportError
from elasticsearch import ApiError

from .documents import alias_name, client
from .indexing import mapping_status

# How long a process trusts the mapping verdict it read for the same indices. A mapping
# only changes with a rebuild, which puts a new index behind the alias (and so is seen
# at the next poll); this bounds what a mapping edited by hand in place goes unnoticed.
MAPPING_RECHECK_SECONDS = 300

# (indices it was read for, its message, when): replaced whole, so threads read one verdict.
_mapping_verdict: tuple = ((), None, 0.0)


def search_status() -> dict:
    """``{"ok": bool, "detail": str}``; ok only when the story index answers.

    Two small requests per poll, whose answers say at once whether the engine is up:
    which indices the alias names, and a count over them (the index answers queries:
    its shards are up). The mapping check reads every index's whole mapping and hashes
    this code's, which costs more than the rest of the poll together; its verdict only
    changes with the indices behind the alias, so each process asks again only when
    they are others (a rebuild), or after ``MAPPING_RECHECK_SECONDS``.

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
        behind = es.options(ignore_status=404).indices.get_alias(name=alias)
        if behind.meta.status == 404 or not behind.body:
            return {
                "ok": False,
                "detail": f"no index behind '{alias}': run manage.py search_index rebuild",
            }
        es.count(index=alias)  # the index answers queries (its shards are up); size not shown
        message = _mapping_message(es, (settings.ELASTICSEARCH_URL, alias, *sorted(behind.body)))
    except (TransportError, ApiError) as exc:
        return {"ok": False, "detail": f"unreachable ({exc.__class__.__name__})"}
    return {"ok": True, "detail": message or "ok"}


def _mapping_message(es, indices: tuple) -> str | None:
    """``mapping_status``'s message for these indices, read once per process for them."""
    global _mapping_verdict
    read_for, message, at = _mapping_verdict
    if read_for == indices and time.monotonic() - at < MAPPING_RECHECK_SECONDS:
        return message
    message = mapping_status(es)["message"]
    _mapping_verdict = (indices, message, time.monotonic())
    return message
