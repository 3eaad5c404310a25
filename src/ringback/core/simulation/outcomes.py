"""Drawing what people do: per-person, per-event random numbers and the world's chances.

Each draw is a hash of the run's seed, the person, what is drawn and the person's count of it,
so the same person meets the same luck under every policy compared (common random numbers):
differences between policies are then the policies', not the dice's.
"""

from __future__ import annotations

import math
from enum import IntEnum

from ringback.core.playbook import ALL_PARTS, Outcome, PartOfDay
from ringback.core.scheduling import CallTimes, Cell
from ringback.core.simulation.world import MAX_ANSWER, World

_MASK = (1 << 64) - 1
_SCALE = 1.0 / float(1 << 64)


class Draw(IntEnum):
    ANSWER = 1
    BUSY = 2
    CONVERSATION = 3
    CALLBACK = 4
    DELAY = 5
    READ = 6
    DELIVERY = 7
    REPLY = 8
    AUTO_REPLY = 9


def _mix(x: int) -> int:
    """SplitMix64's finaliser: a well-mixed 64-bit number from any integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def uniform(seed: int, person: int, what: Draw, n: int) -> float:
    """A number in [0, 1), the same for the same seed, person, kind of draw and count ``n``."""
    return _mix(_mix(_mix((seed & _MASK) ^ (int(what) << 56)) ^ person) ^ n) * _SCALE


def conversation_outcome(world: World, u: float) -> Outcome:
    """What a conversation became: an appointment, a "no", or neither (connected)."""
    if u < world.conversation.appointment:
        return Outcome.APPOINTMENT
    if u < world.conversation.appointment + world.conversation.not_interested:
        return Outcome.NOT_INTERESTED
    return Outcome.CONNECTED


def delay_days(world: World, u: float) -> float:
    """Days from a message to its response: exponential with the world's mean, capped."""
    days = -world.responses.mean_delay_days * math.log1p(-u)
    return min(days, float(world.responses.max_delay_days))


def cell_rates(world: World) -> dict[Cell, float]:
    """The pick-up rate of a stranger's first call in each cell of the week."""
    return {(day, part): world.answer.cell_rate(day, part) for day in range(7) for part in ALL_PARTS}


def true_call_times(world: World) -> CallTimes:
    """What an oracle knows of when people answer: the world's own rates by cell."""
    return CallTimes(rates=cell_rates(world))


def answer_chance(
    world: World,
    rates: dict[Cell, float],
    *,
    weekday: int,
    part: PartOfDay,
    warmth_factor: float,
    attempt: int,
    reach: float,
    warm: float,
) -> float:
    """The chance that this call is picked up."""
    chance = rates[(weekday, part)] * warmth_factor * world.answer.attempt_factor(attempt) * reach * warm
    return min(chance, MAX_ANSWER)
