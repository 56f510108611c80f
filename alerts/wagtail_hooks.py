from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import PERMISSION, FollowedSearchReportView


@hooks.register("register_admin_urls")
def register_followed_searches_report_url():
    return [
        path(
            "reports/followed-searches/",
            FollowedSearchReportView.as_view(),
            name="alerts_followed_searches_report",
        )
    ]


class FollowedSearchesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_reports_menu_item")
def register_followed_searches_menu_item():
    return FollowedSearchesMenuItem(
        "Followed searches",
        reverse("alerts_followed_searches_report"),
        icon_name="mail",
        order=910,
    )


@hooks.register("register_permissions")
def register_followed_searches_permission():
    """So that an editors' group can be given the report in Settings › Groups."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="alerts", codename="view_followedsearch"
    )
