"""The one way a template writes a figure (see ``casestudies.figures``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from casestudies.figures import Band, format_figure

register = template.Library()


@register.filter
def figure(value: Decimal | Band | None) -> str:
    return format_figure(value)
