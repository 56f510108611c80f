"""Operational endpoints: health, robots and the sitemap."""

from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap

from search.health import search_status


class PublicSitemap(Sitemap):
    """Wagtail's sitemap already lists only live pages without view restrictions."""


@never_cache
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means "unhealthy"
        database = {"ok": False, "detail": exc.__class__.__name__}
    search = search_status()
    healthy = database["ok"] and search["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "search": search},
        status=200 if healthy else 503,
    )


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /embed/",
        "Disallow: /search/suggest/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def sitemap(request):
    return django_sitemap(request, sitemaps={"pages": PublicSitemap(request)})
