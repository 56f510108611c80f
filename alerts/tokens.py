"""Signed links: confirm a followed search, manage an address's searches, unsubscribe.

Tokens carry row ids and a short hash of the address, never the address itself, so a
link in a log line or a browser history does not reveal who follows what. Each kind has
its own salt: a manage link cannot be replayed as an unsubscribe link.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core import signing

CONFIRM_MAX_AGE = timedelta(days=3)
MANAGE_MAX_AGE = timedelta(days=90)
# One-click unsubscribe must keep working from an old message (RFC 8058).
UNSUBSCRIBE_MAX_AGE = timedelta(days=400)

CONFIRM, MANAGE, UNSUBSCRIBE = "alerts.confirm", "alerts.manage", "alerts.unsubscribe"
MAX_AGES = {CONFIRM: CONFIRM_MAX_AGE, MANAGE: MANAGE_MAX_AGE, UNSUBSCRIBE: UNSUBSCRIBE_MAX_AGE}


class LinkExpired(Exception):
    """A genuine link, too old."""


class LinkInvalid(Exception):
    """Not a link this portal made (or mangled on the way)."""


def address_hash(email: str) -> str:
    raw = f"{settings.SECRET_KEY}:{email.lower()}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def make(kind: str, follower, search_ids: list[int] | None = None) -> str:
    payload = {"f": follower.pk, "h": address_hash(follower.email)}
    if search_ids is not None:
        payload["s"] = list(search_ids)
    return signing.dumps(payload, salt=kind, compress=True)


def read(kind: str, token: str) -> dict:
    """The payload of a link of this kind; ``LinkExpired`` or ``LinkInvalid`` otherwise."""
    try:
        return signing.loads(token, salt=kind, max_age=MAX_AGES[kind])
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc


def follower_for(kind: str, token: str):
    """The follower a link was made for, or None once the address has unsubscribed."""
    from .models import Follower

    payload = read(kind, token)
    follower = Follower.objects.filter(pk=payload.get("f")).first()
    if follower is None or address_hash(follower.email) != payload.get("h"):
        return None, payload
    return follower, payload
