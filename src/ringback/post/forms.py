"""Forms of the Print page: the day, the print settings, and "Mark batch mailed"."""

from __future__ import annotations

from typing import Any

from django import forms

from ringback.post.choices import CardFormatChoice, LabelSheetChoice
from ringback.post.models import OFFSET_BOUND

#: The most cards one "Mark batch mailed" may name (a day never has that many).
MAX_CARDS = 5000


class DayForm(forms.Form):
    """The day whose cards the page shows (``?day=``; today when not given)."""

    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Day")


class PrintSettingsForm(forms.Form):
    """The card format, the label sheet and the labels' calibration offset."""

    card_format = forms.ChoiceField(choices=CardFormatChoice.choices, widget=forms.RadioSelect, label="Cards")
    label_sheet = forms.ChoiceField(
        choices=LabelSheetChoice.choices,
        label="Address labels",
        help_text="Postcards carry the address; folded cards go in envelopes, addressed by a label.",
    )
    # The range and the number itself are checked by the service, with the words the command
    # line gives (the bounds are only the browser's hint here).
    offset_x = forms.CharField(
        max_length=20,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": -OFFSET_BOUND, "max": OFFSET_BOUND}),
        label="Move labels right (mm)",
        help_text="Negative moves them left. Print a sheet, measure how far the text is off, and set it here.",
    )
    # The range and the number itself are checked by the service, with the words the command
    # line gives (the bounds are only the browser's hint here).
    offset_y = forms.CharField(
        max_length=20,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": -OFFSET_BOUND, "max": OFFSET_BOUND}),
        label="Move labels down (mm)",
        help_text="Negative moves them up.",
    )
    day = forms.DateField(required=False, widget=forms.HiddenInput)


class CardKeysField(forms.Field):
    """The cards a batch printed, as hidden fields (one per card)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v) for v in values]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > MAX_CARDS or any(len(v) > 200 or "\x00" in v for v in value):
            raise forms.ValidationError("This batch is out of date: reload the page and print again.")


class MarkForm(forms.Form):
    """ "Mark batch mailed": the day, the cards printed, and the seller's confirmation."""

    day = forms.DateField(widget=forms.HiddenInput)
    card = CardKeysField(required=True, error_messages={"required": "There are no cards to mark mailed."})
    confirm = forms.BooleanField(
        required=True,
        label="I have printed these cards and they are going in the mail",
        error_messages={"required": "Tick the box to confirm the cards are going in the mail."},
    )
