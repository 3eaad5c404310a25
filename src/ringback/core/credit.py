"""Credit: which message earned a response.

A **message** is an outbound touch that left words with the person: a voicemail, a card, an
email, a text. A **response** is anything that shows they heard: they called or wrote back, an
appointment was booked, a call connected, or they said no (a "no" is an answer, R16). Each
response is credited to one message, within the attribution window before it:

- a call back logged from a number goes to the last voicemail or text left **on that number**;
- otherwise to the last message left, on any channel;
- a response with no message in the window is *uncredited*: counted, never hidden.

A message is credited once, with the first response after it; a response that follows another
within the window with no new message in between is the same conversation going on, not a new
response. The chain
of outbound touches since the contact's previous response is kept with each credit, so a report
can say what led there ("2 calls, a card, then the voicemail that worked").

A message counts as "no response" only once its window has closed; until then it is *pending*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

#: The longest chain kept with a credit.
MAX_CHAIN = 50

#: Outcomes of an outbound touch that leave words with the person.
MESSAGE_OUTCOMES = frozenset({"voicemail", "mailed", "emailed", "texted"})
#: Outcomes that show the person heard (on a touch of either direction).
RESPONSE_OUTCOMES = frozenset({"callback", "connected", "appointment", "not-interested"})
#: Channels a message on a number goes through.
NUMBER_CHANNELS = frozenset({"call", "sms"})


class Verdict(StrEnum):
    RESPONDED = "responded"
    PENDING = "pending"
    NO_RESPONSE = "no-response"


class Match(StrEnum):
    """How a response found its message."""

    NUMBER = "number"
    LAST = "last"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class TouchFact:
    """A touch as credit needs it (one contact's, in any order)."""

    id: int
    at: datetime
    channel: str
    direction: str
    outcome: str
    phone: str = ""

    @property
    def is_message(self) -> bool:
        return self.direction == "out" and self.outcome in MESSAGE_OUTCOMES

    @property
    def is_response(self) -> bool:
        return self.outcome in RESPONSE_OUTCOMES


@dataclass(frozen=True, slots=True)
class Credit:
    """One response and the message it is credited to (``message_id`` None: uncredited)."""

    response_id: int
    at: datetime
    message_id: int | None
    match: Match
    #: The outbound touches since the contact's previous response, oldest first.
    chain: tuple[int, ...]


def credit(touches: Iterable[TouchFact], *, window: timedelta) -> list[Credit]:
    """The credits of one contact's responses, in time order (see the module's rules)."""
    ordered = sorted(touches, key=lambda t: (t.at, t.id))
    credits: list[Credit] = []
    messages: list[TouchFact] = []  # since the previous response, newest last
    chain: list[int] = []
    last_response: datetime | None = None
    for touch in ordered:
        if touch.is_response:
            if last_response is not None and not messages and touch.at - last_response <= window:
                last_response = touch.at
                continue
            message, match = _credited(touch, messages, window)
            credits.append(Credit(touch.id, touch.at, message, match, tuple(chain[-MAX_CHAIN:])))
            messages, chain, last_response = [], [], touch.at
        elif touch.direction == "out":
            chain.append(touch.id)
            if touch.is_message:
                messages.append(touch)
    return credits


def _credited(
    response: TouchFact, messages: Sequence[TouchFact], window: timedelta
) -> tuple[int | None, Match]:
    recent = [m for m in messages if response.at - window <= m.at <= response.at and m.id != response.id]
    if response.direction == "in" and response.phone:
        on_number = [m for m in recent if m.channel in NUMBER_CHANNELS and m.phone == response.phone]
        if on_number:
            return on_number[-1].id, Match.NUMBER
    if recent:
        return recent[-1].id, Match.LAST
    return None, Match.NONE


def verdict(*, sent_at: datetime, responded: bool, now: datetime, window: timedelta) -> Verdict:
    """Where a message stands: responded, pending while its window is open, else no response."""
    if responded:
        return Verdict.RESPONDED
    return Verdict.PENDING if now < sent_at + window else Verdict.NO_RESPONSE
