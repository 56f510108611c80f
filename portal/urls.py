from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from base import views as base_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("health/", base_views.health, name="health"),
    path("robots.txt", base_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", base_views.sitemap, name="sitemap"),
    path("search/", include("search.urls")),
    path("", include("anonymity.urls")),
    path("", include("embeds.urls")),
    path("", include("impact.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
