"""One way to build a story: from plain data to a page, added under its listing, published.

The tests' factories, the demo loader and the benchmark corpus all build stories
here, so a new field or rule reaches all three at once. Tags, step kinds and
metrics may be given as slugs (what data files hold) or as the objects themselves
(what factories and the corpus already have). Publishing goes through a revision,
the way the admin publishes, so the checks in ``casestudies.publication`` (the
anonymity guard) run for every story however it was made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Model
from wagtail.models import Page

from . import models

Story = TypeVar("Story", bound=models.StoryPage)
Term = TypeVar("Term", bound=Model)

# The story fields that name vocabulary terms, and the vocabulary each names.
TERM_FIELDS: dict[str, type[Model]] = {
    "industry": models.Industry,
    "region": models.Region,
    "metric": models.MetricDefinition,
}
TERM_LIST_FIELDS: dict[str, type[Model]] = {
    "intervention_types": models.InterventionType,
    "stages": models.SupplyChainStage,
    "risks_addressed": models.ForcedLabourIndicator,
}


class UnknownTerm(ValueError):
    """A slug names no term of its vocabulary."""


def terms(model: type[Term], values: Iterable[Term | str]) -> list[Term]:
    """The terms named by slug or given as objects, in the order given (one query at most)."""
    values = list(values)
    slugs = [value for value in values if isinstance(value, str)]
    found = model.objects.in_bulk(slugs, field_name="slug") if slugs else {}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise UnknownTerm(
            f"No {model._meta.verbose_name} with the slug {', '.join(map(repr, missing))}; "
            f"known: {', '.join(model.objects.values_list('slug', flat=True)) or 'none'}."
        )
    return [found[value] if isinstance(value, str) else value for value in values]


def term(model: type[Term], value: Term | str | None) -> Term | None:
    return None if value is None else terms(model, [value])[0]


def steps(values: Iterable[dict | tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Step blocks from step dicts (or ``("step", dict)`` pairs); ``kind`` may be a slug."""
    pairs = [value if isinstance(value, tuple) else ("step", value) for value in values]
    kinds = terms(models.StepKind, [v["kind"] for _, v in pairs if v.get("kind") is not None])
    by_name = iter(kinds)
    return [
        (name, {**value, "kind": next(by_name) if value.get("kind") is not None else None})
        for name, value in pairs
    ]


def result(metric: models.MetricDefinition | str, **values: Any) -> models.MetricResult:
    """A measured result, checked the way the admin checks it (unit, period)."""
    measured = models.MetricResult(metric=term(models.MetricDefinition, metric), **values)
    measured.clean()
    return measured


def build_story(model: type[Story], **data: Any) -> Story:
    """An unsaved story page with its tags, steps and results, from plain data.

    ``data`` holds the page's own fields; vocabulary fields take slugs or objects,
    ``steps`` step dicts and ``results`` dicts of MetricResult fields whose
    ``metric`` is a slug or a MetricDefinition.
    """
    for name, vocabulary in TERM_FIELDS.items():
        if name in data:
            data[name] = term(vocabulary, data[name])
    for name, vocabulary in TERM_LIST_FIELDS.items():
        if name in data:
            data[name] = terms(vocabulary, data[name])
    if "steps" in data:
        data["steps"] = steps(data["steps"])
    if "results" in data:
        data["results"] = [
            value if isinstance(value, models.MetricResult) else result(**value)
            for value in data["results"]
        ]
    return model(**data)


def publish_story(page: Story, user=None) -> Story:
    """Publish through a revision, as the admin does, so the guard and signals run.

    A story the guard refuses stays a draft; the caller can tell by ``page.live``.
    """
    page.save_revision(user=user).publish(user=user)
    page.refresh_from_db()
    return page


def add_story(parent: Page, model: type[Story], *, publish: bool = True, **data: Any) -> Story:
    """Build a story, add it under ``parent`` and (unless ``publish=False``) publish it."""
    page = build_story(model, **data)
    if publish:
        page.live = False
    parent.add_child(instance=page)
    return publish_story(page) if publish else page
