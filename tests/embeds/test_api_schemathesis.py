"""Schemathesis drives the live API from its OpenAPI schema: no 500s, answers as documented."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_conforms_to_its_schema_and_never_fails(
    live_server, settings, search_index, case_study, bright_spot, members_only_story
):
    settings.SITE_URL = live_server.url
    settings.API_RATE_LIMIT = "100000/m"
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/stories/",
        "/api/stories/{story_id}/",
        "/api/stories/export.csv",
        "/api/stories/export.json",
    }

    statuses: set[int] = set()
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case):
            statuses.add(case.call_and_validate().status_code)

        run()
        assert not any(status >= 500 for status in statuses)

    by_path = {op.path: op for op in operations}
    listing, detail = by_path["/api/stories/"], by_path["/api/stories/{story_id}/"]
    for export in ("/api/stories/export.csv", "/api/stories/export.json"):
        assert by_path[export].Case().call_and_validate().status_code == 200
    assert listing.Case().call_and_validate().status_code == 200  # the calls reach the live app
    for story in (case_study, bright_spot):
        known = detail.Case(path_parameters={"story_id": story.pk})
        assert known.call_and_validate().status_code == 200
    hidden = detail.Case(path_parameters={"story_id": members_only_story.pk})
    assert hidden.call_and_validate().status_code == 404
