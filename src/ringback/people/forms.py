"""Forms of the contact pages: they read and check what was typed; services do the work.

Checks that need the domain (is this a phone number, a time zone, a birthday?) call the core's
own parsers so that the message next to the field is the one the service would give.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.template.defaultfilters import filesizeformat

from ringback.accounts.models import Account
from ringback.contacts import uploads
from ringback.contacts.choices import ContactStatus, EmailLabel, PhoneLabel, TextConsentSource, Warmth
from ringback.contacts.models import Contact
from ringback.contacts.services import (
    CONSENT_NOTE_MAX,
    AddressInput,
    EmailChange,
    PhoneChange,
    check_birthday,
    check_email,
)
from ringback.core import clock
from ringback.core.errors import InvalidDate, RingbackError
from ringback.core.interchange import FileFormat
from ringback.core.interchange.values import parse_birthday
from ringback.core.phones import parse_phone
from ringback.core.playbook import PLAYBOOK_FOR_WARMTH, playbook_for_warmth
from ringback.core.scheduling import check_zone, exists_locally, read_local_datetime
from ringback.interface.forms import sentence
from ringback.people.management.reporting import FORMAT_NAMES
from ringback.people.selectors import ContactFilters


def tag_names(text: str) -> list[str]:
    """Tags typed as ``friends, party 2025; vip``."""
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _phone_error(text: str, account: Account) -> str | None:
    if not text.strip():
        return None
    if parse_phone(text, account.default_region).valid:
        return None
    return (
        f"{text.strip()!r} is not a phone number. Write it as you would dial it "
        f"(region {account.default_region}), or with + and the country code."
    )


class ContactFilterForm(forms.Form):
    """The search and filters above the contact list (a GET form)."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    tag = forms.ChoiceField(required=False, label="Tag")
    status = forms.ChoiceField(
        required=False, label="Status", choices=[("", "Any status"), *ContactStatus.choices]
    )
    warmth = forms.ChoiceField(required=False, label="Warmth", choices=[("", "Any warmth"), *Warmth.choices])
    playbook = forms.ChoiceField(required=False, label="Playbook running")
    never = forms.BooleanField(required=False, label="Never called")

    def __init__(self, *args: Any, tags: Sequence[str], playbooks: Sequence[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        tag_field: Any = self.fields["tag"]
        tag_field.choices = [("", "Any tag"), *((t, t) for t in tags)]
        playbook_field: Any = self.fields["playbook"]
        playbook_field.choices = [("", "Any or none"), *playbooks]
        for name in ("tag", "status", "warmth", "playbook", "never"):
            self.fields[name].widget.attrs["class"] = "rb-filter"
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "Name, company, email or phone", "autocomplete": "off"}
        )

    def filters(self) -> ContactFilters:
        """What to show; a value that is not one of the choices is ignored, not an error."""
        data = self.cleaned_data if self.is_valid() else {}
        return ContactFilters(
            search=data.get("q", "").strip(),
            tag=data.get("tag", ""),
            status=data.get("status", ""),
            warmth=data.get("warmth", ""),
            playbook=data.get("playbook", ""),
            never_called=bool(data.get("never")),
        )


class ContactAddForm(forms.Form):
    """A new contact: a name, one number, one email, tags."""

    first_name = forms.CharField(required=False, max_length=100, label="First name")
    last_name = forms.CharField(required=False, max_length=100, label="Last name")
    company = forms.CharField(required=False, max_length=200, label="Company")
    phone = forms.CharField(required=False, max_length=40, label="Phone")
    phone_label = forms.ChoiceField(
        choices=PhoneLabel.choices, initial=PhoneLabel.MOBILE, label="Kind of number"
    )
    email = forms.CharField(required=False, max_length=254, label="Email")
    tags = forms.CharField(
        required=False, max_length=500, label="Tags", help_text="Separate tags with commas."
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["phone"].widget.attrs.update({"type": "tel", "autocomplete": "off", "inputmode": "tel"})
        self.fields["email"].widget.attrs.update({"type": "email", "autocomplete": "off"})
        self.fields["first_name"].widget.attrs.update({"autocomplete": "off"})
        self.fields["last_name"].widget.attrs.update({"autocomplete": "off"})

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"]
        problem = _phone_error(value, self.account)
        if problem:
            raise forms.ValidationError(problem)
        return value.strip()

    def clean_email(self) -> str:
        value: str = self.cleaned_data["email"]
        if not value.strip():
            return ""
        try:
            return check_email(value)
        except RingbackError as exc:
            raise forms.ValidationError(sentence(exc.message)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(k) or "").strip() for k in ("first_name", "last_name", "company")):
            self.add_error("first_name", "Give a first name, a last name or a company.")
        return data


