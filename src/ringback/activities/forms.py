"""Forms of the Today page: what a card was shown for, an outcome, a conversation, a note."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from django import forms

from ringback.activities.services import STEP_KINDS, CardRef
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.core.clock import parse_instant
from ringback.core.errors import InvalidDate
from ringback.core.scheduling import exists_locally, read_local_datetime

STALE_FORM = "This card is out of date: reload the page and try again."

#: How a ``datetime-local`` input sends its value (with or without seconds).


class CardForm(forms.Form):
    """The hidden fields that say which agenda item a card was rendered for."""

    kind = forms.ChoiceField(choices=[(k.value, k.value) for k in ItemKind])
    enrollment = forms.IntegerField(required=False, min_value=1)
    step = forms.CharField(required=False, max_length=63)
    due = forms.CharField(required=False, max_length=40)
    appointment = forms.IntegerField(required=False, min_value=1)
    promise_id = forms.IntegerField(required=False, min_value=1)
    phone = forms.CharField(required=False, max_length=64)

    def clean_due(self) -> datetime | None:
        text = self.cleaned_data.get("due") or ""
        if not text:
            return None
        try:
            return parse_instant(text)
        except InvalidDate:
            raise forms.ValidationError(STALE_FORM) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in STEP_KINDS and not data.get("enrollment"):
            raise forms.ValidationError(STALE_FORM)
        if kind == ItemKind.APPOINTMENT and not data.get("appointment"):
            raise forms.ValidationError(STALE_FORM)
        if kind == ItemKind.PROMISE and not data.get("promise_id"):
            raise forms.ValidationError(STALE_FORM)
        return data

    def ref(self, contact_id: int) -> CardRef:
        """The card reference (after :meth:`is_valid`)."""
        data = self.cleaned_data
        return CardRef(
            kind=ItemKind(data["kind"]),
            contact_id=contact_id,
            enrollment_id=data.get("enrollment"),
            step=data.get("step") or "",
            due=data.get("due"),
            appointment_id=data.get("appointment"),
            promise_id=data.get("promise_id"),
        )


class OutcomeForm(CardForm):
    """A one-tap outcome on a card."""

    outcome = forms.CharField(max_length=30, error_messages={"required": "Pick an outcome."})


class NoteForm(forms.Form):
    """A note on the contact's timeline."""

    text = forms.CharField(
        label="Note",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note first."},
    )


class ConnectedForm(CardForm):
    """After talking to someone: what was said, a promise, a phone appointment, or a no."""

    result = forms.ChoiceField(
        choices=[("connected", "We talked"), ("not-interested", "Not interested")], required=False
    )
    said = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    promise = forms.CharField(required=False, max_length=500)
    promise_due = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give a date like 2026-11-30."},
    )
    book_at = forms.CharField(required=False, max_length=25)
    book_note = forms.CharField(required=False, max_length=200)
    confirm_outside_hours = forms.BooleanField(required=False, label="Book anyway")

    def __init__(self, *args: Any, tz: tzinfo, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.now = now

    def clean_book_at(self) -> datetime | None:
        """A date-time in the contact's zone, as an aware datetime; it must be in the future."""
        text = (self.cleaned_data.get("book_at") or "").strip()
        if not text:
            return None
        try:
            when = read_local_datetime(text, self.tz, what="The date")
        except InvalidDate as exc:
            raise forms.ValidationError(exc.message) from None
        if when is None:
            raise forms.ValidationError("Give a date and a time, like 2026-11-24 10:30.")
        if when <= self.now:
            raise forms.ValidationError("That time has already passed for them: pick a later one.")
        return when

    def clean_promise_due(self) -> date | None:
        value: date | None = self.cleaned_data.get("promise_due")
        if value is not None:
            try:
                clock.check_day(value, what="The date")
            except InvalidDate as exc:
                raise forms.ValidationError(exc.message) from None
        if value is not None and value < self.now.astimezone(self.tz).date():
            raise forms.ValidationError("That date has passed: pick today or later.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("result") == "not-interested" and data.get("book_at"):
            self.add_error(
                "book_at", "They are not interested: clear the appointment, or save as “we talked”."
            )
        if data.get("promise_due") and not (data.get("promise") or "").strip():
            self.add_error("promise", "Say what you promised, or clear the date.")
        return data


class CancelAppointmentForm(forms.Form):
    """Cancel a phone appointment, with why (optional)."""

    note = forms.CharField(required=False, max_length=500, label="Why (optional)")


class MoveAppointmentForm(forms.Form):
    """Move a phone appointment to a time typed in the contact's zone."""

    starts_at = forms.CharField(
        label="New date and time", max_length=25, error_messages={"required": "Pick the date and time."}
    )
    confirm_outside_hours = forms.BooleanField(required=False, label="Move anyway")

    def __init__(self, *args: Any, tz: tzinfo, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.now = now
        #: Set when the service asked to confirm a time outside the contact's calling hours.
        self.outside_hours = False

    def clean_starts_at(self) -> datetime:
        """A date-time in the contact's zone that exists there and is in the future."""
        try:
            when = read_local_datetime(self.cleaned_data["starts_at"], self.tz, what="The date")
        except InvalidDate as exc:
            raise forms.ValidationError(exc.message) from None
        if when is None:
            raise forms.ValidationError("Pick a date and a time (for example 2026-11-24 10:30).")
        if not exists_locally(when):
            raise forms.ValidationError(
                f"{when:%H:%M} does not exist on {when:%b %d} for them: the clocks change that night. "
                "Pick another time."
            )
        if when <= self.now:
            local_now = self.now.astimezone(self.tz)
            raise forms.ValidationError(
                f"That time has passed: it is already {local_now:%a %d %b, %H:%M %Z} for them. Pick a later time."
            )
        return when
