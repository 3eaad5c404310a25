"""Forms of the settings page: they read what was typed; the services decide what is allowed."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import phonenumbers
from django import forms
from django.db import models

from ringback.accounts.choices import MailboxSecurity, TokenScope
from ringback.accounts.models import Account, Vacation
from ringback.accounts.selectors import COST_NAMES
from ringback.accounts.services import API_TOKEN_NAME_MAX, EDITABLE, ITEM_MINUTES_MAX, POSTAL_ADDRESS_MAX
from ringback.core import clock
from ringback.core.agenda import Costs
from ringback.core.errors import InvalidDate, RingbackError
from ringback.core.phones import display_phone, parse_phone
from ringback.core.scheduling import check_zone, zone
from ringback.core.workweek import DAY_NAMES, parse_weekdays, weekdays_text
from ringback.interface.forms import add_service_error

DEFAULT_COSTS = Costs()

#: What each estimate is about, as the settings page says it.
COST_LABELS = {
    "call": "A call (dial, voicemail, log it)",
    "conversation": "A conversation (call-back, appointment)",
    "card": "A card by mail",
    "email": "An email",
    "text": "A text",
    "task": "A task",
    "greeting": "A birthday greeting",
}

#: Time zones most sellers pick, grouped for the select; any other IANA name can be typed.
COMMON_ZONES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "United States",
        (
            ("America/New_York", "Eastern — New York"),
            ("America/Chicago", "Central — Chicago"),
            ("America/Denver", "Mountain — Denver"),
            ("America/Phoenix", "Arizona — Phoenix"),
            ("America/Los_Angeles", "Pacific — Los Angeles"),
            ("America/Anchorage", "Alaska — Anchorage"),
            ("Pacific/Honolulu", "Hawaii — Honolulu"),
        ),
    ),
    (
        "Canada",
        (
            ("America/St_Johns", "Newfoundland — St. John's"),
            ("America/Halifax", "Atlantic — Halifax"),
            ("America/Toronto", "Eastern — Toronto"),
            ("America/Winnipeg", "Central — Winnipeg"),
            ("America/Regina", "Saskatchewan — Regina"),
            ("America/Edmonton", "Mountain — Edmonton"),
            ("America/Vancouver", "Pacific — Vancouver"),
        ),
    ),
    (
        "Elsewhere",
        (
            ("America/Mexico_City", "Mexico City"),
            ("America/Sao_Paulo", "São Paulo"),
            ("Europe/London", "London"),
            ("Europe/Dublin", "Dublin"),
            ("Europe/Paris", "Paris"),
            ("Europe/Berlin", "Berlin"),
            ("Europe/Madrid", "Madrid"),
            ("Africa/Johannesburg", "Johannesburg"),
            ("Asia/Kolkata", "India — Kolkata"),
            ("Asia/Singapore", "Singapore"),
            ("Australia/Perth", "Perth"),
            ("Australia/Brisbane", "Brisbane"),
            ("Australia/Sydney", "Sydney"),
            ("Pacific/Auckland", "Auckland"),
            ("UTC", "UTC"),
        ),
    ),
)
_COMMON_ZONE_NAMES = {name for _, zones in COMMON_ZONES for name, _ in zones}
OTHER_ZONE = "other"

#: Which settings field a message from ``account_update`` is about, by how the message starts.
#: The account fields the settings form edits (``name`` keeps its own value).
SETTINGS_FIELDS = tuple(field for field in EDITABLE if field != "name")


def settings_fingerprint(account: Account) -> str:
    """A short digest of the account's settings: tells a stale form from a fresh one."""
    parts = []
    for key in SETTINGS_FIELDS:
        field = Account._meta.get_field(key)
        assert isinstance(field, models.Field)
        parts.append(f"{key}={field.to_python(getattr(account, key))!s}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _zone_choices(current: str) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = []
    if current and current not in _COMMON_ZONE_NAMES:
        choices.append((current, current))
    choices.extend(
        (group, [(name, f"{label} ({name})") for name, label in zones]) for group, zones in COMMON_ZONES
    )
    choices.append((OTHER_ZONE, "Another time zone…"))
    return choices


class SettingsForm(forms.Form):
    """The seller's profile, calling hours and pace."""

    seller_name = forms.CharField(
        label="Your name",
        max_length=200,
        required=False,
        help_text="Scripts introduce you with your first name; letters are signed with the full name.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    seller_phone = forms.CharField(
        label="Your phone number",
        max_length=40,
        required=False,
        help_text="The number you leave in voicemails and print on letters.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    business_name = forms.CharField(
        label="Business name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    postal_address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=POSTAL_ADDRESS_MAX,
        help_text="Printed in the footer of letters and emails.",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    time_zone = forms.ChoiceField(
        label="Your time zone",
        help_text="Your day (Today, appointments) follows it. Calls follow each contact's own time.",
    )
    time_zone_other = forms.CharField(
        label="Another time zone",
        required=False,
        max_length=64,
        help_text="An IANA name such as America/Chicago or Europe/Rome.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}),
    )
    default_region = forms.CharField(
        label="Country of your phone numbers",
        min_length=2,
        max_length=2,
        help_text="Two letters (US, CA, GB…): numbers typed without a +country code are read as this country's.",
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "country", "size": 3, "class": "short"}
        ),
    )
    calling_start = forms.TimeField(
        label="Calls from",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    calling_end = forms.TimeField(
        label="Calls until",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    daily_call_capacity = forms.IntegerField(
        label="Calls a day",
        min_value=0,
        max_value=1000,
        help_text="Today plans at most this many calls; the rest wait for the next day. 0 plans none.",
    )
    new_per_callback = forms.FloatField(
        label="New prospects per follow-up",
        min_value=0,
        max_value=10,
        help_text="1 mixes one new prospect with each follow-up call; 0.5 one for every two; 0 follow-ups only.",
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    suppress_days = forms.IntegerField(
        label="Rest after “not interested” (days)",
        min_value=0,
        max_value=3650,
        help_text="How long Ringback leaves someone alone after they say they are not interested.",
    )
    working_days = forms.MultipleChoiceField(
        label="Days you work",
        choices=[(name, name.capitalize()) for name in DAY_NAMES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Ringback plans calls, cards and emails only on these days.",
    )
    minutes_per_day = forms.IntegerField(
        label="Minutes a day for follow-up",
        min_value=0,
        max_value=24 * 60,
        help_text="Today fits into this time: appointments and call-backs first, then what must be done on time, then the rest.",
    )
    mail_lead_days = forms.IntegerField(
        label="Days a card takes to arrive",
        min_value=0,
        max_value=60,
        help_text="A birthday card is planned this many days before the birthday.",
    )
    email_daily_cap = forms.IntegerField(
        label="Emails a day, at most",
        min_value=0,
        max_value=10_000,
        help_text="Email steps past this many in a day wait for the next day. 0 sends none.",
    )
    email_from = forms.EmailField(
        label="Send emails from",
        required=False,
        max_length=254,
        help_text="The address your contacts see and reply to. Empty: your sign-in email.",
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        self.account = account
        kwargs.setdefault("initial", self.initial_for(account))
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _zone_choices(account.time_zone)
        for name in COST_NAMES:
            self.fields[f"cost_{name}"] = forms.FloatField(
                label=COST_LABELS[name],
                min_value=0,
                max_value=ITEM_MINUTES_MAX,
                required=False,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal", "class": "short"}),
            )

    def cost_fields(self) -> list[forms.BoundField]:
        """The minutes estimates, in the order the page shows them."""
        return [self[f"cost_{name}"] for name in COST_NAMES]

    @staticmethod
    def initial_for(account: Account) -> dict[str, Any]:
        initial: dict[str, Any] = {key: getattr(account, key) for key in SETTINGS_FIELDS}
        initial["working_days"] = [d for d in account.working_days.split(",") if d]
        for name in COST_NAMES:
            initial[f"cost_{name}"] = (account.item_minutes or {}).get(name, getattr(DEFAULT_COSTS, name))
        if account.seller_phone:
            initial["seller_phone"] = display_phone(account.seller_phone)
        initial["loaded"] = settings_fingerprint(account)
        return initial

    def clean_default_region(self) -> str:
        region = str(self.cleaned_data["default_region"]).strip().upper()
        if len(region) == 2 and region.isalpha() and region not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError(
                f"{region} is not a country code phone numbers use (e.g. US, CA, GB)."
            )
        return region

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("time_zone") == OTHER_ZONE:
            typed = str(data.get("time_zone_other") or "").strip()
            if not typed:
                self.add_error("time_zone_other", "Type the name of your time zone, e.g. America/Chicago.")
            else:
                try:
                    typed = check_zone(typed)
                except RingbackError as exc:
                    self.add_error("time_zone_other", exc.message)
                data["time_zone"] = typed
        return data

    def changes(self) -> dict[str, Any]:
        """The account fields to save, as the service takes them."""
        data = {key: self.cleaned_data[key] for key in SETTINGS_FIELDS if key in self.cleaned_data}
        data["working_days"] = ",".join(self.cleaned_data["working_days"])
        data["item_minutes"] = {
            name: float(self.cleaned_data[f"cost_{name}"])
            for name in COST_NAMES
            if self.cleaned_data.get(f"cost_{name}") is not None
            and float(self.cleaned_data[f"cost_{name}"]) != getattr(DEFAULT_COSTS, name)
        }
        return data

    def is_stale(self) -> bool:
        """True when the account changed since this form was loaded and the form would change it."""
        if self.cleaned_data.get("loaded") == settings_fingerprint(self.account):
            return False
        changes = self.changes()
        return any(self._normal(key, changes[key]) != getattr(self.account, key) for key in SETTINGS_FIELDS)

    def _normal(self, key: str, value: Any) -> Any:
        """``value`` as the account would store it, to compare with what it stores."""
        if key == "working_days":
            return weekdays_text(parse_weekdays(value)) if value else value
        if key == "seller_phone" and value:
            parsed = parse_phone(str(value), str(self.cleaned_data.get("default_region") or "US"))
            return parsed.number if parsed.valid else value
        return value

    def add_service_error(self, exc: RingbackError) -> None:
        """Show an error of ``account_update`` next to the field it is about (by its ``field``)."""
        zone_field = "time_zone_other" if self.data.get("time_zone") == OTHER_ZONE else "time_zone"
        add_service_error(self, exc, fields={"time_zone": zone_field}, as_sentence=False)


class VacationForm(forms.Form):
    """Days away: both dates included, in the seller's time zone."""

    first_day = forms.DateField(
        label="First day away",
        widget=forms.DateInput(attrs={"type": "date", "max": clock.LATEST_DAY.isoformat()}),
    )
    last_day = forms.DateField(
        label="Last day away",
        widget=forms.DateInput(attrs={"type": "date", "max": clock.LATEST_DAY.isoformat()}),
    )

    #: The longest vacation the form takes.
    MAX_DAYS = 366

    def __init__(self, *args: Any, account: Account, vacations: list[Vacation], **kwargs: Any) -> None:
        self.account = account
        self.vacations = vacations
        super().__init__(*args, **kwargs)
        today = self.today()
        for name in ("first_day", "last_day"):
            self.fields[name].widget.attrs["min"] = today.isoformat()

    def today(self) -> date:
        return clock.now().astimezone(zone(self.account.time_zone)).date()

    def clean_first_day(self) -> date:
        return _day_in_range(self.cleaned_data["first_day"])

    def clean_last_day(self) -> date:
        return _day_in_range(self.cleaned_data["last_day"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if not isinstance(first, date) or not isinstance(last, date):
            return data
        today = self.today()
        if last < first:
            self.add_error(
                "last_day", f"The last day ({last:%d %b %Y}) comes before the first ({first:%d %b %Y})."
            )
        elif last < today:
            self.add_error("last_day", "This vacation is already over: pick days from today on.")
        elif last - first >= timedelta(days=self.MAX_DAYS):
            self.add_error("last_day", "A vacation can last at most a year.")
        else:
            for vacation in self.vacations:
                if vacation.first_day <= last and first <= vacation.last_day:
                    same = vacation.first_day == first and vacation.last_day == last
                    self.add_error(
                        None,
                        f"You already have this vacation ({_span(vacation.first_day, vacation.last_day)})."
                        if same
                        else f"These days overlap your vacation {_span(vacation.first_day, vacation.last_day)}:"
                        " remove it first, or pick other days.",
                    )
                    break
        return data


class LoginEmailForm(forms.Form):
    """The address password-reset links go to; the current password confirms the change."""

    email = forms.EmailField(
        label="Email for password resets",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password


class CalendarForm(forms.Form):
    """A button of the Calendar card: turn the feed on, give it a new secret URL, or turn it off."""

    ACTIONS = (("on", "Turn on"), ("new", "New secret URL"), ("off", "Turn off"))

    action = forms.ChoiceField(choices=ACTIONS)


def _day_in_range(day: date) -> date:
    """A date typed in a form, refused (next to its field) outside the dates Ringback takes."""
    try:
        return clock.check_day(day, what="The date")
    except InvalidDate as exc:
        raise forms.ValidationError(exc.message) from None


def _span(first: date, last: date) -> str:
    if first == last:
        return f"{first:%a %d %b %Y}"
    return f"{first:%a %d %b} – {last:%a %d %b %Y}"


def vacation_span(vacation: Vacation) -> str:
    """A vacation's days for people to read."""
    return _span(vacation.first_day, vacation.last_day)


class MailboxForm(forms.Form):
    """The IMAP mailbox replies are read from (Settings → Replies)."""

    host = forms.CharField(
        label="IMAP server",
        max_length=255,
        help_text="e.g. imap.gmail.com, outlook.office365.com, imap.mail.me.com",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}),
    )
    port = forms.IntegerField(
        label="Port", min_value=1, max_value=65535, required=False, help_text="993 for SSL/TLS"
    )
    security = forms.ChoiceField(
        label="Security", choices=MailboxSecurity.choices, initial=MailboxSecurity.SSL
    )
    username = forms.CharField(
        label="User name",
        max_length=255,
        help_text="Usually your email address.",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label="Password or app password",
        max_length=500,
        required=False,
        strip=False,
        help_text="Gmail and Microsoft 365 need an app password (see the README). Leave empty to keep the one saved.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    folder = forms.CharField(label="Folder", max_length=200, initial="INBOX", required=False)


class ApiTokenForm(forms.Form):
    """A new personal access token of the REST API (Settings → API tokens)."""

    #: Its fields are ``token-name`` and ``token-scope`` (ids ``id_token-…``): apart from the
    #: fields of the page's other forms.
    prefix = "token"

    name = forms.CharField(
        label="Name",
        max_length=API_TOKEN_NAME_MAX,
        help_text="What will use it, e.g. Zapier or my spreadsheet.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label="It may",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Read only: it can look, not change anything. Read and write: it can also add and change.",
    )
