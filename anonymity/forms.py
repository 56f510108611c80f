"""The "Share your practice" form members use to propose a case study."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.html import escape

from casestudies.models import SIZE_BANDS, Industry, InterventionType, Region, SupplyChainStage

MAX_STEPS = 20


def paragraphs_html(text: str) -> str:
    """Plain text from a member as safe rich text: one <p> per paragraph."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(f"<p>{escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def _text(rows: int, max_length: int, **options) -> forms.CharField:
    """A paragraph or more of plain text from the member, in a box ``rows`` lines high."""
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}), max_length=max_length, **options
    )


class SharePracticeForm(forms.Form):
    title = forms.CharField(
        max_length=120,
        min_length=10,
        help_text="What was done, in a sentence. Do not name your company, suppliers or sites.",
    )
    summary = _text(
        3, 600, min_length=40, help_text="Two or three sentences for the card that lists it."
    )
    challenge = _text(5, 5000, min_length=40, help_text="The forced-labour risk you faced.")
    steps = _text(
        8,
        10000,
        help_text="One step per paragraph (separate them with an empty line); the first line "
        "of each paragraph is its heading.",
    )
    what_did_not_work = _text(4, 5000, required=False)
    lessons = _text(4, 5000, required=False)
    industry = forms.ModelChoiceField(Industry.objects.all())
    region = forms.ModelChoiceField(Region.objects.all(), label="Region of the work")
    size_band = forms.ChoiceField(choices=SIZE_BANDS, label="Company size")
    stages = forms.ModelMultipleChoiceField(
        SupplyChainStage.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label="Supply-chain stages",
    )
    intervention_types = forms.ModelMultipleChoiceField(
        InterventionType.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    year_started = forms.IntegerField(min_value=1990)
    year_ended = forms.IntegerField(
        min_value=1990, required=False, help_text="Leave empty if the work is ongoing."
    )
    confidential_terms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        label="Names to keep confidential",
        help_text="Suppliers, brands, sites and people that must never be published, one per "
        "line. Your company's name is added for you. Editors use this list; it is never shown.",
    )

    def __init__(self, *args, user, company=None, **kwargs):
        """The member's registered company is who the story is about: its industry and
        size are where the form starts, and its name is recorded privately by the view.

        The lists offer only what the member could already read of: entries used by a
        story the member may open, and the company's own industry and region. An entry
        made for a story still in draft can name who it is about, as on any public list.
        """
        super().__init__(*args, **kwargs)
        own = {"industry": company.industry_id, "region": company.hq_region_id} if company else {}
        for name in ("industry", "region", "stages", "intervention_types"):
            field = self.fields[name]
            shown = field.queryset.visible_to(user)
            if own.get(name):
                shown |= field.queryset.filter(pk=own[name])
            field.queryset = shown
        if company is not None:
            self.initial.setdefault("industry", company.industry_id)
            self.initial.setdefault("size_band", company.size_band)

    def clean_year_started(self) -> int:
        return self._not_future(self.cleaned_data["year_started"])

    def clean_year_ended(self) -> int | None:
        value = self.cleaned_data.get("year_ended")
        return None if value is None else self._not_future(value)

    @staticmethod
    def _not_future(year: int) -> int:
        if year > datetime.date.today().year:
            raise forms.ValidationError("Enter a year that has started.")
        return year

    def clean_steps(self) -> list[dict]:
        steps = []
        for block in self.cleaned_data["steps"].replace("\r\n", "\n").split("\n\n"):
            lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
            if not lines:
                continue
            heading, rest = lines[0], "\n".join(lines[1:])
            if len(heading) > 120:
                raise forms.ValidationError(
                    f"Keep each step's first line (its heading) under 120 characters: "
                    f"“{heading[:40]}…” is {len(heading)}."
                )
            steps.append({"heading": heading, "what_was_done": paragraphs_html(rest or heading)})
        if not steps:
            raise forms.ValidationError("Describe at least one step.")
        if len(steps) > MAX_STEPS:
            raise forms.ValidationError(f"Describe at most {MAX_STEPS} steps.")
        return steps

    def clean_confidential_terms(self) -> list[str]:
        terms = [t.strip() for t in self.cleaned_data["confidential_terms"].splitlines()]
        terms = list(dict.fromkeys(t for t in terms if t))
        if any(len(t) > 200 for t in terms):
            raise forms.ValidationError("Keep each name under 200 characters.")
        return terms

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("year_started"), cleaned.get("year_ended")
        if started and ended and ended < started:
            self.add_error("year_ended", "The work cannot end before it started.")
        return cleaned
