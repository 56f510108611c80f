from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from anonymity import views as member_views
from base import login as base_login
from base import views as base_views
from base.private_media import serve_private_image
from perf.responses import SITEMAP, cacheable

from . import views as portal_views

# One 404 page for unknown and members-only addresses alike (base/wagtail_hooks.py).
handler404 = "base.views.page_not_found"

urlpatterns = [
    # Wagtail's admin sign-in, answering 429 once throttled (base/login.py); matched first.
    path("admin/login/", base_login.admin_sign_in),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("health/", portal_views.health, name="health"),
    # Members-only images (private collections): served after checking who asks.
    path("members-media/<path:name>", serve_private_image, name="private_image"),
    path("robots.txt", base_views.robots_txt, name="robots_txt"),
    # Served from the anonymous cache (perf.responses): the sitemap index, and each file
    # it lists (?p= is Django's page of a section, at most 50,000 URLs each).
    path("sitemap.xml", cacheable(SITEMAP, [])(base_views.sitemap_index), name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        cacheable(SITEMAP, ["p"])(base_views.sitemap_section),
        name="sitemap_section",
    ),
    path("search/", include("search.urls")),
    # Members reset a forgotten password by e-mail through Django's own views.
    path(
        "accounts/password-reset/",
        member_views.MemberPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="anonymity/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="anonymity/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="anonymity/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("", include("anonymity.urls")),
    path("", include("embeds.urls")),
    path("", include("impact.urls")),
    path("", include("alerts.urls")),
    path("", include("playbooks.urls")),
]

if settings.DEBUG:
    from django.urls import re_path
    from django.views.static import serve

    # Everything in MEDIA_ROOT but private/ (members-only files; base/private_media.py).
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?!private/)(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [
    # Wagtail's front-end sign-in, with failed attempts counted (base/login.py); same
    # address and name, matched before Wagtail's own.
    path("_util/login/", base_login.member_sign_in, name="wagtailcore_login"),
    path("", include(wagtail_urls)),
]
