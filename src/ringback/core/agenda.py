"""Today's agenda: what a seller should do, in order, with the reason for each line (R10).

The day is planned for the time the seller has (minutes a day, and a call limit), counting what
was already done today. Each item has an estimated cost in minutes (:class:`Costs`). Items are
taken by value and urgency until the time is spent:

1. **fixed**: phone appointments and people who responded (call back now) always stay on the day;
2. **timely**: a step whose worth depends on its timing (the note a call just announced, an offer
   about to run out, a birthday card that must arrive before the birthday, a birthday greeting);
3. **the flow**: overdue steps (oldest first) then due ones, with new prospects mixed in
   (``new_per_callback`` new ones per follow-up call) up to the call limit.

What does not fit is *held*: listed, counted and forecast onto the next working days in the same
order, never dropped.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum

from ringback.core.places import zone_label
from ringback.core.playbook import Anchor, Channel, PartOfDay, Playbook
from ringback.core.scheduling import CallingHours, CallRecord, Recipient, Window, hours_edges, zone

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
    #: Something the seller promised to send or do by a day ("the article on X", R11).
    PROMISE = "promise"


class Urgency(IntEnum):
    """How an item competes for the seller's time (lower goes first)."""

    FIXED = 0
    TIMELY = 1
    FLOW = 2


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
    #: Whole days since the step first fell due and was not done (re-planning does not reset it).
    overdue_days: int = 0
    #: When the step first became overdue; older goes first.
    overdue_since: datetime | None = None
    new: bool = False
    #: Why this item's timing matters ("" for the ordinary flow): it goes before the flow.
    timely: str = ""
    #: Minutes it is expected to take (see :class:`Costs`).
    minutes: float = 0.0
    #: The seller's notes about the contact, to read before dialling.
    notes: str = ""
    #: What they said when they called or wrote back (call-back items).
    message: str = ""
    #: What the step lacks to be carried out ("a number to call", "a postal address"...): the
    #: item asks for it, or to skip the step or stop, instead of coming back every day as work.
    blocked: str = ""
    #: The other channels a blocked card, note or text can go out through ("email", "sms",
    #: "mail"): the one-tap way on ("Emailed it instead") besides skipping or stopping.
    instead: tuple[str, ...] = ()
    #: Where to send it instead: their email address (empty when unused).
    email: str = ""
    #: Their mobile number a text can go to ("" when they have none): the card's Text link.
    mobile: str = ""
    #: An email step's subject, filled in.
    subject: str = ""
    #: The library message version the script came from (None: the playbook's own text).
    message_version_id: int | None = None
    #: The offer a card announces or a call refers to: its name, what it is, its last day.
    offer_title: str = ""
    offer_details: str = ""
    offer_expires: date | None = None
    #: The promise a promise item is about.
    promise_id: int | None = None
    #: An email step that goes out by itself (``send: auto``); False: it waits for Send.
    send_auto: bool = False
    #: An email step's idempotency key in the outbox, and where its email stands there
    #: ("" : not in the outbox yet), with the outbox row's id and what went wrong or why not.
    email_key: str = ""
    outbox_status: str = ""
    outbox_id: int | None = None
    outbox_note: str = ""

    @property
    def urgency(self) -> Urgency:
        if self.kind in (ItemKind.APPOINTMENT, ItemKind.CALLBACK):
            return Urgency.FIXED
        return Urgency.TIMELY if self.timely else Urgency.FLOW

    @property
    def is_call(self) -> bool:
        """Whether it uses one of the day's calls (the call limit); a blocked call can't."""
        return self.kind is ItemKind.CALL and not self.blocked

    def local_window(self) -> tuple[datetime, datetime] | None:
        """The due window in the contact's local time."""
        if self.window_start is None or self.window_end is None:
            return None
        tz = zone(self.zone)
        return self.window_start.astimezone(tz), self.window_end.astimezone(tz)


@dataclass(frozen=True, slots=True)
class Costs:
    """Estimated minutes each kind of item takes; the defaults are documented in the README."""

    #: Dial, wait, leave a voicemail and log it.
    call: float = 4.0
    #: A call back or a phone appointment: a conversation.
    conversation: float = 15.0
    #: Write, address and stamp a card.
    card: float = 5.0
    email: float = 3.0
    text: float = 1.0
    task: float = 5.0
    #: A birthday greeting (a short call or a text).
    greeting: float = 2.0

    def of(self, kind: ItemKind) -> float:
        """The minutes an item of ``kind`` is expected to take."""
        return {
            ItemKind.APPOINTMENT: self.conversation,
            ItemKind.CALLBACK: self.conversation,
            ItemKind.CALL: self.call,
            ItemKind.MAIL: self.card,
            ItemKind.EMAIL: self.email,
            ItemKind.SMS: self.text,
            ItemKind.TASK: self.task,
            ItemKind.BIRTHDAY: self.greeting,
            # Sending what was promised is a task: find it, write a line, send it.
            ItemKind.PROMISE: self.task,
        }[kind]


