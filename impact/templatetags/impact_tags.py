"""Chart, table and figure tags for case studies, metric pages and the dashboard.

The content app's story templates name these tags; they include none of the
impact app's templates.
"""

from __future__ import annotations

from django import template

from impact import charts

register = template.Library()


@register.inclusion_tag("impact/includes/results_chart.html")
def results_chart(results) -> dict:
    """A case study's results as an accessible inline SVG chart (the table holds the same
    numbers)."""
    return {"results": results, "chart": charts.results_chart(results)}


@register.inclusion_tag("impact/includes/results_table.html", takes_context=True)
def results_table(
    context,
    results,
    caption: str = "",
    table_class: str = "",
    counted: bool = False,
    by_story: bool = False,
    standalone: bool = False,
) -> dict:
    """The one table of measured results (see the template for what each option does)."""
    return {
        "request": context.get("request"),
        "results": results,
        "caption": caption,
        "table_class": table_class,
        "counted": counted,
        "by_story": by_story,
        "standalone": standalone,
    }


DIMENSIONS = {
    "industry": ("by_industry", "by industry", "Industries"),
    "intervention": ("by_intervention", "by intervention type", "Intervention types"),
    "year": ("by_year", "by year the result period ends", "Years"),
}


@register.inclusion_tag("impact/includes/group_chart.html")
def group_chart(summary, dimension: str) -> dict:
    """Bars of one metric's figures by a dimension; total change, or the median for
    units that do not add up."""
    attribute, by_what, plural = DIMENSIONS[dimension]
    measure = "total_change" if summary.additive else "median_change"
    measure_label = "total change" if summary.additive else "median change"
    metric = summary.metric
    groups = getattr(summary, attribute)
    return {
        "chart": charts.group_chart(groups, metric.unit, measure),
        "chart_id": f"chart-{metric.slug}-{dimension}",
        "title": f"{metric.name}: {measure_label} from baseline ({metric.unit}) {by_what}",
        "desc": f"{plural} with fewer than 3 case studies have no bar.",
    }
