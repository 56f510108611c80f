"""The shape of an admin report page a capability adds to Wagtail's Reports menu."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


class AdminReportView(WagtailAdminTemplateMixin, TemplateView):
    """A read-only page in the Wagtail admin, for holders of ``permission`` only.

    A report is granted per group (Settings › Groups), not to every editor: a subclass
    names its permission, title, icon and template, and adds its figures in
    ``get_context_data``.
    """

    permission: str = ""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
