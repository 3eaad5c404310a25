"""How agenda items and touches look on the command line and in JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ringback.activities.models import Touch
from ringback.contacts.models import Contact
from ringback.core.agenda import Agenda, AgendaItem, ItemKind, ordinal
from ringback.core.phones import display_phone
from ringback.core.playbook import Outcome
from ringback.core.scheduling import zone
from ringback.core.texting import sms_uri
from ringback.interface.commands import iso_utc
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import version_spec


def agenda_item_json(item: AgendaItem) -> dict[str, Any]:
    """An agenda item as the ``agenda --json`` contract describes it."""
    local = item.local_window()
    return {
        "kind": item.kind.value,
        "contact_id": item.contact_id,
        "contact_name": item.contact_name,
        "due": iso_utc(item.due),
        "window": {"start": local[0].isoformat(), "end": local[1].isoformat(), "zone": item.zone}
        if local
        else None,
        "playbook": item.playbook,
        "step": item.step,
        "attempt": item.attempt,
        "phone": item.phone,
        "reason": item.reason,
        "script": item.script,
        "script_error": item.script_error,
        "template": item.template,
        "subject": item.subject or None,
        "message_version_id": item.message_version_id,
        "offer": {
            "title": item.offer_title,
            "details": item.offer_details,
            "expires": item.offer_expires.isoformat(),
        }
        if item.offer_title and item.offer_expires
        else None,
        "overdue": item.overdue,
        "overdue_days": item.overdue_days,
        "new": item.new,
        "timely": item.timely,
        "minutes": item.minutes,
        "notes": item.notes,
        "message": item.message,
        "blocked": item.blocked,
        "instead": list(item.instead),
        "text_link": _sms_href(item) or None,
        "enrollment_id": item.enrollment_id,
        "appointment_id": item.appointment_id,
        "promise_id": item.promise_id,
        "email": item.email or None,
    }


def agenda_json(agenda: Agenda, *, day: object) -> dict[str, Any]:
    """The whole ``agenda --json`` document: the day's items, what was held and the time budget."""
    budget = agenda.budget
    return {
        "day": str(day),
        "items": [agenda_item_json(item) for item in agenda.items],
        "held": {
            "count": len(agenda.held),
            "calls": agenda.held_calls,
            "items": [
                {**agenda_item_json(held.item), "expected_on": held.day.isoformat() if held.day else None}
                for held in agenda.held
            ],
        },
        "budget": {
            "working_day": budget.working,
            "minutes": budget.minutes,
            "spent_minutes": round(budget.spent_minutes, 1),
            "planned_minutes": round(agenda.minutes_planned, 1),
            "calls": budget.calls,
            "calls_made": budget.calls_made,
        },
    }


def touch_logged_json(
    *, touch: Touch, contact: Contact, running: Enrollment | None, texts_stopped: list[str]
) -> dict[str, Any]:
    """A logged outcome as ``log --json`` (and the API) describe it: the touch, and the running
    playbook's next step (``running``, the contact's enrollment after logging) when one is due."""
    following: dict[str, Any] | None = None
    if running is not None and running.due_start is not None:
        spec = version_spec(version=running.version)
        step = spec.steps[running.step_index]
        following = {
            "playbook": spec.name,
            "step": step.id,
            "channel": step.channel.value,
            "due": iso_utc(running.due_start),
            "until": iso_utc(running.due_end) if running.due_end else None,
        }
    return {
        "touch_id": touch.pk,
        "contact_id": contact.pk,
        "contact_name": contact.name,
        "outcome": touch.outcome,
        "channel": touch.channel,
        "at": iso_utc(touch.at),
        "step": touch.step or None,
        "phone": touch.phone or None,
        "next": following,
        "texts_stopped": texts_stopped,
    }