@dataclass(frozen=True, slots=True)
class Budget:
    """The seller's time for follow-up on one day, and what today's work already used of it."""

    minutes: float = 60.0
    calls: int = 25
    spent_minutes: float = 0.0
    calls_made: int = 0
    #: Whether the day is one of the seller's working days (on other days only fixed items show).
    working: bool = True

    @property
    def minutes_left(self) -> float:
        return max(self.minutes - self.spent_minutes, 0.0) if self.working else 0.0

    @property
    def calls_left(self) -> int:
        return max(self.calls - self.calls_made, 0) if self.working else 0


@dataclass(frozen=True, slots=True)
class HeldItem:
    """An item that did not fit today, and the working day it is forecast to fit."""

    item: AgendaItem
    day: date | None


@dataclass(frozen=True, slots=True)
class Agenda:
    """The day's items in the order to do them, and what was held for later days."""

    items: tuple[AgendaItem, ...]
    held: tuple[HeldItem, ...] = ()
    budget: Budget = field(default_factory=Budget)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def held_calls(self) -> int:
        return sum(1 for h in self.held if h.item.is_call)

    @property
    def capacity(self) -> int:
        return self.budget.calls

    @property
    def minutes_planned(self) -> float:
        return sum(item.minutes for item in self.items)


def interleave(
    follow_ups: Sequence[AgendaItem],
    new: Sequence[AgendaItem],
    *,
    new_per_callback: float,
) -> list[AgendaItem]:
    """Mix follow-up calls with new prospects, ``new_per_callback`` new ones per follow-up."""
    out: list[AgendaItem] = []
    credit = 0.0
    f = n = 0
    while f < len(follow_ups) or n < len(new):
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


def _flow_key(item: AgendaItem) -> tuple[int, datetime, int]:
    """Overdue first (the longest overdue first), then by due time."""
    if item.overdue:
        return (0, item.overdue_since or item.due, item.contact_id)
    return (1, item.due, item.contact_id)


def _merge(*queues: Sequence[AgendaItem]) -> list[AgendaItem]:
    """Merge queues by :func:`_flow_key`, keeping each queue's own order.

    Within a queue an item competes with the key of the most urgent item before it, so a new
    prospect mixed in among overdue follow-ups keeps its place beside them.
    """
    keyed: list[list[tuple[tuple[int, datetime, int], AgendaItem]]] = []
    for queue in queues:
        running: list[tuple[tuple[int, datetime, int], AgendaItem]] = []
        for item in queue:
            key = _flow_key(item)
            running.append((max(key, running[-1][0]) if running else key, item))
        keyed.append(running)
    heads = [(q[0][0], n, 0) for n, q in enumerate(keyed) if q]
    heapq.heapify(heads)
    out: list[AgendaItem] = []
    while heads:
        _, n, i = heapq.heappop(heads)
        out.append(keyed[n][i][1])
        if i + 1 < len(keyed[n]):
            heapq.heappush(heads, (keyed[n][i + 1][0], n, i + 1))
    return out


def priority_order(items: Iterable[AgendaItem], *, new_per_callback: float) -> list[AgendaItem]:
    """Every candidate in the order it competes for the day's time: fixed, timely, then the flow."""
    pool = list(items)
    fixed = sorted(
        (i for i in pool if i.urgency is Urgency.FIXED),
        key=lambda i: (i.kind is not ItemKind.APPOINTMENT, i.due, i.contact_id),
    )
    timely = sorted((i for i in pool if i.urgency is Urgency.TIMELY), key=lambda i: (i.due, i.contact_id))
    flow = [i for i in pool if i.urgency is Urgency.FLOW]
    follow_ups = sorted((i for i in flow if i.is_call and not i.new), key=_flow_key)
    new = sorted((i for i in flow if i.is_call and i.new), key=lambda i: (i.due, i.contact_id))
    calls = interleave(follow_ups, new, new_per_callback=new_per_callback)
    sends = sorted((i for i in flow if not i.is_call), key=_flow_key)
    return [*fixed, *timely, *_merge(calls, sends)]


@dataclass(slots=True)
class _Day:
    minutes: float
    calls: int

    def fits(self, item: AgendaItem) -> bool:
        return item.minutes <= self.minutes + 1e-9 and (not item.is_call or self.calls > 0)

    def take(self, item: AgendaItem) -> None:
        self.minutes -= item.minutes
        self.calls -= 1 if item.is_call else 0


