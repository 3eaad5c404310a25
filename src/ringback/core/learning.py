"""What the planner learns from results: which message of a step to favour, and when a contact
answers. The product (from the touches in the database) and the simulator (from its own) feed
the same functions, and the engine reads what they return from its :class:`~ringback.core.engine.Context`.

- **Variants**: each message of a step with several gets a Beta posterior of its response rate,
  from a prior worth :data:`VARIANT_PRIOR_STRENGTH` results at the step's pooled rate, updated with
  the step's results (only touches whose attribution window has closed count, old ones discounted).
  Thompson sampling then picks (``core.stats.thompson_pick``).
- **Call times**: the connect rate of each weekday and part of the day, account-wide, for each of
  the contact's segments (their warmth, their tags) and for the contact; each level is shrunk
  toward the level above (empirical Bayes), so a contact with two answered calls moves their
  estimate without deciding it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ringback.core.playbook import ALL_PARTS
from ringback.core.scheduling import CallTimes, Cell
from ringback.core.stats import Arm, Beta, Tally, arms_from, prior_fit, shrunk

#: How many results the prior of a step's messages is worth.
VARIANT_PRIOR_STRENGTH = 10.0
#: The prior of a connect rate when the account has no calls yet (about one call in five).
CONNECT_PRIOR = Beta(2.0, 8.0)
#: How many calls the level above is worth at a segment, and at a contact.
SEGMENT_STRENGTH = 40.0
CONTACT_STRENGTH = 8.0
#: The fewest calls, at a level, before the reason names that level.
REASON_MIN_CALLS = 2
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CELLS: tuple[Cell, ...] = tuple((day, part) for day in range(7) for part in ALL_PARTS)


def variant_arms(tallies: Mapping[str, Tally]) -> tuple[Arm, ...]:
    """The arms of one step's messages (every message it names, with or without results)."""
    pooled = Tally()
    for tally in tallies.values():
        pooled = pooled + tally
    mean = (pooled.successes + 1) / (pooled.trials + 2)
    prior = Beta(mean * VARIANT_PRIOR_STRENGTH, (1 - mean) * VARIANT_PRIOR_STRENGTH)
    return arms_from(tallies, prior=prior)


@dataclass(frozen=True, slots=True)
class Level:
    """The calls of one level (the account, a segment, the contact): a tally per cell, and how
    the level is named in a reason ("people", "strangers", "Ann")."""

    who: str
    cells: Mapping[Cell, Tally]


def cell_words(cell: Cell, *, plural: bool = True) -> str:
    """'Tuesday evenings' (or 'Tuesday evening')."""
    day, part = cell
    return f"{WEEKDAYS[day]} {part.value}{'s' if plural else ''}"


def _times(count: float) -> str:
    whole = round(count)
    return {1: "once", 2: "twice"}.get(whole, f"{whole} times")


def call_times(account: Level, segments: Sequence[Level] = (), contact: Level | None = None) -> CallTimes:
    """The contact's connect rate per cell: the account's cells shrunk toward the prior fitted
    across them, each segment's toward the account (segments averaged), the contact's toward
    that; and the reason of each cell, from the narrowest level that has answered calls in it."""
    prior = prior_fit(account.cells.values(), fallback=CONNECT_PRIOR, max_strength=200.0)
    rates: dict[Cell, float] = {}
    reasons: dict[Cell, str] = {}
    for cell in CELLS:
        estimate = prior.updated(account.cells.get(cell, Tally()))
        if segments:
            means = [
                shrunk(s.cells.get(cell, Tally()), estimate.mean, SEGMENT_STRENGTH).mean for s in segments
            ]
            estimate = Beta(
                sum(means) / len(means) * SEGMENT_STRENGTH, (1 - sum(means) / len(means)) * SEGMENT_STRENGTH
            )
        if contact is not None:
            estimate = shrunk(contact.cells.get(cell, Tally()), estimate.mean, CONTACT_STRENGTH)
        rates[cell] = estimate.mean
        reasons[cell] = _reason(cell, account, segments, contact)
    return CallTimes(rates=rates, reasons={cell: text for cell, text in reasons.items() if text})


def _reason(cell: Cell, account: Level, segments: Sequence[Level], contact: Level | None) -> str:
    if contact is not None:
        tally = contact.cells.get(cell, Tally())
        # Counts are discounted by age: an answer long ago no longer makes a reason.
        if round(tally.successes) >= 1:
            return f"{contact.who} answered {_times(tally.successes)} on {cell_words(cell)}"
    for level in (*segments, account):
        tally = level.cells.get(cell, Tally())
        if tally.trials >= REASON_MIN_CALLS and tally.successes > 0 and tally.rate is not None:
            share = round(100 * tally.rate)
            return f"{level.who} answer most on {cell_words(cell)} ({share} % of calls)"
    return ""