class ContactEditForm(forms.Form):
    """The contact's own fields, address and tags (numbers and emails have their own rows)."""

    first_name = forms.CharField(required=False, max_length=100, label="First name")
    last_name = forms.CharField(required=False, max_length=100, label="Last name")
    company = forms.CharField(required=False, max_length=200, label="Company")
    title = forms.CharField(required=False, max_length=200, label="Job title")
    status = forms.ChoiceField(choices=ContactStatus.choices, label="Status")
    warmth = forms.ChoiceField(
        choices=Warmth.choices,
        label="Warmth",
        help_text="How well they know you: strangers get a longer, gentler series.",
    )
    birthday = forms.CharField(
        required=False,
        max_length=20,
        label="Birthday",
        help_text="YYYY-MM-DD, or MM-DD without the year.",
    )
    time_zone = forms.CharField(
        max_length=64, label="Time zone", help_text="Where they live, e.g. America/Chicago."
    )
    tags = forms.CharField(
        required=False, max_length=500, label="Tags", help_text="Separate tags with commas."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes")
    street = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Street")
    city = forms.CharField(required=False, max_length=100, label="City")
    region = forms.CharField(required=False, max_length=100, label="State or region")
    postal_code = forms.CharField(required=False, max_length=20, label="Postal code")
    country = forms.CharField(required=False, max_length=100, label="Country")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget.attrs.update({"list": "zones", "autocomplete": "off"})
        self.fields["birthday"].widget.attrs.update({"placeholder": "1980-04-12 or 04-12"})

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        address = next(iter(contact.addresses.all()), None)
        birthday = birthday_typed(contact)
        return {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "company": contact.company,
            "title": contact.title,
            "status": contact.status,
            "warmth": contact.warmth,
            "birthday": birthday,
            "time_zone": contact.time_zone,
            "tags": ", ".join(t.name for t in contact.tags.all()),
            "notes": contact.notes,
            "street": address.street if address else "",
            "city": address.city if address else "",
            "region": address.region if address else "",
            "postal_code": address.postal_code if address else "",
            "country": address.country if address else "",
        }

    def clean_birthday(self) -> tuple[int, int, int | None] | None:
        value: str = self.cleaned_data["birthday"].strip()
        if not value:
            return None
        birthday = parse_birthday(value, any_year=True)
        if birthday is None:
            raise forms.ValidationError(
                f"Birthday {value!r} is not a date (e.g. 1985-04-12, April 12, or --04-12 without a year)"
            )
        try:
            return check_birthday(birthday.month, birthday.day, birthday.year)
        except RingbackError as exc:
            raise forms.ValidationError(sentence(exc.message)) from None

    def clean_time_zone(self) -> str:
        try:
            return check_zone(self.cleaned_data["time_zone"])
        except RingbackError as exc:
            raise forms.ValidationError(sentence(exc.message)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(k) or "").strip() for k in ("first_name", "last_name", "company")):
            self.add_error("first_name", "Give a first name, a last name or a company.")
        return data

    def address(self) -> AddressInput:
        data = self.cleaned_data
        return AddressInput(
            street=data["street"],
            city=data["city"],
            region=data["region"],
            postal_code=data["postal_code"],
            country=data["country"],
        )


