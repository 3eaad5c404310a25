"""The world's side of a run: what people do when touched, the responses that come back later,
and the log of it all. :class:`~ringback.core.simulation.runner.Run` adds the seller's side
(planning, the engine); the naive seller's calls are here, as they need no engine.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import ringback.core.simulation.outcomes as o
from ringback.core.agenda import AgendaItem, ItemKind
from ringback.core.credit import TouchFact
from ringback.core.engine import EnrollmentState
from ringback.core.playbook import ALL_PARTS, Channel, Outcome, Playbook, Wait
from ringback.core.scheduling import Recipient, find_window, part_of_day, zone
from ringback.core.simulation.learner import Learner, response_fact
from ringback.core.simulation.outcomes import Draw
from ringback.core.simulation.policies import Policy
from ringback.core.simulation.population import Person
from ringback.core.simulation.records import DayLog, Response, TouchRecord
from ringback.core.simulation.world import World

RESPONSE, CARD_READ, RECONTACT = 0, 1, 2
MINUTE = timedelta(minutes=1)
_ANSWERED = frozenset({Outcome.CONNECTED, Outcome.APPOINTMENT, Outcome.NOT_INTERESTED})
_ATTEMPTS = _ANSWERED | {Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.BUSY}


@dataclass(slots=True)
class Who:
    """A person's state in one run (mutable: the run's own bookkeeping)."""

    person: Person
    recipient: Recipient
    state: EnrollmentState | None = None
    playbook: Playbook | None = None
    round: int = 0
    #: How many of their numbers were found wrong (the next one is tried).
    bad: int = 0
    calls: int = 0
    #: How many draws of each kind the person had: their n-th pick-up draw is the same under
    #: every policy, whatever else was drawn before.
    draws: list[int] = field(default_factory=lambda: [0] * (max(Draw) + 1))
    touched: bool = False
    #: They had a conversation (or said no): the chase is over for good.
    done: bool = False
    warm_until: datetime | None = None
    touches: list[int] = field(default_factory=list)


class Ledger:
    """People, their responses and the log of one run."""

    def __init__(self, *, world: World, policy: Policy, people: tuple[Person, ...], seed: int) -> None:
        self.world, self.policy, self.seed = world, policy, seed
        self.rng = random.Random(f"run:{seed}")
        self.who = [Who(p, p.recipient) for p in people]
        self.rates = o.cell_rates(world)
        self.learner: Learner | None = None
        self.touches: list[TouchRecord] = []
        self.responses: list[Response] = []
        self.day_logs: list[DayLog] = []
        self.refused: dict[int, datetime] = {}
        self.returns: list[AgendaItem] = []
        self.events: list[tuple[datetime, int, int, int, int, str]] = []
        self.seq = itertools.count()
        self.queue = 0
        self.names: list[int] = []
        self.auto_replies = self.returned = 0
        self.minutes = 0.0
        self.day = 0

    # --- events -------------------------------------------------------------------------------

    def push(self, at: datetime, kind: int, pid: int, touch: int, what: str) -> None:
        heapq.heappush(self.events, (at, next(self.seq), kind, pid, touch, what))

    def events_until(self, until: datetime) -> None:
        """Handle, in time order, everything that happens before ``until``."""
        events = self.events
        while events and events[0][0] < until:
            at, _, kind, pid, touch, what = heapq.heappop(events)
            if kind == RESPONSE:
                self.response(pid, at, touch, what, inbound=True)
            elif kind == CARD_READ:
                self.who[pid].warm_until = at + timedelta(days=self.world.card.warm_days)
            else:
                self.recontact(pid, at, what)

    def recontact(self, pid: int, at: datetime, playbook: str) -> None:
        """The next round of a person's playbook is due (the engine's side)."""

    def engaged(self, who: Who, at: datetime) -> None:
        """They called or wrote back: the engine's side ends the chase."""

    def draw(self, who: Who, what: Draw) -> float:
        """The person's next number of this kind, in [0, 1)."""
        who.draws[what] += 1
        return o.uniform(self.seed, who.person.id, what, who.draws[what])

    # --- touches --------------------------------------------------------------------------------

    def log(
        self,
        who: Who,
        at: datetime,
        channel: Channel,
        outcome: Outcome,
        *,
        playbook: str = "",
        step: str = "",
        index: int = 0,
        variant: str | None = None,
        attempt: int = 0,
        window_start: datetime | None = None,
        number: int = 0,
    ) -> int:
        """Log a touch; returns its index."""
        n = len(self.touches)
        self.touches.append(
            TouchRecord(
                who.person.id,
                at,
                channel,
                outcome,
                playbook,
                step,
                index,
                variant,
                attempt,
                window_start,
                self.day,
                number,
            )
        )
        who.touches.append(n)
        who.touched = True
        if self.learner is not None and outcome in (
            Outcome.VOICEMAIL,
            Outcome.MAILED,
            Outcome.EMAILED,
            Outcome.TEXTED,
        ):
            self.learner.message(n, playbook=playbook, step=step, name=variant, day=self.day)
        return n

    def dial(self, who: Who, at: datetime, *, attempt: int, variant: str | None) -> tuple[Outcome, int]:
        """Call a person at ``at``: the outcome, and which of their numbers was dialled."""
        person, world = who.person, self.world
        number = who.bad
        self.minutes += world.seller.costs.call
        if number >= len(person.numbers) or not person.numbers[number]:
            who.bad += 1
            who.recipient = Recipient(
                zone=person.recipient.zone,
                country=person.recipient.country,
                birthday=person.recipient.birthday,
                numbers=max(len(person.numbers) - who.bad, 0),
                also_zones=person.recipient.also_zones,
            )
            return Outcome.WRONG_NUMBER, number
        who.calls += 1
        local = at.astimezone(zone(person.recipient.zone))
        part = part_of_day(local)
        warm = world.card.warms if who.warm_until is not None and at < who.warm_until else 1.0
        chance = o.answer_chance(
            world,
            self.rates,
            weekday=local.weekday(),
            part=part,
            warmth_factor=world.answer.by_warmth[person.warmth],
            attempt=attempt,
            reach=person.reach,
            warm=warm,
        )
        if self.draw(who, Draw.ANSWER) < chance:
            outcome = o.conversation_outcome(world, self.draw(who, Draw.CONVERSATION))
            self.minutes += world.seller.costs.conversation - world.seller.costs.call
        elif self.draw(who, Draw.BUSY) < world.answer.busy:
            outcome = Outcome.BUSY
        else:
            outcome = Outcome.VOICEMAIL if person.voicemail_box else Outcome.NO_ANSWER
        if self.learner is not None:
            self.learner.call(
                person.id,
                warmth=person.warmth,
                cell=(local.weekday(), part),
                answered=outcome in _ANSWERED,
                day=self.day,
            )
        return outcome, number

    def after_call(self, who: Who, at: datetime, outcome: Outcome, variant: str | None, touch: int) -> None:
        """A voicemail may be returned later."""
        if outcome is not Outcome.VOICEMAIL:
            return
        world = self.world
        chance = (
            world.voicemail.callback * world.responses.by_warmth[who.person.warmth] * world.quality(variant)
        )
        if who.warm_until is not None and at < who.warm_until:
            chance *= world.card.warms
        if self.draw(who, Draw.CALLBACK) < chance:
            self.later(who, at, touch, "callback")

    def after_send(self, who: Who, at: datetime, channel: Channel, variant: str | None, touch: int) -> None:
        """A card may be read (and warm the next calls, or bring a call-back); an email or a text
        may be answered, or met by an automatic answer."""
        world = self.world
        warmth = world.responses.by_warmth[who.person.warmth] * world.quality(variant)
        if channel is Channel.MAIL:
            if self.draw(who, Draw.READ) >= world.card.read:
                return
            span = world.card.delivery_max_days - world.card.delivery_min_days + 1
            days = world.card.delivery_min_days + int(self.draw(who, Draw.DELIVERY) * span)
            read_at = at + timedelta(days=days)
            self.push(read_at, CARD_READ, who.person.id, touch, "")
            if self.draw(who, Draw.CALLBACK) < world.card.response * warmth:
                self.later(who, read_at, touch, "card")
        elif channel in (Channel.EMAIL, Channel.SMS):
            reply = world.email.reply if channel is Channel.EMAIL else world.text.reply
            if self.draw(who, Draw.REPLY) < reply * warmth:
                self.later(who, at, touch, "reply")
            elif channel is Channel.EMAIL and self.draw(who, Draw.AUTO_REPLY) < world.email.auto_reply:
                self.auto_replies += 1  # an automatic answer: never a response

    def later(self, who: Who, at: datetime, touch: int, kind: str) -> None:
        delay = o.delay_days(self.world, self.draw(who, Draw.DELAY))
        self.push(at + max(timedelta(days=delay), 15 * MINUTE), RESPONSE, who.person.id, touch, kind)

    # --- responses --------------------------------------------------------------------------------

    def response(
        self, pid: int, at: datetime, touch: int, kind: str, *, inbound: bool, outcome: Outcome | None = None
    ) -> None:
        """A conversation: counted, credited, and the end of the chase."""
        who = self.who[pid]
        if who.done:
            return  # they are talking to the seller already
        if outcome is None:
            outcome = o.conversation_outcome(self.world, self.draw(who, Draw.CONVERSATION))
        who.done = True
        self.responses.append(
            Response(
                pid,
                at,
                kind,
                touch,
                (at.astimezone(zone(self.world.seller.zone)).date() - self.world.seller.start).days,
                outcome is Outcome.APPOINTMENT,
                outcome is Outcome.NOT_INTERESTED,
            )
        )
        if outcome is Outcome.NOT_INTERESTED:
            self.refused[pid] = at
        if self.learner is not None:
            facts = [self.fact(n) for n in who.touches if n != touch or inbound]
            if inbound:
                self.learner.respond(facts, self._inbound_fact(who, at, touch))
            else:
                self.learner.respond(facts, self.fact(touch))
        if inbound:
            self.engaged(who, at)
            self.returns.append(
                AgendaItem(
                    kind=ItemKind.CALLBACK,
                    contact_id=pid,
                    contact_name="",
                    due=at,
                    zone=who.recipient.zone,
                    reason="",
                )
            )

    def _inbound_fact(self, who: Who, at: datetime, touch: int) -> TouchFact:
        """A response as the product logs it: a reply by email, else a call from their number
        (the one a voicemail or text was left on, or the one they use) whatever brought it."""
        cause = self.touches[touch]
        if cause.channel is Channel.EMAIL:
            return response_fact(-len(self.responses), at, channel="email", phone="")
        number = cause.number if cause.channel in (Channel.CALL, Channel.SMS) else who.bad
        channel = "sms" if cause.channel is Channel.SMS else "call"
        return response_fact(-len(self.responses), at, channel=channel, phone=f"{who.person.id}:{number}")

    def fact(self, n: int) -> TouchFact:
        t = self.touches[n]
        phone = f"{t.person}:{t.number}" if t.channel in (Channel.CALL, Channel.SMS) else ""
        return TouchFact(n, t.at, t.channel.value, "out", t.outcome.value, phone)

    # --- the naive seller -----------------------------------------------------------------------

    def naive_items(self, start: datetime) -> list[AgendaItem]:
        """The same names as yesterday, those reached replaced by the next ones."""
        self.names = [pid for pid in self.names if not self._naive_finished(self.who[pid])]
        while len(self.names) < self.policy.names and self.queue < len(self.who):
            self.names.append(self.queue)
            self.queue += 1
        return [
            AgendaItem(
                kind=ItemKind.CALL,
                contact_id=pid,
                contact_name="",
                due=start,
                zone=self.who[pid].recipient.zone,
                reason="",
                attempt=self.who[pid].calls + 1,
            )
            for pid in self.names
        ]

    def _naive_finished(self, who: Who) -> bool:
        return who.done or who.bad >= len(who.person.numbers)

    def any_time(self, who: Who, start: datetime, end: datetime) -> datetime | None:
        """Some time today inside their calling hours (the naive seller calls when they can)."""
        parts = list(ALL_PARTS)
        self.rng.shuffle(parts)
        for part in parts:
            found = find_window(
                channel=Channel.CALL,
                wait=Wait(0, 0),
                reference=start,
                not_before=start,
                recipient=who.recipient,
                hours=self.world.seller.calling_hours,
                parts=(part,),
                earliest=True,
            )
            if found is not None and found.start < end and min(found.end, end) - found.start >= MINUTE:
                return found.start + (min(found.end, end) - found.start) * self.rng.random()
        return None

    def naive_call(self, who: Who, at: datetime) -> None:
        if self._naive_finished(who):
            return
        outcome, number = self.dial(who, at, attempt=who.calls + 1, variant=None)
        touch = self.log(who, at, Channel.CALL, outcome, attempt=who.calls, number=number)
        if outcome in _ANSWERED:
            self.response(who.person.id, at, touch, "connected", inbound=False, outcome=outcome)
        self.after_call(who, at, outcome, None, touch)

    def log_day(self, day: int, today: date) -> None:
        self.day_logs.append(DayLog(day, today, False, 0.0, 0.0, 0.0, 0, 0, 0))