def birthday_logged_json(*, touch: Touch, contact: Contact) -> dict[str, Any]:
    """A birthday greeting as ``log CONTACT birthday --json`` describes it (it completes no step)."""
    return {
        "touch_id": touch.pk,
        "contact_id": contact.pk,
        "contact_name": contact.name,
        "outcome": "birthday",
        "channel": touch.channel,
        "at": iso_utc(touch.at),
        "step": touch.step,
        "next": None,
    }


def held_text(agenda: Agenda) -> str:
    """One line on what did not fit: "7 more held: 5 on Tue 8 Dec, 2 on Wed 9 Dec (60 minutes a day, 25 calls)"."""
    if not agenda.held:
        return ""
    days: dict[str, int] = {}
    for held in agenda.held:
        key = f"{held.day:%a} {held.day.day} {held.day:%b}" if held.day else "later"
        days[key] = days.get(key, 0) + 1
    spread = ", ".join(f"{n} on {day}" if day != "later" else f"{n} later" for day, n in days.items())
    calls = f", {agenda.held_calls} of them calls" if agenda.held_calls else ""
    limits = f"{agenda.budget.minutes:g} minutes a day, {agenda.budget.calls} calls"
    if not agenda.budget.working:
        return f"Not one of your working days: {len(agenda.held)} items wait ({spread}{calls})."
    return f"{len(agenda.held)} more held for your next working days: {spread}{calls} ({limits})."


def window_text(item: AgendaItem) -> str:
    """``Tue 24 Nov 17:00–21:00 EST`` in the contact's local time."""
    local = item.local_window()
    if local is None:
        return ""
    start, end = local
    if start.date() == end.date() or end.hour == 0:
        return f"{start:%a %d %b %H:%M}–{end:%H:%M} {start:%Z}"
    return f"{start:%a %d %b %H:%M} – {end:%a %d %b %H:%M} {start:%Z}"


# --- the web app's Today and Appointments pages ---------------------------------------------------

KIND_LABELS = {
    ItemKind.APPOINTMENT: "Phone appointment",
    ItemKind.CALLBACK: "Call back now",
    ItemKind.CALL: "Call",
    ItemKind.MAIL: "Mail a note",
    ItemKind.EMAIL: "Email",
    ItemKind.SMS: "Text",
    ItemKind.TASK: "Task",
    ItemKind.BIRTHDAY: "Birthday",
    ItemKind.PROMISE: "Promised",
}

_SEND_LABELS = {
    ItemKind.MAIL: ("Mailed", Outcome.MAILED),
    ItemKind.EMAIL: ("Sent", Outcome.EMAILED),
    ItemKind.SMS: ("Sent", Outcome.TEXTED),
    ItemKind.TASK: ("Done", Outcome.DONE),
}


@dataclass(frozen=True, slots=True)
class CardAction:
    """A button on a card: a one-tap outcome, or a form that opens in the card."""

    label: str
    outcome: str = ""
    #: ``"connected"`` or ``"note"`` for the buttons that open a form.
    form: str = ""
    style: str = ""


_CALL_ACTIONS = (
    CardAction("Voicemail", Outcome.VOICEMAIL.value),
    CardAction("No answer", Outcome.NO_ANSWER.value),
    CardAction("Busy", Outcome.BUSY.value),
    CardAction("Connected…", form="connected", style="contrast"),
    CardAction("Wrong number", Outcome.WRONG_NUMBER.value, style="secondary outline"),
    CardAction("Not interested", Outcome.NOT_INTERESTED.value, style="secondary outline"),
    CardAction("Log a note", form="note", style="outline"),
)
_PERSON_ACTIONS = (
    CardAction("Connected…", form="connected", style="contrast"),
    CardAction("Log a note", form="note", style="outline"),
    CardAction("Mark done", Outcome.DONE.value, style="secondary outline"),
)


_BIRTHDAY_ACTIONS = (
    CardAction("Greeted", Outcome.DONE.value),
    CardAction("Log a note", form="note", style="outline"),
)


