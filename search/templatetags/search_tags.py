"""What the search app adds to the content app's pages: a search box and related practices.

The content app's templates load these tags and include nothing of the search app's
templates, so the search app can change its markup and ranking (``search.related``)
without the page models or templates knowing.
"""

from __future__ import annotations

from django import template

from ..related import related_for

register = template.Library()


@register.inclusion_tag("search/includes/search_form.html")
def search_box(form_id: str, input_id: str, label: str) -> dict:
    """The search form with suggestions as you type (search.js), empty."""
    return {"form_id": form_id, "input_id": input_id, "label": label, "query": ""}


@register.inclusion_tag("search/includes/related.html", takes_context=True)
def related_practices(context, page, limit: int = 4) -> dict:
    """Stories like ``page`` that this visitor may see; nothing when search is unavailable."""
    return {"related": related_for(page, context.get("request"), limit=limit)}