def plan_day(
    candidates: Iterable[AgendaItem],
    *,
    budget: Budget,
    costs: Costs = Costs(),
    new_per_callback: float = 1.0,
    next_days: Sequence[date] = (),
    next_budget: Budget | None = None,
) -> Agenda:
    """The day's agenda: the candidates that fit ``budget``, by value and urgency.

    Fixed items (appointments, call-backs) always stay. Others are taken in
    :func:`priority_order` while their minutes fit what is left and, for calls, while calls are
    left; an item that does not fit is held and the next, cheaper one may still fit. Held items
    are forecast onto ``next_days`` (the seller's next working days, each with ``next_budget``)
    in the same order, assuming nothing new arrives; ``day`` is None past the last one.
    """
    ordered = [
        replace(i, minutes=BLOCKED_MINUTES if i.blocked else costs.of(i.kind))
        for i in priority_order(candidates, new_per_callback=new_per_callback)
    ]
    today = _Day(budget.minutes_left, budget.calls_left)
    items: list[AgendaItem] = []
    waiting: list[AgendaItem] = []
    for item in ordered:
        if item.urgency is Urgency.FIXED or today.fits(item):
            today.take(item)
            items.append(item)
        else:
            waiting.append(item)
    later = next_budget or replace(budget, spent_minutes=0.0, calls_made=0, working=True)
    held = _forecast(waiting, next_days, later)
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind.value] = counts.get(item.kind.value, 0) + 1
    return Agenda(tuple(items), held=tuple(held), budget=budget, counts=counts)


def _forecast(waiting: Sequence[AgendaItem], days: Sequence[date], budget: Budget) -> list[HeldItem]:
    """The working day each held item is expected to fit, filling each day in priority order."""
    held: list[HeldItem] = []
    queue = list(waiting)
    for day in days:
        room = _Day(budget.minutes_left, budget.calls_left)
        rest = []
        for item in queue:
            if room.fits(item):
                room.take(item)
                held.append(HeldItem(item, day))
            else:
                rest.append(item)
        queue = rest
        if not queue:
            break
    held += [HeldItem(item, None) for item in queue]
    order = {id(item): n for n, item in enumerate(waiting)}
    return sorted(held, key=lambda h: order[id(h.item)])


def birthday_greeting(*, first_name: str, seller_first_name: str) -> str:
    """Words for a birthday call or text: warm, short, no sales message (R11)."""
    who = f"it's {seller_first_name}" if seller_first_name else "it's me"
    return (
        f"Happy birthday, {first_name}! Hi, {who}: no business today, I just wanted to wish you "
        "a wonderful day and a great year ahead."
    )


#: What deciding about a step that can't be carried out takes (skip it, stop, or add the detail).
BLOCKED_MINUTES = 1.0

#: What a step of each channel needs, by what is missing.
MISSING = {
    "call": "a number to call (the numbers left are wrong, or work numbers not OK to call at work)",
    "sms": "a mobile number that agreed to texts (and did not stop them)",
    "mail": "a postal address",
    "email": "an email address",
}


def missing_for(channel: Channel, *, callable_: bool, textable: bool, address: bool, email: bool) -> str:
    """What a step on ``channel`` lacks for this contact ("" when it can be carried out)."""
    have = {Channel.CALL: callable_, Channel.SMS: textable, Channel.MAIL: address, Channel.EMAIL: email}
    return "" if have.get(channel, True) else MISSING[channel.value]


#: The channels that carry a written message, each of which may stand in for another.
SEND_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.MAIL)


def instead_for(channel: Channel, *, textable: bool, address: bool, email: bool) -> tuple[Channel, ...]:
    """How a written step on ``channel`` that can't go out could go out instead: the card's note
    by email or text, an email by text or mail... (none for a call or a task)."""
    if channel not in SEND_CHANNELS:
        return ()
    have = {Channel.EMAIL: email, Channel.SMS: textable, Channel.MAIL: address}
    return tuple(c for c in SEND_CHANNELS if c is not channel and have[c])


#: An offer this many days (or fewer) from running out makes its step timely.
OFFER_SOON_DAYS = 2


def timely_reason(playbook: Playbook, index: int, *, offer_until: date | None, today: date) -> str:
    """Why step ``index`` of ``playbook`` must be done on time ("" when it can wait its turn).

    A birthday card or greeting is tied to the birthday; a note or email due a day or less after
    a call is the one that call announced; an offer about to run out must reach them before it does.
    """
    step = playbook.steps[index]
    if step.anchor is Anchor.BIRTHDAY:
        if step.channel is Channel.MAIL:
            return "the card must arrive before their birthday"
        return "for their birthday"
    previous = playbook.steps[index - 1] if index > 0 else None
    if (
        previous is not None
        and previous.channel is Channel.CALL
        and step.channel is not Channel.CALL
        and step.wait.max_days <= 1
    ):
        return "the note your last call announced"
    if offer_until is not None and 0 <= (offer_until - today).days <= OFFER_SOON_DAYS:
        return (
            f"the offer runs out on {WEEKDAYS[offer_until.weekday()][:3]} {offer_until.day} {offer_until:%b}"
        )
    return ""


