from __future__ import annotations

from django import forms


class FiltersForm(forms.Form):
    """The Insights page's filters: a date range and a playbook (all when empty)."""

    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    playbook = forms.CharField(required=False, max_length=63, label="Playbook")


class SimulateForm(forms.Form):
    """What to simulate on the web: one of the seller's playbooks (or the standard comparison),
    how many prospects, how many days, and the seed."""

    playbook = forms.CharField(required=False, max_length=63, label="Playbook")
    prospects = forms.IntegerField(min_value=1, max_value=2_000, initial=500, label="Prospects")
    days = forms.IntegerField(min_value=7, max_value=180, initial=90, label="Days")
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, initial=1, label="Seed")
