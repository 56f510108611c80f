"""System checks: the portal refuses to start with its anonymity guard unwired."""

from __future__ import annotations

from django.core import checks


@checks.register(checks.Tags.security)
def guard_is_wired(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The guard on the publish path and the backstop behind it must both be connected.

    The content app fails closed on its own when no publication check is
    registered (casestudies.E001); this one names the missing anonymity part.
    """
    from .signal_handlers import is_connected

    if is_connected():
        return []
    return [
        checks.Error(
            "The anonymity guard is not wired: stories could go live unchecked, or a leak "
            "on a live story would stay up.",
            hint="AnonymityConfig.ready() must call anonymity.signal_handlers.connect().",
            id="anonymity.E001",
        )
    ]
