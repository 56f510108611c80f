"""Related practices on a story page, pulled in by its template.

The search app ranks them (``search.related``); the page model does not know
they exist, so the content app depends on no search code.
"""

from __future__ import annotations

from django import template

from ..query import Hit
from ..related import related_for

register = template.Library()


@register.simple_tag(takes_context=True)
def related_practices(context, page, limit: int = 4) -> list[Hit]:
    """Stories like ``page`` that this visitor may see; empty when search is unavailable."""
    return related_for(page, context.get("request"), limit=limit)
