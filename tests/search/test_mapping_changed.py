"""An index built with an older mapping is named, with what to do, until it is rebuilt.

Each index records the fingerprint of the mapping it was built with; ``search_index
status`` and the health check compare it with this release's. Search keeps answering on
the older index meanwhile: the rebuild is the operator's to run, not an outage.
"""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.core.management import call_command

from search import query
from search.documents import alias_name, index_body
from search.documents import client as search_client
from search.indexing import FINGERPRINT_KEY, mapping_fingerprint
from tests.search.helpers import story

pytestmark = pytest.mark.django_db


def older_mapping_message() -> str:
    return (
        f"the index behind '{alias_name()}' was built with an older mapping: "
        "run manage.py search_index rebuild"
    )


def search_index_status() -> str:
    out = StringIO()
    call_command("search_index", "status", stdout=out)
    return out.getvalue()


def rebuild() -> None:
    call_command("search_index", "rebuild", stdout=StringIO(), stderr=StringIO())


def health_warnings(client, caplog) -> list[str]:
    """What /health/ logs for the operator; its public answer says only up (200) or down."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portal"):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": {"ok": True}, "search": {"ok": True}}
    return [r.getMessage() for r in caplog.records if r.name == "portal"]


def without_offsets(mapping: dict) -> dict:
    """An earlier release's mapping: the same fields, without offsets on highlighted ones
    and without the body's term vectors (which its snippets come from now)."""
    return {
        key: without_offsets(value) if isinstance(value, dict) else value
        for key, value in mapping.items()
        if key not in ("index_options", "term_vector")
    }


def test_a_freshly_built_index_has_the_current_mapping(client, caplog):
    printed = search_index_status()
    assert f"Mapping:  current ({mapping_fingerprint()})" in printed
    assert "older mapping" not in printed
    assert health_warnings(client, caplog) == []


def test_an_index_with_another_fingerprint_is_named_until_rebuilt(client, caplog, published):
    published(story("Spinning mill repays fees", summary="Recruitment fees repaid."))
    search_client().indices.put_mapping(
        index=alias_name(), meta={FINGERPRINT_KEY: "0123456789abcdef"}
    )
    message = older_mapping_message()

    assert f"Mapping:  {message}." in search_index_status()
    assert health_warnings(client, caplog) == [f"health: search up, but {message}"]
    response = client.get("/search/?q=fees")
    assert response.status_code == 200
    assert "Spinning mill repays fees" in response.content.decode()

    rebuild()

    printed = search_index_status()
    assert "older mapping" not in printed
    assert f"Mapping:  current ({mapping_fingerprint()})" in printed
    assert health_warnings(client, caplog) == []


@pytest.fixture
def forget_older_index():
    """The process remembers an older index for a minute; the next test meets a new one."""
    yield
    query._older_index_seen.clear()


def test_an_index_from_before_fingerprints_counts_as_older_and_still_answers(
    client, caplog, published, forget_older_index
):
    """The previous release's index: no fingerprint, no offsets on the highlighted fields."""
    es = search_client()
    alias = alias_name()
    body = index_body(es)
    older = f"{alias}-19990101000000000000-previous"
    es.indices.create(
        index=older, mappings=without_offsets(body["mappings"]), settings=body["settings"]
    )
    current = list(es.indices.get_alias(name=alias))
    es.indices.update_aliases(
        actions=[{"remove": {"index": name, "alias": alias}} for name in current]
        + [{"add": {"index": older, "alias": alias}}]
    )
    for name in current:
        es.indices.delete(index=name)
    # Published while the older index is live: the editor's change reaches it.
    published(story("Spinning mill repays fees", summary="Recruitment fees repaid."))
    published(story("Tannery audit", body="Agency fees were refunded to every worker."))

    assert f"Mapping:  {older_mapping_message()}." in search_index_status()
    assert health_warnings(client, caplog) == [f"health: search up, but {older_mapping_message()}"]
    response = client.get("/search/?q=fees")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Spinning mill repays fees" in html
    assert "<mark>fees</mark>" in html  # highlighted without the offsets, as before
    # The body's snippet too, without the term vectors its highlighter reads now.
    assert "Agency <mark>fees</mark> were refunded" in html

    rebuild()

    assert "older mapping" not in search_index_status()
    assert older not in es.indices.get(index=f"{alias}-*")
    assert health_warnings(client, caplog) == []
    assert "Spinning mill repays fees" in client.get("/search/?q=fees").content.decode()
