"""The story export's columns, for the data dictionary (``/data/``) to document them.

The columns are defined once, next to the code that writes them (``embeds.export``);
the open-data page pulls them in through this tag and knows nothing else of embeds.
"""

from django import template

from embeds.export import EXPORT_COLUMNS

register = template.Library()


@register.simple_tag
def story_export_columns() -> list[tuple[str, str]]:
    return EXPORT_COLUMNS