_PROMISE_ACTIONS = (
    CardAction("Kept", Outcome.DONE.value),
    CardAction("Log a note", form="note", style="outline"),
)


_BLOCKED_ACTIONS = (
    CardAction("Skip this step", "skip-step"),
    CardAction("Stop the playbook", "stop-playbook", style="secondary outline"),
    CardAction("Log a note", form="note", style="outline"),
)


#: What a written step that can't go out its own way offers: it went out another way.
_INSTEAD_ACTIONS = {
    "email": CardAction("Emailed it instead", Outcome.EMAILED.value),
    "sms": CardAction("Texted it instead", Outcome.TEXTED.value),
    "mail": CardAction("Mailed it instead", Outcome.MAILED.value),
}


def card_actions(item: AgendaItem) -> tuple[CardAction, ...]:
    """The buttons of a card, in the order the keys 1, 2, 3... press them."""
    if item.blocked:
        return (*(_INSTEAD_ACTIONS[c] for c in item.instead), *_BLOCKED_ACTIONS)
    if item.kind is ItemKind.CALL:
        return _CALL_ACTIONS
    if item.kind is ItemKind.BIRTHDAY:
        return _BIRTHDAY_ACTIONS
    if item.kind is ItemKind.PROMISE:
        return _PROMISE_ACTIONS
    if item.kind in _SEND_LABELS:
        label, outcome = _SEND_LABELS[item.kind]
        actions = [CardAction(label, outcome.value)]
        if item.kind is ItemKind.SMS:
            actions.append(CardAction("Wrong number", Outcome.WRONG_NUMBER.value, style="secondary outline"))
        actions.append(CardAction("Log a note", form="note", style="outline"))
        return tuple(actions)
    return _PERSON_ACTIONS


def zone_label(name: str, at: datetime) -> str:
    """``New York time (EST)``: the place and the abbreviation in force at ``at``."""
    tz = zone(name)
    place = name.rsplit("/", 1)[-1].replace("_", " ")
    abbreviation = at.astimezone(tz).tzname() or ""
    return f"{place} time ({abbreviation})" if abbreviation and abbreviation != place else f"{place} time"


def clock_text(at: datetime, zone_name: str) -> str:
    """``Mon 10:12 EST`` in the given zone."""
    local = at.astimezone(zone(zone_name))
    return f"{local:%a %H:%M %Z}"


def card_key_for(kind: str, contact_id: int, ref_id: int | None) -> str:
    """A stable, unique id for a card in the page: kind, contact, enrollment or appointment."""
    return f"{kind}-{contact_id}-{ref_id or ''}"


def card_key(item: AgendaItem) -> str:
    """The card id of an agenda item."""
    return card_key_for(
        item.kind.value, item.contact_id, item.enrollment_id or item.appointment_id or item.promise_id
    )


def _now_there(now: datetime, zone_name: str, seller_zone: str) -> str:
    """``09:00``, or ``Tue 01:00`` when it is another day there than for the seller."""
    there = now.astimezone(zone(zone_name))
    here = now.astimezone(zone(seller_zone))
    return f"{there:%H:%M}" if there.date() == here.date() else f"{there:%a %H:%M}"


