from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import PERMISSION, PartnerReportView


@hooks.register("register_admin_urls")
def register_partner_report_url():
    return [path("reports/partners/", PartnerReportView.as_view(), name="embeds_partner_report")]


class PartnerReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_reports_menu_item")
def register_partner_report_menu_item():
    return PartnerReportMenuItem(
        "Partners", reverse("embeds_partner_report"), icon_name="site", order=900
    )
