"""What is printed: a card (the note, an offer, who sends it and to whom) and an address label.

Plain values: the ``post`` app fills them from the day's agenda and the contacts' addresses.
``contact`` is the name errors use ("Mary Smith's note is too long…"), never printed by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_text(day: date) -> str:
    """A day as cards and scripts write it: "Tuesday, December 8"."""
    return f"{WEEKDAYS[day.weekday()]}, {day:%B} {day.day}"


@dataclass(frozen=True, slots=True)
class Offer:
    """A time-sensitive offer printed under the note (R9): what it is and its last day.

    General on purpose: filled today from what the agenda item gives (the offer's expiry date),
    and from an offer of the message library when the step names one.
    """

    name: str = ""
    details: str = ""
    until: date | None = None

    @property
    def line(self) -> str:
        """The offer as one line: "Spring gift set: 20% off, good until Tuesday, December 8"."""
        what = ": ".join(p.strip() for p in (self.name, self.details) if p.strip())
        if self.until is None:
            return what
        until = f"good until {day_text(self.until)}"
        return f"{what}, {until}" if what else f"Offer {until}"


@dataclass(frozen=True, slots=True)
class Card:
    """One card: the personal note, an optional offer, the return address and the recipient's.

    ``recipient`` and ``sender`` are address lines, first the name. A folded card goes in an
    envelope: its recipient is printed on a label, not on the card.
    """

    contact: str
    note: str
    recipient: tuple[str, ...] = ()
    sender: tuple[str, ...] = ()
    offer: Offer | None = None


@dataclass(frozen=True, slots=True)
class Label:
    """One address label: the recipient's address lines, first the name."""

    contact: str
    lines: tuple[str, ...]
