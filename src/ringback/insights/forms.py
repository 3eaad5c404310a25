from __future__ import annotations

from django import forms


class FiltersForm(forms.Form):
    """The Insights page's filters: a date range and a playbook (all when empty)."""

    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    playbook = forms.CharField(required=False, max_length=63, label="Playbook")
