"""What the search app adds to the content app's pages: a search box and related practices.

The content app's templates load these tags and include nothing of the search app's
templates, so the search app can change its markup and ranking (``search.related``)
without the page models or templates knowing.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.utils.formats import localize
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
    card = _card(*_card_fields(hit))
    return mark_safe(card.replace(SNIPPET, hit.highlight)) if hit.highlight else card  # noqa: S308 - the snippet is escaped (search.query._marked)


@register.simple_tag
def search_hit(hit) -> SafeString:
    """``search/includes/search_hit.html``: a hit on the search page, its card and its
    compare box.

    Kept per story as ``hit_card`` keeps a card, with the same stand-in for its snippet:
    everything but the snippet is the story's own, and ten results through the template
    engine cost more than the rest of the results page's rendering.
    """
    html = _search_hit(hit.id, *_card_fields(hit))
    return mark_safe(html.replace(SNIPPET, hit.highlight)) if hit.highlight else html  # noqa: S308 - the snippet is escaped (search.query._marked)


def _card_fields(hit) -> tuple:
    return (
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


@lru_cache(maxsize=2048)
def _search_hit(story_id: int, *card_fields) -> SafeString:
    context = {"id": story_id, "title": card_fields[4], "card": _card(*card_fields)}
    return render_to_string("search/includes/search_hit.html", context)


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


@register.simple_tag(takes_context=True)
def result_count(context) -> str:
    """What the search page's ``#result-count`` announces: "59 results, page 1 of 6 for
    “recruitment fees”", "No results for …", or that search is unavailable.

    A tag rather than an include: the include's template and its seven lookups cost
    more than a tenth of a millisecond on every search page for one short sentence.
    The query is escaped with the rest of the sentence (``simple_tag``).
    """
    if context.get("unavailable"):
        return "Search is temporarily unavailable."
    results = context.get("results")
    if not results:
        return ""
    if results.total == 0:
        text = "No results"
    else:
        text = f"{localize(results.total)} result{pluralize(results.total)}"
        if results.num_pages > 1:
            text += f", page {localize(results.page)} of {localize(results.num_pages)}"
    query = context.get("query")
    return f"{text} for “{query}”" if query else text


@register.simple_tag
def facet_fieldsets(facets) -> SafeString:
    """The facet checkboxes with their counts (``search.query.FacetResult``).

    Written out here rather than in a template loop: a results page has some eighty facet
    values, and the template engine's per-variable work on them cost more than the rest
    of the page's rendering together. A value's escaped markup is kept in this process
    (``_facet_value``); only its count and checked state change from search to search.
    """
    parts: list[str] = []
    for facet in facets:
        parts.append(_facet_start(facet.param, facet.label))
        for number, item in enumerate(facet.values, start=1):
            checkbox, label = _facet_value(facet.param, number, item.value, item.label)
            parts.append(
                f'\n  <div class="facet__value{"" if item.count else " facet__value--empty"}">'
                f"{checkbox}{' checked' if item.selected else ''}>{label}({int(item.count)})"
                "</span></label>\n  </div>\n  "
            )
        if not facet.values:
            parts.append('\n  <p class="facet__none">None in these results</p>\n  ')
        parts.append("\n</fieldset>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@lru_cache(maxsize=64)
def _facet_start(param: str, label: str) -> str:
    return (
        f'\n<fieldset class="facet" data-facet="{escape(param)}">\n'
        f"  <legend>{escape(label)}</legend>\n  "
    )


@lru_cache(maxsize=4096)
def _facet_value(param: str, number: int, value: str, label: str) -> tuple[str, str]:
    """A facet value's checkbox up to its checked state, and its label up to its count."""
    param = escape(param)
    checkbox = (
        f'\n    <input type="checkbox" id="facet-{param}-{number}" name="{param}" '
        f'value="{escape(value)}"'
    )
    label_start = (
        f'\n    <label for="facet-{param}-{number}">{escape(label)} '
        '<span class="facet__count" data-count>'
    )
    return checkbox, label_start
