"""Admin report: live stories whose published text holds a term confidential since."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from .guard import Leak, stale_leaks


@dataclass
class StaleStory:
    page: object
    leaks: list[Leak]

    @property
    def pk(self) -> int:
        return self.page.pk

    @property
    def title(self) -> str:
        return self.page.title

    @property
    def where(self) -> str:
        return "; ".join(str(leak) for leak in self.leaks)


def stale_stories() -> list[StaleStory]:
    """Live stories whose published revision now contains a forbidden term.

    Publishing refuses such content, so these are pages published before a
    term was added to the page or to the denylist: someone must edit or
    unpublish them.
    """
    from casestudies.models import StoryPage

    rows = []
    for model in apps.get_models():
        if issubclass(model, StoryPage):
            for page in model.objects.live().order_by("title"):
                leaks = stale_leaks(page)
                if leaks:
                    rows.append(StaleStory(page, leaks))
    return rows


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
            get_url=lambda row: reverse("wagtailadmin_pages:edit", args=[row.pk]),
        ),
        Column("where", label="Where the terms appear"),
    ]

    def get_queryset(self):
        return stale_stories()
