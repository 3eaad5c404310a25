"""Forms of the library pages: they check the shape of the input; the services check the rest."""

from __future__ import annotations

from django import forms

from ringback.core.messages import MAX_BODY_CHARS, MAX_SUBJECT_CHARS
from ringback.core.playbook import OFFER_MAX_DAYS
from ringback.messaging.choices import MessageKind


class MessageForm(forms.Form):
    """A message's words; ``name`` and ``kind`` only when it is new."""

    name = forms.CharField(
        max_length=63,
        required=False,
        help_text="How playbooks refer to it: lower-case letters, digits and dashes.",
    )
    kind = forms.ChoiceField(choices=MessageKind.choices, required=False)
    title = forms.CharField(max_length=200, help_text="What you call it in your library.")
    subject = forms.CharField(max_length=MAX_SUBJECT_CHARS, required=False, strip=False)
    body = forms.CharField(
        max_length=MAX_BODY_CHARS,
        strip=False,
        error_messages={
            "required": "The message is empty: write what you want to say.",
            "max_length": f"That is longer than {MAX_BODY_CHARS:,} characters.",
        },
    )
    is_last = forms.BooleanField(required=False, label="A last message: ask for a yes or a no (R8)")
    base_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, min_value=1)


class OfferForm(forms.Form):
    """An offer's name (when new), title, details and validity."""

    name = forms.CharField(max_length=63, required=False)
    title = forms.CharField(max_length=200)
    details = forms.CharField(max_length=1_000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # The range is the service's to check, in the words the command line gives too.
    valid_days = forms.IntegerField(
        label="Good for (days after the card is mailed)",
        initial=14,
        widget=forms.NumberInput(attrs={"min": 1, "max": OFFER_MAX_DAYS}),
        error_messages={"invalid": "Write a number of days, like 14."},
    )