@dataclass(frozen=True, slots=True)
class Card:
    """One agenda item as a card of the Today page."""

    item: AgendaItem
    key: str
    kind_label: str
    contact_url: str
    their_now: str
    their_zone: str
    window: str
    your_window: str
    phone_display: str
    sms: bool
    #: The card's Text link: ``sms:`` to the number a text may go to, with the words of a text
    #: step, a birthday greeting or a note sent another way written in ("" when none may).
    sms_href: str
    #: The number a text step goes to, as people read it.
    mobile_display: str
    actions: tuple[CardAction, ...]
    fields: dict[str, str]
    #: Where the card's forms go: ``log``, ``connected`` and ``note``.
    urls: dict[str, str]

    @property
    def subject(self) -> str:
        """The subject of the email that carries a card's note instead of the mail."""
        first = self.item.contact_name.split(" ", 1)[0]
        return f"A note for you, {first}" if first else "A note for you"

    @property
    def query(self) -> str:
        """The card's reference as a query string (for the links that open a form)."""
        return urlencode(self.fields)

    @property
    def buttons(self) -> list[tuple[CardAction, str]]:
        """Each action with the address of the form it opens (empty for one-tap outcomes)."""
        query = self.query
        return [(a, f"{self.urls[a.form]}?{query}" if a.form else "") for a in self.actions]

    # The card's hidden fields and buttons are written here rather than in the template: a
    # Today page has dozens of cards with several buttons each, and the template engine's
    # per-variable cost made them half the page's rendering time.

    @property
    def hidden_inputs(self) -> SafeString:
        """The card's reference as hidden fields of its form."""
        return format_html_join("", '<input type="hidden" name="{}" value="{}">', self.fields.items())

    @property
    def buttons_html(self) -> SafeString:
        """The card's buttons: one-tap outcomes submit the form; the others open a form in the card."""
        return format_html_join("\n", "{}", ((self._button(action, href),) for action, href in self.buttons))

    def _button(self, action: CardAction, href: str) -> SafeString:
        if href:
            return format_html(
                '<a href="{0}" role="button" class="action {1}" data-action hx-get="{0}" '
                'hx-target="#extra-{2}" hx-swap="innerHTML">{3}</a>',
                href,
                action.style,
                self.key,
                action.label,
            )
        return format_html(
            '<button type="submit" name="outcome" value="{}" class="action {}" data-action>{}</button>',
            action.outcome,
            action.style,
            action.label,
        )


def _sms_href(item: AgendaItem) -> str:
    """The ``sms:`` link of a card: to ``item.mobile`` (a number that agreed to texts and did not
    stop them), with the words written in when the card is something to text: a text step, a
    birthday greeting, a note or email that goes out by text instead."""
    if not item.mobile:
        return ""
    writes = item.kind in (ItemKind.SMS, ItemKind.BIRTHDAY) or bool(item.blocked)
    return sms_uri(item.mobile, item.script if writes else "")


def card_for(
    item: AgendaItem,
    *,
    now: datetime,
    seller_zone: str,
    contact_url: str,
    urls: dict[str, str],
) -> Card:
    """Everything the Today page shows for one agenda item."""
    kind_label = KIND_LABELS[item.kind]
    if item.kind is ItemKind.CALL and item.attempt:
        kind_label += f" · {ordinal(item.attempt)} try"
    your_window = ""
    local = item.local_window()
    if local is not None and item.kind is ItemKind.APPOINTMENT:
        seller = item.window_start.astimezone(zone(seller_zone))  # type: ignore[union-attr]
        if seller.utcoffset() != local[0].utcoffset() or seller.tzname() != local[0].tzname():
            your_window = f"{seller:%H:%M %Z} your time"
    fields = {
        "kind": item.kind.value,
        "enrollment": str(item.enrollment_id or ""),
        "step": item.step or "",
        "due": item.due.isoformat(),
        "appointment": str(item.appointment_id or ""),
        "promise_id": str(item.promise_id or ""),
        # The number a text step's "Texted" goes to is the one its Text link opens.
        "phone": item.phone or (item.mobile if item.kind is ItemKind.SMS else ""),
    }
    return Card(
        item=item,
        key=card_key(item),
        kind_label=kind_label,
        contact_url=contact_url,
        their_now=_now_there(now, item.zone, seller_zone),
        their_zone=zone_label(item.zone, now),
        window=window_text(item),
        your_window=your_window,
        phone_display=display_phone(item.phone) if item.phone else "",
        sms=bool(item.mobile),
        sms_href=_sms_href(item),
        mobile_display=display_phone(item.mobile) if item.mobile else "",
        actions=card_actions(item),
        fields=fields,
        urls=urls,
    )
