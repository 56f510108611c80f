"""Posting the page edit form the way an editor's browser does, for the guard's admin tests."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import Collection
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

from casestudies.models import CaseStudyPage
from tests.factories import CaseStudyPageFactory


def draftail(text: str) -> str:
    """Rich text as the Draftail editor posts it."""
    block = {
        "key": "a",
        "type": "unstyled",
        "text": text,
        "depth": 0,
        "inlineStyleRanges": [],
        "entityRanges": [],
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


def edit_form_data(client, page, url: str | None = None, **changes):
    """The edit form at ``url`` (the page's edit view by default) as the browser would post
    it, stream fields as the editor's JS builds them, with the editor's ``changes``."""
    html = client.get(url or f"/admin/pages/{page.pk}/edit/").content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    step = {
        "heading": "Map the corridor",
        "what_was_done": draftail("Mapped agencies."),
        "who_was_involved": "",
        "duration": "",
        "cost_band": "",
        "pitfalls": "",
    }
    data.update(
        nested_form_data({"steps": streamfield([("step", step)]), "resources": streamfield([])})
    )
    for key in ("intervention_types", "stages"):
        data.setlist(key, [str(v.pk) for v in getattr(page, key).all()])
    for key, value in changes.items():
        data[key] = value
    return data


def draft(**kwargs) -> CaseStudyPage:
    """A case study that has never been live (its company unnamed unless given)."""
    kwargs.setdefault("contributing_company", "")
    page = CaseStudyPageFactory(**kwargs)
    if page.live:
        page.unpublish()
    return CaseStudyPage.objects.get(pk=page.pk)


def upload_document(client, name: str, data: bytes):
    """A document uploaded through the admin's add form, as an editor uploads one."""
    return client.post(
        "/admin/documents/add/",
        {
            "title": "Evidence",
            "file": SimpleUploadedFile(name, data),
            "collection": Collection.get_first_root_node().pk,
        },
    )
