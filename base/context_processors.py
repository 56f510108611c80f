from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

# The stylesheet and script of every page (base.html), by the name it uses.
SITE_ASSETS = {"css": "css/portal.css", "js": "js/portal.js"}
# Where every page's header links to (base.html), by the name it uses.
SITE_ROUTES = {"sign_in": "wagtailcore_login", "sign_out": "logout", "share": "share_your_practice"}


def portal(request):
    """Site-wide values every template needs (canonical base URL, site name, the site's
    stylesheet, script and header links)."""
    return {
        "SITE_URL": settings.SITE_URL,
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "SITE_ASSETS": static_urls(SITE_ASSETS),
        "SITE_ADDRESSES": reversed_routes(SITE_ROUTES),
    }


def static_urls(assets: Mapping[str, str]) -> Mapping[str, str]:
    """The URLs of ``assets`` (name → static path): the same for every page a process answers.

    ``{% static %}`` asked the static files storage (its manifest, in production) for a
    file's URL on every page, about 0.07 ms a tag in process; the manifest is read once per
    process anyway, so its answers are kept with the storage and URL they came from.
    """
    storage = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    return _static_urls(tuple(assets.items()), settings.STATIC_URL, storage, get_script_prefix())


@lru_cache(maxsize=16)
def _static_urls(
    assets: tuple[tuple[str, str], ...], static_url: str, storage: str, script_prefix: str
) -> Mapping[str, str]:
    return MappingProxyType({name: static(path) for name, path in assets})


def reversed_routes(routes: Mapping[str, str]) -> Mapping[str, str]:
    """``routes`` (name → URL name) reversed: the same for every page a process answers.

    Reversing them on every page (``{% url %}``, about 0.07 ms each) was work repeated for
    an answer that changes only with the URL configuration or script prefix.
    """
    return _reversed(
        tuple(routes.items()), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix()
    )


@lru_cache(maxsize=16)
def _reversed(
    routes: tuple[tuple[str, str], ...], root_urlconf: str, urlconf: str | None, script_prefix: str
) -> Mapping[str, str]:
    return MappingProxyType({name: reverse(route) for name, route in routes})
