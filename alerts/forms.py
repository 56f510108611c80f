"""Sign-up: an address and a frequency for the search in the page's query string."""

from __future__ import annotations

from django import forms

from .models import FREQUENCIES, IMMEDIATELY


class FollowSearchForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter the e-mail address the alerts should go to.",
            "invalid": "Enter a complete e-mail address, like name@example.org.",
        },
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=FREQUENCIES,
        initial=IMMEDIATELY,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose “As it happens” or “Weekly digest”."},
    )

    def clean_email(self) -> str:
        # Stored as typed but compared without case: one address, one follower.
        return self.cleaned_data["email"].strip().lower()


class FrequencyForm(forms.Form):
    search = forms.IntegerField()
    frequency = forms.ChoiceField(choices=FREQUENCIES)
