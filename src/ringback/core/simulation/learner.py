"""What a simulated seller's Ringback learns from results, refreshed once a simulated day, as the
product's insights refresh does: which message of a step to favour (Thompson sampling on closed
attribution windows, discounted by a half-life) and when people answer (``core.learning``'s call
times from every call's connects, by the account, the person's warmth and the person).

Responses are credited to messages by ``core.credit.credit``, the product's rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from ringback.core.credit import TouchFact, credit
from ringback.core.learning import (
    CELLS,
    CONNECT_PRIOR,
    CONTACT_STRENGTH,
    SEGMENT_STRENGTH,
    Level,
    call_times,
    variant_arms,
)
from ringback.core.playbook import Playbook, Split
from ringback.core.scheduling import CallTimes, Cell
from ringback.core.simulation.outcomes import true_call_times
from ringback.core.simulation.policies import Learning, Times, Variants
from ringback.core.simulation.world import Warmth, World
from ringback.core.stats import Arm, Beta, Tally, arms_from, decay, prior_fit, shrunk

#: The belief an oracle holds about each message: worth this many results (it never wavers).
ORACLE_STRENGTH = 1e6
WARMTH_WHO = {
    Warmth.STRANGER: "strangers",
    Warmth.MET_ONCE: "people met once",
    Warmth.ACQUAINTED: "acquaintances",
    Warmth.CUSTOMER: "customers",
}

#: A message of a step with several: (playbook, step, message, day sent).
_Sent = tuple[str, str, str, int]


def even(playbook: Playbook) -> Playbook:
    """``playbook`` with every step of several messages split evenly (``split: even``)."""
    steps = tuple(
        replace(step, split=Split.EVEN) if len(step.templates) > 1 else step for step in playbook.steps
    )
    return replace(playbook, steps=steps)


class Learner:
    """The learning state of one run; :meth:`refresh` once a day, then read :attr:`variants`,
    :attr:`floor` and :meth:`times_for` into each person's ``Context``."""

    def __init__(self, *, world: World, learning: Learning, playbooks: Iterable[Playbook]) -> None:
        self.world = world
        self.learning = learning
        self.window = timedelta(days=learning.window_days)
        self.multi: dict[tuple[str, str], tuple[str, ...]] = {
            (book.name, step.id): step.templates
            for book in playbooks
            for step in book.steps
            if len(step.templates) > 1
        }
        self.floor = 0.0 if learning.variants is Variants.ORACLE else learning.floor
        self.variants: Mapping[tuple[str, str], tuple[Arm, ...]] = (
            self._oracle_arms() if learning.variants is Variants.ORACLE else {}
        )
        self._oracle_times = true_call_times(world) if learning.times is Times.ORACLE else None
        self._sent: dict[_Sent, list[float]] = defaultdict(lambda: [0.0, 0.0])
        self._message_of: dict[int, _Sent] = {}
        self._cells: dict[tuple[int, Warmth, Cell], list[int]] = defaultdict(lambda: [0, 0])
        self._own: dict[int, list[tuple[int, Cell, bool]]] = defaultdict(list)
        self._answered: set[int] = set()
        self._account: Level | None = None
        self._segments: dict[Warmth, Level] = {}
        self._cache: dict[object, CallTimes | None] = {}
        self._day = 0

    def _oracle_arms(self) -> dict[tuple[str, str], tuple[Arm, ...]]:
        """Beliefs that never waver, at the world's relative quality of each message; every
        message but the best retired, so the oracle always picks the best."""
        arms = {}
        for key, names in self.multi.items():
            best = max(names, key=self.world.quality)
            beliefs = []
            for name in names:
                rate = 0.01 * min(self.world.quality(name), 99.0)
                belief = Beta(rate * ORACLE_STRENGTH + 1e-9, (1 - rate) * ORACLE_STRENGTH)
                beliefs.append(Arm(name, belief, retired=name != best))
            arms[key] = tuple(beliefs)
        return arms

    # --- what happened ----------------------------------------------------------------------

    def message(self, touch: int, *, playbook: str, step: str, name: str | None, day: int) -> None:
        """A message left by a step with several (others teach nothing about variants)."""
        if name is None or (playbook, step) not in self.multi:
            return
        sent = (playbook, "*" if self.learning.pool_steps else step, name, day)
        self._sent[sent][1] += 1
        self._message_of[touch] = sent

    def call(self, person: int, *, warmth: Warmth, cell: Cell, answered: bool, day: int) -> None:
        """A call attempt (a wrong number is none) in the person's local ``cell``."""
        tally = self._cells[(day, warmth, cell)]
        tally[0] += int(answered)
        tally[1] += 1
        self._own[person].append((day, cell, answered))
        if answered:
            self._answered.add(person)

    def respond(self, facts: list[TouchFact], response: TouchFact) -> None:
        """Credit ``response`` (after the person's earlier touches ``facts``) to its message, by
        ``core.credit``; a connected call is left out unless the policy counts it."""
        if response.direction == "out" and not self.learning.credit_connects:
            return
        for found in credit([*facts, response], window=self.window):
            if found.response_id == response.id and found.message_id in self._message_of:
                self._sent[self._message_of[found.message_id]][0] += 1

    # --- once a day ---------------------------------------------------------------------------

    def refresh(self, day: int) -> None:
        """What planning reads on ``day``: results of closed windows, discounted by their age."""
        self._day = day
        self._cache = {}
        half = self.learning.half_life_days
        if self.learning.variants is Variants.LEARN and self.multi:
            tallies: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(
                lambda: defaultdict(lambda: [0.0, 0.0])
            )
            for (playbook, step, name, sent_day), (won, sent) in self._sent.items():
                if sent_day + 1 + self.learning.window_days > day:
                    continue  # still pending: no verdict yet
                weight = decay(day - sent_day, half)
                tally = tallies[(playbook, step)][name]
                tally[0] += won * weight
                tally[1] += sent * weight
            self.variants = {key: self._arms(key, names, tallies) for key, names in self.multi.items()}
        if self.learning.times is Times.LEARN:
            self._levels(day, half)

    def _arms(
        self,
        key: tuple[str, str],
        names: tuple[str, ...],
        tallies: Mapping[tuple[str, str], Mapping[str, list[float]]],
    ) -> tuple[Arm, ...]:
        seen = tallies.get((key[0], "*" if self.learning.pool_steps else key[1]), {})
        results = {name: Tally(*seen[name]) if name in seen else Tally() for name in names}
        strength = self.learning.prior_strength
        if strength is None:
            return variant_arms(results)
        pooled = sum((t for t in results.values()), Tally())
        mean = (pooled.successes + 1) / (pooled.trials + 2)
        return arms_from(results, prior=Beta(mean * strength, (1 - mean) * strength))

    def _levels(self, day: int, half: float | None) -> None:
        account: dict[Cell, list[float]] = defaultdict(lambda: [0.0, 0.0])
        segments: dict[Warmth, dict[Cell, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
        for (call_day, warmth, cell), (answered, calls) in self._cells.items():
            weight = decay(day - call_day, half)
            for tally in (account[cell], segments[warmth][cell]):
                tally[0] += answered * weight
                tally[1] += calls * weight
        self._account = Level("people", {c: Tally(*t) for c, t in account.items()}) if account else None
        self._segments = {
            w: Level(WARMTH_WHO[w], {c: Tally(*t) for c, t in cells.items()}) for w, cells in segments.items()
        }

    def times_for(self, person: int, warmth: Warmth) -> CallTimes | None:
        """The call times of a person's ``Context`` today (None: nothing known, rotation only)."""
        if self.learning.times is Times.ORACLE:
            return self._oracle_times
        if self.learning.times is Times.NONE or self._account is None:
            return None
        segments = [self._segments[warmth]] if warmth in self._segments else []
        if person not in self._answered:
            key: object = warmth
            if key not in self._cache:
                self._cache[key] = self._call_times(self._account, segments, None)
            return self._cache[key]
        if person not in self._cache:
            half = self.learning.half_life_days
            own: dict[Cell, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for call_day, cell, answered in self._own[person]:
                weight = decay(self._day - call_day, half)
                own[cell][0] += answered * weight
                own[cell][1] += weight
            contact = Level("they", {c: Tally(*t) for c, t in own.items()})
            self._cache[person] = self._call_times(self._account, segments, contact)
        return self._cache[person]

    def _call_times(self, account: Level, segments: list[Level], contact: Level | None) -> CallTimes:
        """``core.learning.call_times``; with ``times_prior_strength``, the same estimate with
        the account's prior capped at that strength (reasons left out: planning needs the rates)."""
        strength = self.learning.times_prior_strength
        if strength is None:
            return call_times(account, segments, contact)
        prior = prior_fit(account.cells.values(), fallback=CONNECT_PRIOR, max_strength=strength)
        rates = {}
        for cell in CELLS:
            estimate = prior.updated(account.cells.get(cell, Tally()))
            if segments:
                means = [
                    shrunk(s.cells.get(cell, Tally()), estimate.mean, SEGMENT_STRENGTH).mean for s in segments
                ]
                mean = sum(means) / len(means)
                estimate = Beta(mean * SEGMENT_STRENGTH, (1 - mean) * SEGMENT_STRENGTH)
            if contact is not None:
                estimate = shrunk(contact.cells.get(cell, Tally()), estimate.mean, CONTACT_STRENGTH)
            rates[cell] = estimate.mean
        return CallTimes(rates=rates)


def response_fact(fact_id: int, at: datetime, *, channel: str, phone: str) -> TouchFact:
    """An inbound response as ``core.credit`` reads it (a call-back, or a reply by email)."""
    return TouchFact(fact_id, at, channel, "in", "callback", phone)
