"""Parts of a public page rendered once per publication and kept in the cache.

A signed-in visitor's page is never cached whole (members may see members-only
stories, and the header carries their sign-out form), yet most of a public story
page is the same for everyone. ``{% public_part page "name" %}…{% endpublic_part %}``
keeps the enclosed HTML under the page cache's generation and the page's
publication time (``casestudies.serving.kept_part``), so any publish, unpublish, privacy or
vocabulary change makes a new key, and that HTML is served to the next reader
instead of being rendered again.

Only what is the same for every reader may go inside: nothing that depends on the
visitor (related practices, a members-only link), on the day (the citation's
"accessed" date) or on the request (the CSP nonce). Never stored for a page that is
not public (nothing members-only reaches a shared cache) nor for a preview (a draft
shares the live page's key but not its content).
"""

from __future__ import annotations

from django import template

from casestudies.serving import kept_part

register = template.Library()


class PublicPartNode(template.Node):
    def __init__(self, page: template.base.FilterExpression, name: str, nodelist):
        self.page, self.name, self.nodelist = page, name, nodelist

    def render(self, context) -> str:
        page = self.page.resolve(context)
        if page is None:
            return self.nodelist.render(context)
        # Kept like the content app's own parts (casestudies.serving): public pages only,
        # never a preview, under the content version (this app's generation).
        return kept_part(
            context.get("request"),
            page,
            f"public-part:{self.name}",
            lambda: self.nodelist.render(context),
        )


@register.tag
def public_part(parser, token) -> PublicPartNode:
    """``{% public_part page "name" %}…{% endpublic_part %}``: see the module docstring."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[2][0] not in "\"'" or bits[2][-1] != bits[2][0]:
        raise template.TemplateSyntaxError(
            f'{bits[0]} takes a page and a quoted part name: {{% {bits[0]} page "story" %}}'
        )
    nodelist = parser.parse(("endpublic_part",))
    parser.delete_first_token()
    return PublicPartNode(parser.compile_filter(bits[1]), bits[2][1:-1], nodelist)