class PhoneRowForm(forms.Form):
    """One of the contact's numbers (or the blank row for a new one)."""

    number = forms.CharField(required=False, max_length=40, label="Number")
    label = forms.ChoiceField(choices=PhoneLabel.choices, label="Kind")
    ok_at_work = forms.BooleanField(required=False, label="OK to call at work")
    bad = forms.BooleanField(required=False, label="Wrong number")
    remove = forms.BooleanField(required=False, label="Remove")

    def __init__(self, *args: Any, account: Account, phone_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.phone_id = phone_id
        self.fields["number"].widget.attrs.update({"type": "tel", "inputmode": "tel", "autocomplete": "off"})
        if phone_id is None:
            del self.fields["remove"]
            del self.fields["bad"]
            self.fields["number"].label = "New number"

    def clean_number(self) -> str:
        value: str = self.cleaned_data["number"]
        removing = bool(self.data.get(self.add_prefix("remove")))
        if self.phone_id is not None and not value.strip() and not removing:
            raise forms.ValidationError("Type the number, or tick Remove.")
        if removing or self.initial.get("number") == value.strip():
            return value.strip()
        problem = _phone_error(value, self.account)
        if problem:
            raise forms.ValidationError(problem)
        return value.strip()

    def change(self) -> PhoneChange:
        data = self.cleaned_data
        return PhoneChange(
            id=self.phone_id,
            number=data["number"],
            label=data["label"],
            ok_at_work=data["ok_at_work"],
            bad=data.get("bad", False),
            remove=data.get("remove", False),
        )


class EmailRowForm(forms.Form):
    """One of the contact's email addresses (or the blank row for a new one)."""

    address = forms.CharField(required=False, max_length=254, label="Email")
    label = forms.ChoiceField(choices=EmailLabel.choices, label="Kind")
    remove = forms.BooleanField(required=False, label="Remove")

    def __init__(self, *args: Any, email_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email_id = email_id
        self.fields["address"].widget.attrs.update({"type": "email", "autocomplete": "off"})
        if email_id is None:
            del self.fields["remove"]
            self.fields["address"].label = "New email"

    def clean_address(self) -> str:
        value: str = self.cleaned_data["address"]
        if self.data.get(self.add_prefix("remove")):
            return value.strip()
        if not value.strip():
            if self.email_id is not None:
                raise forms.ValidationError("Type the address, or tick Remove.")
            return ""
        try:
            return check_email(value)
        except RingbackError as exc:
            raise forms.ValidationError(sentence(exc.message)) from None

    def change(self) -> EmailChange:
        data = self.cleaned_data
        return EmailChange(
            id=self.email_id, address=data["address"], label=data["label"], remove=data.get("remove", False)
        )


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=5000,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What was said, what to remember"}),
        error_messages={"required": "Write the note first."},
    )


#: What the seller can log from a contact's page: (value, label, outcome, how they reached you).
LOG_CHOICES: tuple[tuple[str, str, str, str], ...] = (
    ("callback", "They called me back", "callback", "call"),
    ("callback-sms", "They replied by text", "callback", "sms"),
    ("callback-email", "They replied by email", "callback", "email"),
    ("connected", "I called: we talked", "connected", ""),
    ("voicemail", "I called: left a voicemail", "voicemail", ""),
    ("no-answer", "I called: no answer", "no-answer", ""),
    ("busy", "I called: busy", "busy", ""),
    ("wrong-number", "I called: wrong number", "wrong-number", ""),
    ("not-interested", "They are not interested", "not-interested", ""),
    ("mailed", "I mailed the note", "mailed", ""),
    ("emailed", "I sent the email", "emailed", ""),
    ("texted", "I sent the text", "texted", ""),
    ("done", "I did the task", "done", ""),
)


class LogForm(forms.Form):
    """Log any outcome from a contact's page: a call made, a reply received, a card mailed."""

    what = forms.ChoiceField(
        label="What happened",
        choices=[(value, label) for value, label, _, _ in LOG_CHOICES],
        error_messages={"invalid_choice": "Pick what happened from the list."},
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What they said"}),
    )

    def outcome(self) -> tuple[str, str | None]:
        """The outcome to log and, for a reply, how they reached you."""
        chosen = next(row for row in LOG_CHOICES if row[0] == self.cleaned_data["what"])
        return chosen[2], chosen[3] or None


class PromiseForm(forms.Form):
    text = forms.CharField(
        max_length=1000,
        label="What you promised",
        error_messages={"required": "Say what you promised."},
    )
    due_on = forms.DateField(
        required=False,
        label="By when (optional)",
        widget=forms.DateInput(attrs={"type": "date", "max": clock.LATEST_DAY.isoformat()}),
        error_messages={"invalid": "Pick a date, or leave it empty."},
    )

    def clean_due_on(self) -> date | None:
        value: date | None = self.cleaned_data["due_on"]
        try:
            return clock.check_day(value, what="The date") if value is not None else None
        except InvalidDate as exc:
            raise forms.ValidationError(exc.message) from None


class EnrollForm(forms.Form):
    playbook = forms.ChoiceField(label="Playbook")
    replace = forms.BooleanField(required=False, label="Replace the playbook they are in now")
    force = forms.BooleanField(
        required=False, label="Start anyway (an appointment is coming, or the first step can't reach them)"
    )

    def __init__(
        self, *args: Any, playbooks: Sequence[tuple[str, str]], warmth: str | None = None, **kwargs: Any
    ) -> None:
        """``warmth``, the contact's, preselects the playbook it suggests and says so."""
        super().__init__(*args, **kwargs)
        field: Any = self.fields["playbook"]
        field.choices = list(playbooks)
        field.error_messages["invalid_choice"] = "Pick one of your playbooks."
        if warmth is not None:
            suggested = playbook_for_warmth(warmth)
            titles = dict(playbooks)
            if suggested in titles:
                self.initial.setdefault("playbook", suggested)
                who = WARMTH_WHO.get(warmth, "them")
                field.help_text = f"Suggested for {who}: {titles[suggested]}."


class AppointmentForm(forms.Form):
    """A phone appointment at a time in the contact's zone."""

    starts_at = forms.CharField(
        label="Date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        choices=[(15, "15 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "1 hour")],
        initial=15,
    )
    note = forms.CharField(required=False, max_length=1000, label="What it is about (optional)")
    confirm_outside_hours = forms.BooleanField(required=False, label="Book anyway, at this time")

    def __init__(self, *args: Any, contact_zone: ZoneInfo, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact_zone = contact_zone
        self.now = now
        #: Set when the service asked to confirm a time outside the contact's calling hours.
        self.outside_hours = False
        self.fields["starts_at"].error_messages["required"] = "Pick the date and time."

    def clean_starts_at(self) -> datetime:
        return parse_local_time(self.cleaned_data["starts_at"], self.contact_zone, self.now)


def parse_local_time(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """A ``datetime-local`` value read in ``tz``, in UTC; it must exist there, be in the future
    and in the dates Ringback takes."""
    try:
        aware = read_local_datetime(text, tz, what="The date")
    except InvalidDate as exc:
        raise forms.ValidationError(exc.message) from None
    if aware is None:
        raise forms.ValidationError("Pick a date and a time (for example 2026-11-24 10:30).")
    if not exists_locally(aware):
        raise forms.ValidationError(
            f"{aware:%H:%M} does not exist on {aware:%b %d} in {tz.key}: the clocks change that night. "
            "Pick another time."
        )
    instant = aware.astimezone(UTC)
    if instant < now:
        local_now = now.astimezone(tz)
        raise forms.ValidationError(
            f"That time has passed: it is already {local_now:%a %d %b, %H:%M %Z} for them. Pick a later time."
        )
    return instant


class TextConsentForm(forms.Form):
    """Record that they agreed to texts on one of their mobile numbers, and how."""

    phone = forms.TypedChoiceField(
        label="Number", coerce=int, error_messages={"invalid_choice": "Pick one of their mobile numbers."}
    )
    how = forms.ChoiceField(
        label="How they agreed",
        choices=[(value, label[:1].upper() + label[1:]) for value, label in TextConsentSource.choices],
        error_messages={"invalid_choice": "Pick how they agreed from the list."},
    )
    note = forms.CharField(
        required=False,
        max_length=CONSENT_NOTE_MAX,
        label="Note (optional)",
        widget=forms.TextInput(attrs={"placeholder": "At the fair, after the demo"}),
    )
    resume = forms.BooleanField(
        required=False, label="They asked to get texts again (after texts were stopped)"
    )

    def __init__(self, *args: Any, phones: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        """``phones``: (id, number as shown) of the contact's mobile numbers."""
        super().__init__(*args, **kwargs)
        field: Any = self.fields["phone"]
        field.choices = list(phones)


class TextsStopForm(forms.Form):
    """Stop texts to one of their numbers by hand."""

    phone = forms.TypedChoiceField(
        label="Number", coerce=int, error_messages={"invalid_choice": "That number is not one of theirs."}
    )

    def __init__(self, *args: Any, phones: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        """``phones``: (id, number as shown) of the contact's numbers."""
        super().__init__(*args, **kwargs)
        field: Any = self.fields["phone"]
        field.choices = list(phones)


class DoNotContactForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, never contact them again",
        error_messages={"required": "Tick the box to confirm."},
    )
    note = forms.CharField(required=False, max_length=1000, label="Why (optional)")


def birthday_typed(contact: Contact) -> str:
    """The contact's birthday as a person types it (``1980-04-12``, or ``04-12`` without a year),
    or "" when it is unknown: what the edit form and ``ringback contact`` show."""
    if not (contact.birthday_month and contact.birthday_day):
        return ""
    day = f"{contact.birthday_month:02d}-{contact.birthday_day:02d}"
    return f"{contact.birthday_year:04d}-{day}" if contact.birthday_year else day


#: Who a contact of each warmth is, in a sentence: "Suggested for someone you met once".
WARMTH_WHO: dict[str, str] = {
    Warmth.STRANGER: "a stranger",
    Warmth.MET_ONCE: "someone you met once",
    Warmth.ACQUAINTED: "someone who knows you",
    Warmth.CUSTOMER: "a customer",
}


def warmth_help(titles: Mapping[str, str]) -> str:
    """Which playbook each warmth suggests, in words: "Stranger: Stranger series; …" (R12)."""
    parts = [
        f"{label}: {titles.get(PLAYBOOK_FOR_WARMTH[value], PLAYBOOK_FOR_WARMTH[value])}"
        for value, label in Warmth.choices
    ]
    return "Suggested by warmth: " + "; ".join(parts) + "."


BULK_ACTIONS = (("enroll", "Enroll"), ("tag", "Tag"), ("warmth", "Set the warmth"))
#: The bulk enrolment's choice that enrolls each contact in the playbook its warmth suggests.
BY_WARMTH = ""


class BulkForm(forms.Form):
    """Enroll, tag or set the warmth of the ticked contacts."""

    action = forms.ChoiceField(choices=BULK_ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    playbook = forms.ChoiceField(required=False, label="Playbook")
    replace = forms.BooleanField(required=False, label="Replace a running playbook")
    tag = forms.CharField(required=False, max_length=100, label="Tag")
    warmth = forms.ChoiceField(
        required=False,
        label="Warmth",
        choices=[("", "Choose a warmth"), *Warmth.choices],
        error_messages={"invalid_choice": "Pick one of the warmths listed."},
    )

    def __init__(self, *args: Any, playbooks: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        playbook_field: Any = self.fields["playbook"]
        playbook_field.choices = [(BY_WARMTH, "Suggested by their warmth"), *playbooks]
        playbook_field.help_text = warmth_help(dict(playbooks))
        ids_field: Any = self.fields["ids"]
        # Any whole number: which ones belong to the account is checked against the database.
        ids_field.valid_value = lambda value: str(value).isdigit() and len(str(value)) < 19

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("ids"):
            self.add_error("ids", "Tick at least one contact first.")
        if data.get("action") == "tag" and not (data.get("tag") or "").strip():
            self.add_error("tag", "Type the tag to add.")
        if data.get("action") == "warmth" and not data.get("warmth"):
            self.add_error("warmth", "Choose the warmth to give them.")
        return data


#: The kinds of contact file, with the names a seller knows them by.
FORMAT_CHOICES = [(f.value, FORMAT_NAMES.get(f.value, f.value)) for f in FileFormat]


class ImportUploadForm(forms.Form):
    """A contact file to import, and what kind of file it is (detected unless chosen)."""

    file = forms.FileField(
        label="Contact file",
        allow_empty_file=True,  # the reader says "the file is empty" in the import's own words
        widget=forms.FileInput(attrs={"accept": ".csv,.vcf,.vcard,.txt,text/csv,text/vcard"}),
        error_messages={"required": "Choose the file to import.", "invalid": "Choose a file to import."},
    )
    file_format = forms.ChoiceField(
        required=False,
        label="Kind of file",
        choices=[("", "Detect automatically"), *FORMAT_CHOICES],
        error_messages={"invalid_choice": "Pick one of the kinds of file listed."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = filesizeformat(uploads.UPLOAD_LIMIT)
        help_text = f"A .csv or .vcf file, up to {limit}. Nothing is saved before you confirm."
        self.fields["file"].help_text = help_text

    def clean_file(self) -> Any:
        """The uploaded file, refused when it is larger than :data:`uploads.UPLOAD_LIMIT`."""
        upload = self.cleaned_data["file"]
        limit = uploads.UPLOAD_LIMIT
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is {filesizeformat(upload.size)}; the largest file Ringback takes is "
                f"{filesizeformat(limit)}. Export fewer contacts at a time, or split the file."
            )
        return upload

    def chosen_format(self) -> FileFormat | None:
        """The kind of file picked, or ``None`` to detect it."""
        value = self.cleaned_data.get("file_format") or ""
        return FileFormat(value) if value else None


class ImportConfirmForm(forms.Form):
    """The "Import" button of the preview: the kind of file the preview read it as."""

    file_format = forms.ChoiceField(choices=FORMAT_CHOICES)
