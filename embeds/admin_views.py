"""The partner report page in the Wagtail admin."""

from __future__ import annotations

from base.admin_views import AdminReportView

from .reports import partner_report

PERMISSION = "embeds.view_partneractivity"
PERIODS = (3, 12, 24)


class PartnerReportView(AdminReportView):
    permission = PERMISSION
    page_title = "Partner report"
    header_icon = "site"
    template_name = "embeds/admin/partner_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("months", "12")
        months = int(raw) if raw.isdigit() and int(raw) in PERIODS else 12
        context.update(partner_report(months), months=months, periods=PERIODS)
        return context
