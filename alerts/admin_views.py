"""The followed-searches report in the Wagtail admin."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .reports import followed_searches, recently_sent

PERMISSION = "alerts.view_followedsearch"


class FollowedSearchReportView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Followed searches"
    header_icon = "mail"
    template_name = "alerts/admin/followed_searches.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "searches": followed_searches(),
            "sent": recently_sent(),
        }