def working_days_after(
    day: date, *, weekdays: frozenset[int], away: Iterable[tuple[date, date]] = (), count: int = 5
) -> list[date]:
    """The next ``count`` working days after ``day`` (weekday numbers, Monday 0), skipping
    the days inside ``away`` (first and last day, inclusive)."""
    spans = list(away)
    out: list[date] = []
    current = day
    for _ in range(count * 60):
        current += timedelta(days=1)
        if current.weekday() in weekdays and not any(a <= current <= b for a, b in spans):
            out.append(current)
            if len(out) == count:
                break
    return out


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_PART_WORDS = {
    PartOfDay.MORNING: "morning",
    PartOfDay.AFTERNOON: "afternoon",
    PartOfDay.EVENING: "evening",
}


def promise_reason(*, first_name: str, text: str, due_on: date, today: date) -> tuple[str, str]:
    """Why a promise is on the agenda, and why it goes before the flow (R11, seed 004): "Send
    Mary the article on spring gardens, as you promised" and "promised for today" (or for the
    day it was promised, when that has passed)."""
    what = text.strip().rstrip(".")
    reason = f"Send {first_name} {what}, as you promised" if first_name else f"Send {what}, as you promised"
    if due_on >= today:
        return reason, "promised for today"
    late = (today - due_on).days
    when = f"{WEEKDAYS[due_on.weekday()][:3]} {due_on.day} {due_on:%b}"
    return f"{reason} ({late} day{'s' if late != 1 else ''} late)", f"promised for {when}"


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
    narrowed: str = "",
    best_time: str = "",
) -> str:
    """Why this call is on the agenda, e.g. "3rd try — last time Tue morning, try Thu evening",
    with why that time when the results chose it (``best_time``: "Ann answered twice on Tuesday
    evenings") and ``narrowed`` (see :func:`narrowing_note`) after it."""
    when = f"{WEEKDAYS[window_start_local.weekday()][:3]} {_PART_WORDS[part] if part else ''}".strip()
    if attempt <= 1:
        text = f"First call ({playbook_title})"
    elif last_call is not None and last_call_local is not None:
        before = f"{WEEKDAYS[last_call_local.weekday()][:3]} {_PART_WORDS[last_call.part]}"
        text = f"{ordinal(attempt)} try — last time {before}, try {when}"
    else:
        text = f"{ordinal(attempt)} try ({playbook_title})"
    if best_time:
        text += f": {best_time}"
    if narrowed:
        text += f", {narrowed}"
    if overdue_days > 0:
        text += f"; overdue {overdue_days} day{'s' if overdue_days != 1 else ''}"
    if purpose:
        text += f". {purpose}"
    return text


def narrowing_note(
    *,
    window: Window,
    recipient: Recipient,
    hours: CallingHours,
    own: CallingHours,
    rules: Sequence[tuple[str, CallingHours]],
    where: str,
) -> str:
    """What narrowed a call window of a contact with more than one place, e.g. "until 19:00:
    Florida's rule, 20:00 Eastern time (address in Orlando, number from Illinois)"; "" when
    neither edge of the window was narrowed by another zone or by a state rule.

    ``hours`` are the calling hours the window was planned in, ``own`` the seller's, ``rules``
    the state rules of the contact's places, by the state's name; times are in the contact's
    own zone, as on the card.
    """
    start_zone, end_zone = hours_edges(window, recipient, hours)
    tz = zone(recipient.zone)
    edges = []
    if start_zone is not None and (start_zone != recipient.zone or hours.start > own.start):
        owners = [name for name, rule in rules if rule.start == hours.start and hours.start > own.start]
        edges.append(_edge_text("from", window.start.astimezone(tz), start_zone, recipient.zone, owners))
    if end_zone is not None and (end_zone != recipient.zone or hours.end < own.end):
        owners = [name for name, rule in rules if rule.end == hours.end and hours.end < own.end]
        edges.append(_edge_text("until", window.end.astimezone(tz), end_zone, recipient.zone, owners))
    if not edges:
        return ""
    return "; ".join(edges) + (f" ({where})" if where else "")


def _edge_text(word: str, local: datetime, edge_zone: str, own_zone: str, owners: Sequence[str]) -> str:
    """ "until 19:00: Florida's rule, 20:00 Eastern time" and the like."""
    why = [f"{owners[0]}'s rule"] if owners else []
    if edge_zone != own_zone:
        there = local.astimezone(zone(edge_zone))
        why.append(f"{there:%H:%M} {zone_label(edge_zone)} time")
    return f"{word} {local:%H:%M}: {', '.join(why)}"
