"""What a simulated run leaves behind: every touch, every response, and each day's plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from ringback.core.playbook import Channel, Outcome
from ringback.core.simulation.policies import Policy


@dataclass(frozen=True, slots=True)
class TouchRecord:
    """One outbound touch of the chase (a call, a card, an email, a text, a task)."""

    person: int
    at: datetime
    channel: Channel
    outcome: Outcome
    #: The playbook and step it carried out ("" for the naive seller), and the step's index.
    playbook: str
    step: str
    index: int
    variant: str | None
    #: The call's number in its enrollment (1 for the first); 0 for other channels.
    attempt: int
    #: The start of the window the engine planned it in (None for the naive seller).
    window_start: datetime | None
    #: The simulated day (0 for the first) and which of the person's numbers was used.
    day: int
    number: int


@dataclass(frozen=True, slots=True)
class Response:
    """A conversation: a call picked up, a call-back or a reply; ``touch`` is the touch that
    truly caused it (the world knows; the product has to credit it)."""

    person: int
    at: datetime
    #: "connected" (a call picked up), "callback" (after a voicemail), "card" (a call-back after
    #: a card), "reply" (to an email or a text).
    kind: str
    touch: int
    day: int
    appointment: bool
    not_interested: bool


@dataclass(frozen=True, slots=True)
class DayLog:
    """What one day's plan held: minutes of the flow and of fixed items, what was held."""

    day: int
    date: date
    working: bool
    budget_minutes: float
    #: Minutes of the items that compete for the budget (fixed items not counted).
    flow_minutes: float
    fixed_minutes: float
    items: int
    held: int
    calls_planned: int


@dataclass(frozen=True, slots=True)
class PolicyRun:
    """Everything one policy's run did."""

    policy: Policy
    people: int
    days: int
    start: date
    touches: tuple[TouchRecord, ...]
    responses: tuple[Response, ...]
    day_logs: tuple[DayLog, ...]
    #: Who said "not interested", and when.
    refused: Mapping[int, datetime]
    auto_replies: int
    callbacks_returned: int
    #: Minutes the seller spent, at the agenda's costs (a call that became a conversation costs
    #: a conversation, as the product counts it).
    minutes_spent: float
