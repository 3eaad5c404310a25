"""Today's agenda: what a seller should do, in order, with the reason for each line (R10).

Order: appointments at their time → people who responded, to call back now → call steps
(overdue, then due) interleaved with new prospects (``new_per_callback`` new ones per
follow-up call) up to the daily call capacity → mail pieces and other sends → birthdays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ringback.core.playbook import PartOfDay
from ringback.core.scheduling import CallRecord, zone

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ItemKind(StrEnum):
    APPOINTMENT = "appointment"
    CALLBACK = "callback"
    CALL = "call"
    MAIL = "mail"
    EMAIL = "email"
    SMS = "sms"
    TASK = "task"
    BIRTHDAY = "birthday"


SECTION = {
    ItemKind.APPOINTMENT: 0,
    ItemKind.CALLBACK: 1,
    ItemKind.CALL: 2,
    ItemKind.MAIL: 3,
    ItemKind.EMAIL: 4,
    ItemKind.SMS: 4,
    ItemKind.TASK: 5,
    ItemKind.BIRTHDAY: 6,
}


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One line of the agenda."""

    kind: ItemKind
    contact_id: int
    contact_name: str
    due: datetime
    zone: str
    reason: str
    window_start: datetime | None = None
    window_end: datetime | None = None
    playbook: str | None = None
    step: str | None = None
    attempt: int | None = None
    phone: str | None = None
    script: str = ""
    #: Why the script could not be filled in (the item still shows; only its script is missing).
    script_error: str = ""
    template: str | None = None
    enrollment_id: int | None = None
    appointment_id: int | None = None
    overdue: bool = False
    new: bool = False

    def local_window(self) -> tuple[datetime, datetime] | None:
        """The due window in the contact's local time."""
        if self.window_start is None or self.window_end is None:
            return None
        tz = zone(self.zone)
        return self.window_start.astimezone(tz), self.window_end.astimezone(tz)


@dataclass(frozen=True, slots=True)
class Agenda:
    """The ranked items and how many due calls were held back by the daily capacity."""

    items: tuple[AgendaItem, ...]
    held_calls: int = 0
    capacity: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def interleave(
    follow_ups: Sequence[AgendaItem],
    new: Sequence[AgendaItem],
    *,
    new_per_callback: float,
    limit: int,
) -> list[AgendaItem]:
    """Mix follow-up calls with new prospects, ``new_per_callback`` new ones per follow-up."""
    out: list[AgendaItem] = []
    credit = 0.0
    f = n = 0
    while len(out) < limit and (f < len(follow_ups) or n < len(new)):
        take_new = n < len(new) and (f >= len(follow_ups) or credit >= 1)
        if take_new:
            out.append(new[n])
            n += 1
            credit -= 1
        else:
            out.append(follow_ups[f])
            f += 1
            credit += new_per_callback
    return out


def rank_agenda(
    *,
    appointments: Sequence[AgendaItem] = (),
    callbacks: Sequence[AgendaItem] = (),
    calls: Sequence[AgendaItem] = (),
    sends: Sequence[AgendaItem] = (),
    birthdays: Sequence[AgendaItem] = (),
    capacity: int = 25,
    new_per_callback: float = 1.0,
) -> Agenda:
    """Order the day's candidates into the agenda; calls beyond ``capacity`` are held back."""
    follow_ups = sorted((c for c in calls if not c.new), key=lambda i: (not i.overdue, i.due, i.contact_id))
    new = sorted((c for c in calls if c.new), key=lambda i: (i.due, i.contact_id))
    chosen = interleave(follow_ups, new, new_per_callback=new_per_callback, limit=max(capacity, 0))
    items = [
        *sorted(appointments, key=lambda i: (i.due, i.contact_id)),
        *sorted(callbacks, key=lambda i: (i.due, i.contact_id)),
        *chosen,
        *sorted(sends, key=lambda i: (SECTION[i.kind], not i.overdue, i.due, i.contact_id)),
        *sorted(birthdays, key=lambda i: (i.contact_name, i.contact_id)),
    ]
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind.value] = counts.get(item.kind.value, 0) + 1
    return Agenda(tuple(items), held_calls=len(calls) - len(chosen), capacity=capacity, counts=counts)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_PART_WORDS = {
    PartOfDay.MORNING: "morning",
    PartOfDay.AFTERNOON: "afternoon",
    PartOfDay.EVENING: "evening",
}


def call_reason(
    *,
    attempt: int,
    playbook_title: str,
    window_start_local: datetime,
    part: PartOfDay | None,
    last_call: CallRecord | None,
    last_call_local: datetime | None,
    overdue_days: int,
    purpose: str = "",
) -> str:
    """Why this call is on the agenda, e.g. "3rd try — last time Tue morning, try Thu evening"."""
    when = f"{WEEKDAYS[window_start_local.weekday()][:3]} {_PART_WORDS[part] if part else ''}".strip()
    if attempt <= 1:
        text = f"First call ({playbook_title})"
    elif last_call is not None and last_call_local is not None:
        before = f"{WEEKDAYS[last_call_local.weekday()][:3]} {_PART_WORDS[last_call.part]}"
        text = f"{ordinal(attempt)} try — last time {before}, try {when}"
    else:
        text = f"{ordinal(attempt)} try ({playbook_title})"
    if overdue_days > 0:
        text += f"; overdue {overdue_days} day{'s' if overdue_days != 1 else ''}"
    if purpose:
        text += f". {purpose}"
    return text
