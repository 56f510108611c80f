"""The followed-searches report in the Wagtail admin."""

from __future__ import annotations

from base.admin_views import AdminReportView

from .reports import followed_searches, recently_sent

PERMISSION = "alerts.view_followedsearch"


class FollowedSearchReportView(AdminReportView):
    permission = PERMISSION
    page_title = "Followed searches"
    header_icon = "mail"
    template_name = "alerts/admin/followed_searches.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "searches": followed_searches(),
            "sent": recently_sent(),
        }
