"""Views of the site as a whole: they report on every service the portal runs on."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from search.health import search_status

logger = logging.getLogger("portal")


@never_cache
def health(request):
    """For the load balancer: up or down, nothing else (no counts, no names, no errors).

    Document counts would tell outsiders how many members-only stories exist
    (index total minus the API's); the reasons for a failure go to the log.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok = True
    except Exception as exc:  # noqa: BLE001 - any failure means "unhealthy"
        logger.warning("health: database down (%s)", exc.__class__.__name__)
        database_ok = False
    search = search_status()
    if not search["ok"]:
        logger.warning("health: search down (%s)", search["detail"])
    elif search["detail"] != "ok":
        logger.warning("health: search up, but %s", search["detail"])
    healthy = database_ok and search["ok"]
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": {"ok": database_ok},
            "search": {"ok": search["ok"]},
        },
        status=200 if healthy else 503,
    )
