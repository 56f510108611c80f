"""A name the guard finds in a derived field is reported where the editor can change it."""

import pytest

from anonymity.guard import find_leaks, publication_problems
from casestudies.models import StepKind
from tests.factories import CaseStudyPageFactory, StepKindFactory, step

pytestmark = pytest.mark.django_db


def _story_with_kind(kind):
    page = CaseStudyPageFactory(
        contributing_company="Zorblatt", steps=[step(heading="Map agencies", kind=kind)]
    )
    page.refresh_from_db()
    return page


def test_a_confidential_step_kind_is_reported_once_at_the_step_that_uses_it():
    page = _story_with_kind(StepKindFactory(name="Zorblatt agency audit"))

    leaks = [leak for leak in find_leaks(page) if leak.term == "Zorblatt"]

    assert {leak.field_label for leak in leaks} == {
        "Steps › Step 1 › Kind › Name",
        "Steps › Step 1 › Kind › Slug",
    }
    assert {leak.field_name for leak in leaks} == {"steps"}  # the admin links to it
    refused = publication_problems(page)
    assert refused is not None
    assert not any("Step kinds" in problem for problem in refused.problems)


def test_a_derived_field_is_still_reported_when_nothing_editable_shows_the_name():
    page = _story_with_kind(StepKindFactory(name="Agency audit"))
    # The steps no longer name the kind, but the stored kinds still do (until the next save):
    # the guard reads what a visitor would be shown.
    StepKind.objects.filter(pk=page.step_kinds.get().pk).update(name="Zorblatt agency audit")
    page.steps = [step(heading="Map agencies")]

    labels = [leak.field_label for leak in find_leaks(page) if leak.term == "Zorblatt"]

    assert labels == ["Step kinds › Name"]
