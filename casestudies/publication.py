"""Publication checks: how the capabilities above the content app have a say before publishing.

The content app must not import the apps built on it, yet no story may go live
unchecked. So a capability (the anonymity guard) registers a check here from its
``AppConfig.ready()``; ``StoryPage.publish`` runs every registered check, and
refuses to publish at all when none is registered: a portal started without its
guard fails closed rather than publishing whatever it is given. The system check
below says so at start-up, before any editor finds out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core import checks
from django.core.exceptions import PermissionDenied

# check(revision, *, user, log_action) -> bool: True lets the revision go live,
# False holds it back quietly (a scheduled go-live), raising refuses it loudly.
PublicationCheck = Callable[..., bool]

_checks: list[PublicationCheck] = []


class PublicationUnchecked(PermissionDenied):
    """Nothing is registered to check stories before they go live, so none may go live."""

    def __init__(self):
        super().__init__(
            "Not published: no publication check is registered (is the anonymity app "
            "installed?), and stories are never published unchecked."
        )


def register_publication_check(check: PublicationCheck) -> PublicationCheck:
    """Add a check every story revision must pass to go live (idempotent)."""
    if check not in _checks:
        _checks.append(check)
    return check


def registered_publication_checks() -> tuple[PublicationCheck, ...]:
    return tuple(_checks)


def may_publish(revision, *, user=None, log_action=None) -> bool:
    """Whether a story revision may go live now; raises when a check refuses it outright."""
    if not _checks:
        raise PublicationUnchecked()
    return all(check(revision, user=user, log_action=log_action) for check in _checks)


@checks.register(checks.Tags.security)
def publication_checks_are_registered(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if _checks:
        return []
    return [
        checks.Error(
            "No publication check is registered: every story would be refused at publish.",
            hint="Install the 'anonymity' app; its AppConfig.ready() registers the guard "
            "with casestudies.publication.register_publication_check().",
            id="casestudies.E001",
        )
    ]
