"""Admin report: live stories whose published text holds a term confidential since."""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from .models import ConfidentialTermFinding


def stale_stories():
    """Live stories whose published revision now contains a forbidden term.

    Publishing refuses such content and a new denylist term takes offending
    stories down (anonymity.recheck), so these are stories whose editors have
    since marked a term confidential in a draft: someone must edit or unpublish
    them. The findings are kept current as drafts are saved and stories are
    published, so listing them is one query per page of results.
    """
    return ConfidentialTermFinding.objects.select_related("page").order_by("page__title", "page_id")


class StaleConfidentialContentReport(ReportView):
    page_title = "Confidential terms on live pages"
    header_icon = "warning"
    index_url_name = "anonymity_stale_report"
    index_results_url_name = "anonymity_stale_report_results"
    list_export: list[str] = []
    columns = [
        TitleColumn(
            "title",
            label="Page",
            accessor="page.title",
            get_url=lambda row: reverse("wagtailadmin_pages:edit", args=[row.page_id]),
        ),
        Column("where", label="Where the terms appear", accessor=str),
    ]

    def get_queryset(self):
        return stale_stories()
