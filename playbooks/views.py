"""Playbooks and the side-by-side comparison (thin: see playbook.py and compare.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from casestudies.models import ForcedLabourIndicator, Industry, InterventionType

from .compare import FEWEST, MOST, column, select_stories
from .playbook import build_playbook, intervention_index, reidentification_k


def playbook_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "playbooks/index.html",
        {"interventions": intervention_index(request.user), "k": reidentification_k()},
    )


def playbook(request: HttpRequest, intervention: str) -> HttpResponse:
    intervention_type = _practice(request, intervention)
    risk = _risk(request)
    return _render_playbook(request, build_playbook(request.user, intervention_type, risk=risk))


def industry_playbook(request: HttpRequest, intervention: str, industry: str) -> HttpResponse:
    intervention_type = _practice(request, intervention)
    industry_obj = get_object_or_404(Industry.objects.visible_to(request.user), slug=industry)
    risk = _risk(request)
    return _render_playbook(
        request, build_playbook(request.user, intervention_type, industry_obj, risk)
    )


def _risk(request: HttpRequest) -> ForcedLabourIndicator | None:
    """The forced-labour indicator the playbook is narrowed to (``?risk=<slug>``), if any;
    one a visible story addresses, else 404 as unknown."""
    slug = request.GET.get("risk")
    if not slug:
        return None
    return get_object_or_404(ForcedLabourIndicator.objects.visible_to(request.user), slug=slug)


def _practice(request: HttpRequest, slug: str) -> InterventionType:
    """The practice asked for, if a story the visitor may see uses it; else 404 as unknown."""
    return get_object_or_404(InterventionType.objects.visible_to(request.user), slug=slug)


def _render_playbook(request: HttpRequest, book) -> HttpResponse:
    return render(
        request,
        "playbooks/playbook.html",
        {"playbook": book, "most": MOST},
    )


def compare(request: HttpRequest) -> HttpResponse:
    selection = select_stories(request.GET.getlist("story"), request.user)
    comparable = selection.comparable
    columns = [column(story) for story in selection.stories] if comparable else []
    # A bare /compare/ explains how to pick; a request that cannot be compared says why.
    status = 200 if comparable or not selection.asked else 400
    return render(
        request,
        "playbooks/compare.html",
        {
            "selection": selection,
            "columns": columns,
            "fewest": FEWEST,
            "most": MOST,
            "query": urlencode([("story", s.pk) for s in selection.stories]),
            "first_ones": urlencode([("story", pk) for pk in selection.first_ones]),
        },
        status=status,
    )
