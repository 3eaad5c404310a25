"""The form of the Webhooks page: it reads what was typed; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from ringback.hooks.choices import SUBSCRIBABLE
from ringback.hooks.models import URL_MAX
from ringback.hooks.services import DESCRIPTION_MAX


class WebhookForm(forms.Form):
    """Add a webhook: its URL, the events it is sent, and what it is."""

    url = forms.CharField(
        label="URL",
        max_length=URL_MAX,
        widget=forms.URLInput(
            attrs={"placeholder": "https://example.com/hooks/ringback", "inputmode": "url"}
        ),
        help_text="Ringback sends a POST with a signed JSON body here. https:// is strongly advised.",
    )
    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=[(e.value, f"{e.value}: {e.label}") for e in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label="Description (optional)",
        max_length=DESCRIPTION_MAX,
        required=False,
        help_text="What the URL is, for you: your CRM, a spreadsheet...",
    )
