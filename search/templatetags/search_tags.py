"""What the search app adds to the content app's pages: a search box and related practices.

The content app's templates load these tags and include nothing of the search app's
templates, so the search app can change its markup and ranking (``search.related``)
without the page models or templates knowing.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


# Stands for a hit's snippet in a card kept by ``_card`` (a private-use character, as the
# highlight markers in ``search.query`` are).
SNIPPET = "\ue002"


@register.simple_tag
def hit_card(hit) -> SafeString:
    """``search/includes/hit_card.html`` for a search hit (``search.query.Hit``).

    The same stories come back search after search, each with another snippet; rendering
    ten cards through the template engine was a third of a results page's rendering. So
    a card is rendered once per story as it then reads, with a stand-in for its snippet,
    and kept in this process; the snippet (escaped, with its marks) goes in its place.
    """
    card = _card(
        hit.type,
        hit.type_label,
        hit.industry,
        hit.url,
        hit.title,
        hit.image_url,
        hit.image_alt,
        hit.summary,
        bool(hit.highlight),
    )
    return mark_safe(card.replace(SNIPPET, hit.highlight)) if hit.highlight else card  # noqa: S308 - the snippet is escaped (search.query._marked)


@lru_cache(maxsize=2048)
def _card(story_type, type_label, industry, url, title, image_url, image_alt, summary, marked):
    hit = {
        "type": story_type,
        "type_label": type_label,
        "industry": industry,
        "url": url,
        "title": title,
        "image_url": image_url,
        "image_alt": image_alt,
        "summary": summary,
        "highlight": SNIPPET if marked else "",
    }
    return render_to_string("search/includes/hit_card.html", {"hit": hit})


@register.simple_tag
def facet_fieldsets(facets) -> SafeString:
    """The facet checkboxes with their counts (``search.query.FacetResult``).

    Written out here rather than in a template loop: a results page has some eighty facet
    values, and the template engine's per-variable work on them cost more than the rest
    of the page's rendering together.
    """
    parts: list[str] = []
    for facet in facets:
        param = escape(facet.param)
        parts.append(
            f'\n<fieldset class="facet" data-facet="{param}">\n'
            f"  <legend>{escape(facet.label)}</legend>\n  "
        )
        for number, item in enumerate(facet.values, start=1):
            empty = "" if item.count else " facet__value--empty"
            checked = " checked" if item.selected else ""
            parts.append(
                f'\n  <div class="facet__value{empty}">\n'
                f'    <input type="checkbox" id="facet-{param}-{number}" name="{param}" '
                f'value="{escape(item.value)}"{checked}>\n'
                f'    <label for="facet-{param}-{number}">{escape(item.label)} '
                f'<span class="facet__count" data-count>({int(item.count)})</span></label>\n'
                "  </div>\n  "
            )
        if not facet.values:
            parts.append('\n  <p class="facet__none">None in these results</p>\n  ')
        parts.append("\n</fieldset>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
