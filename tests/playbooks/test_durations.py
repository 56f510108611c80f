"""Durations as editors write them, read for a playbook's shortest, median and longest."""

from __future__ import annotations

import pytest

from playbooks.aggregates import StepRecord, roles_in, step_sequence
from playbooks.durations import describe_duration, parse_duration


@pytest.mark.parametrize(
    "written, said",
    [
        ("6 months", "6 months"),
        ("2 weeks", "2 weeks"),
        ("6 weeks", "6 weeks"),
        ("1 month", "1 month"),
        ("1 year", "1 year"),
        ("one year", "1 year"),
        ("About 2 years", "2 years"),
        ("18 months", "18 months"),
        ("1 year and 6 months", "18 months"),
        ("3-6 months", "5 months"),  # a range counts at its middle
        ("3 to 6 months", "5 months"),
        ("10 days", "10 days"),
        ("90 days", "3 months"),
        ("half a year", "6 months"),
        ("1,5 years", "18 months"),
    ],
)
def test_durations_are_read_and_said_as_a_person_would(written, said):
    assert str(describe_duration(parse_duration(written))) == said


@pytest.mark.parametrize("written", ["", None, "ongoing", "a while", "an extra week-end", "0 days"])
def test_what_cannot_be_read_is_not_given_rather_than_guessed(written):
    assert parse_duration(written) is None


def test_roles_are_split_from_who_was_involved():
    assert roles_in("Sourcing team and supplier HR managers, an NGO; auditors") == [
        "Sourcing team",
        "supplier HR managers",
        "an NGO",
        "auditors",
    ]


class Kind:
    def __init__(self, slug):
        self.slug = self.name = slug


def test_the_sequence_follows_where_steps_usually_come_whatever_the_story_length():
    first, middle, last = Kind("first"), Kind("middle"), Kind("last")
    records = []
    # Three stories of different lengths; "middle" is second of three or third of five.
    for story, kinds in enumerate(
        [[first, middle, last], [first, None, middle, None, last], [first, last]]
    ):
        for position, kind in enumerate(kinds):
            records.append(StepRecord(story, position, len(kinds), kind, duration="1 month"))
    sequence = step_sequence(records, k=3)
    assert [s.slug for s in sequence] == ["first", "middle", "last"]
    assert [s.shown for s in sequence] == [True, False, True]
    assert str(sequence[0].durations.median) == "1 month"
