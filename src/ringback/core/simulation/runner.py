"""One policy's run, day by day, with the product's own engine and day planner, in memory.

Each simulated day (in the seller's zone): responses that arrived are handled and the learning is
refreshed; on a working day the steps that are long overdue are planned again (as signing in
does), never-touched prospects are enrolled up to the day's call limit, the candidates (every
running enrollment whose window starts by the end of the day, and the call-backs to return) go
through ``core.agenda.plan_day``, and each planned item is carried out at a time inside its
window and the seller's day. Its outcome is drawn from the world and recorded with
``core.engine.enrollment_record``, so every playbook rule (rotation, caps, Call-Mail-Call)
applies as in the product. Items not planned wait, as in the product. Responses arrive later,
in time order among the day's touches, and stop the chase through the engine.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from ringback.core.agenda import AgendaItem, Budget, ItemKind, Urgency, missing_for, plan_day, timely_reason
from ringback.core.engine import (
    Context,
    EnrollmentState,
    Status,
    enrollment_begin,
    enrollment_record,
    enrollment_replan,
    enrollment_seed,
    enrollment_skip,
)
from ringback.core.errors import NotEnrolled
from ringback.core.playbook import ALL_PARTS, PLAYBOOK_FOR_WARMTH, Channel, Outcome, Playbook, Wait
from ringback.core.scheduling import DAY, WorkWeek, find_window, vacation_from_dates, zone
from ringback.core.simulation.learner import Learner, even
from ringback.core.simulation.ledger import MINUTE, RECONTACT, Ledger, Who
from ringback.core.simulation.policies import Kind, Policy, Variants
from ringback.core.simulation.population import Person
from ringback.core.simulation.records import DayLog, PolicyRun
from ringback.core.simulation.world import World

_KINDS = {
    Channel.CALL: ItemKind.CALL,
    Channel.MAIL: ItemKind.MAIL,
    Channel.EMAIL: ItemKind.EMAIL,
    Channel.SMS: ItemKind.SMS,
    Channel.TASK: ItemKind.TASK,
}
_SENT = {
    Channel.MAIL: Outcome.MAILED,
    Channel.EMAIL: Outcome.EMAILED,
    Channel.SMS: Outcome.TEXTED,
    Channel.TASK: Outcome.DONE,
}
_PICKED_UP = frozenset({Outcome.CONNECTED, Outcome.APPOINTMENT, Outcome.NOT_INTERESTED})
#: Steps overdue by more than this many days are planned again (RINGBACK["OVERDUE_REPLAN_DAYS"]).
OVERDUE_REPLAN_DAYS = 3
#: How long the library's offer runs after its card is mailed (``core/library/messages.yaml``).
OFFER_DAYS = {"special-offer": 14}

_Action = tuple[datetime, int, AgendaItem, EnrollmentState | None]


class Run(Ledger):
    """One policy over the people of a world, for ``days`` days; :meth:`run` returns the log.

    ``stop_after_touches`` ends the planning once that many touches were made (the responses
    they bring are still awaited).
    """

    def __init__(
        self,
        *,
        world: World,
        policy: Policy,
        people: tuple[Person, ...],
        library: Mapping[str, Playbook],
        seed: int,
        days: int,
        stop_after_touches: int | None = None,
    ) -> None:
        super().__init__(world=world, policy=policy, people=people, seed=seed)
        self.days = days
        self.stop_after = stop_after_touches
        seller = world.seller
        self.library = (
            {name: even(book) for name, book in library.items()}
            if policy.learning.variants is Variants.EVEN
            else dict(library)
        )
        self.tz = seller.zone
        self.workweek = WorkWeek(days=seller.working_days, zone=seller.zone)
        self.vacations = tuple(vacation_from_dates(a, b, seller.zone) for a, b in seller.vacations)
        if policy.kind is Kind.ENGINE:
            self.learner = Learner(world=world, learning=policy.learning, playbooks=self._in_use())
        self.active: dict[int, None] = {}
        self.end = self._midnight(seller.start + timedelta(days=days))

    def _in_use(self) -> list[Playbook]:
        names = [self.policy.playbook] if self.policy.playbook else list(PLAYBOOK_FOR_WARMTH.values())
        return [self.library[n] for n in names if n in self.library]

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), zone(self.tz)).astimezone(zone("UTC"))

    def run(self) -> PolicyRun:
        """Every day of the run, then what it did."""
        seller = self.world.seller
        quiet_since: int | None = None
        for d in range(self.days):
            self.day = d
            today = seller.start + timedelta(days=d)
            start, end = self._midnight(today), self._midnight(today + DAY)
            self.events_until(start)
            if self.learner is not None:
                self.learner.refresh(d)
            away = any(a <= today <= b for a, b in seller.vacations)
            working = today.weekday() in seller.working_days and not away
            if self._stopped():
                quiet_since = d if quiet_since is None else quiet_since
                if d - quiet_since > self.world.responses.max_delay_days + 1:
                    break
                working = False
            actions = self._plan(today, start, end) if working else []
            if not working:
                self.log_day(d, today)
            for at, _, item, state in actions:
                self.events_until(at)
                if not self._stopped():
                    self._do(item, state, at)
            self.events_until(end)
        return PolicyRun(
            policy=self.policy,
            people=len(self.who),
            days=self.days,
            start=seller.start,
            touches=tuple(self.touches),
            responses=tuple(self.responses),
            day_logs=tuple(self.day_logs),
            refused=dict(self.refused),
            auto_replies=self.auto_replies,
            callbacks_returned=self.returned,
            minutes_spent=self.minutes,
        )

    def _stopped(self) -> bool:
        return self.stop_after is not None and len(self.touches) >= self.stop_after

    # --- the day's plan -------------------------------------------------------------------------

    def _candidates(self, today: date, start: datetime, end: datetime) -> list[AgendaItem]:
        """Every running enrollment due by the end of the day, and never-touched prospects
        enrolled until as many wait as the day has calls."""
        self._replan_overdue(start)
        items = []
        fresh = 0
        for pid in self.active:
            who = self.who[pid]
            if who.state is not None and who.state.window is not None and who.state.window.start < end:
                items.append(self._item(who, start, today))
                fresh += not who.touched
        limit = self.world.seller.calls_per_day
        tries = 0
        while fresh < limit and self.queue < len(self.who) and tries <= 2 * limit:
            who = self.who[self.queue]
            self.queue += 1
            tries += 1
            self._enroll(who, self._playbook_for(who), start)
            state = who.state
            if state is not None and state.window is not None and state.window.start < end:
                items.append(self._item(who, start, today))
                fresh += 1
        return items

    def _plan(self, today: date, start: datetime, end: datetime) -> list[_Action]:
        seller = self.world.seller
        items = self.returns
        self.returns = []
        if self.policy.kind is Kind.NAIVE:
            items += self.naive_items(start)
        else:
            items += self._candidates(today, start, end)
        budget = Budget(minutes=seller.minutes_per_day, calls=seller.calls_per_day)
        agenda = plan_day(items, budget=budget, costs=seller.costs, new_per_callback=seller.new_per_callback)
        fixed = sum(i.minutes for i in agenda.items if i.urgency is Urgency.FIXED)
        calls = sum(1 for i in agenda.items if i.is_call)
        flow = agenda.minutes_planned - fixed
        self.day_logs.append(
            DayLog(
                self.day, today, True, budget.minutes, flow, fixed, len(agenda.items), len(agenda.held), calls
            )
        )
        actions: list[_Action] = []
        for n, item in enumerate(agenda.items):
            who = self.who[item.contact_id]
            if item.kind is ItemKind.CALLBACK:
                at: datetime | None = start + timedelta(hours=9 + 8 * self.rng.random())
            elif self.policy.kind is Kind.NAIVE:
                at = self.any_time(who, start, end)
            else:
                at = self._time_for(who, start, end)
            if at is not None:
                actions.append((at, n, item, who.state))
        actions.sort(key=lambda a: (a[0], a[1]))
        return actions

    def _item(self, who: Who, now: datetime, today: date) -> AgendaItem:
        state, book = who.state, who.playbook
        assert state is not None and state.window is not None and book is not None
        step = book.steps[state.step]
        window = state.window
        since = state.overdue_since or (window.end if window.end < now else None)
        person = who.person
        blocked = missing_for(
            step.channel,
            callable_=len(person.numbers) > who.bad,
            textable=person.mobile and who.bad == 0,
            address=person.address,
            email=person.email,
        )
        is_call = step.channel is Channel.CALL
        return AgendaItem(
            kind=_KINDS[step.channel],
            contact_id=person.id,
            contact_name="",
            due=window.start,
            zone=who.recipient.zone,
            reason="",
            window_start=window.start,
            window_end=window.end,
            playbook=book.name,
            step=step.id,
            attempt=state.attempt if is_call else None,
            template=state.variant,
            overdue=since is not None,
            overdue_since=since,
            overdue_days=max((now - since).days, 0) if since else 0,
            new=is_call and state.attempt == 1 and who.calls == 0,
            timely=timely_reason(book, state.step, offer_until=state.offer_until, today=today),
            blocked=blocked,
        )

    def _replan_overdue(self, now: datetime) -> None:
        """As the product does once a day: long-overdue steps spread over the coming days, at
        most a day's calls a day, oldest first."""
        limit = now - timedelta(days=OVERDUE_REPLAN_DAYS)
        late = []
        for pid in self.active:
            state = self.who[pid].state
            if state is not None and state.window is not None and state.window.end < limit:
                late.append((state.window.start, pid))
        per_day = max(self.world.seller.calls_per_day, 1)
        for position, (_, pid) in enumerate(sorted(late)):
            who = self.who[pid]
            assert who.state is not None and who.playbook is not None
            who.state = enrollment_replan(
                who.state,
                who.playbook,
                at=now,
                context=self._context(who),
                not_before=now + timedelta(days=position // per_day),
            )
            self._settle(who, now)

    def _time_for(self, who: Who, start: datetime, end: datetime) -> datetime | None:
        """A time inside the item's window and the seller's day; for an overdue item, inside the
        first free window of the day (in the same part of the day when it can be)."""
        state = who.state
        assert state is not None and state.window is not None and who.playbook is not None
        window = state.window
        lo, hi = max(window.start, start), min(window.end, end)
        if hi - lo >= MINUTE:
            return lo + (hi - lo) * self.rng.random()
        channel = who.playbook.steps[state.step].channel
        context = self._context(who)
        for parts in ((window.part,), ALL_PARTS) if window.part else (ALL_PARTS,):
            found = find_window(
                channel=channel,
                wait=Wait(0, 0),
                reference=start,
                not_before=start,
                recipient=context.recipient,
                hours=context.hours,
                vacations=context.vacations,
                calls=state.calls,
                parts=parts,
                earliest=True,
                workweek=context.workweek,
            )
            if found is not None and found.start < end and min(found.end, end) - found.start >= MINUTE:
                return found.start + (min(found.end, end) - found.start) * self.rng.random()
        return None

    # --- enrollments ----------------------------------------------------------------------------

    def _playbook_for(self, who: Who) -> Playbook:
        return self.library[self.policy.playbook or PLAYBOOK_FOR_WARMTH[who.person.warmth.value]]

    def _context(self, who: Who) -> Context:
        learner = self.learner
        assert learner is not None
        return Context(
            recipient=who.recipient,
            hours=self.world.seller.calling_hours,
            vacations=self.vacations,
            mail_lead_days=self.world.card.delivery_max_days,
            workweek=self.workweek,
            offer_days=OFFER_DAYS,
            variants=learner.variants,
            variant_floor=learner.floor,
            call_times=learner.times_for(who.person.id, who.person.warmth),
        )

    def _enroll(self, who: Who, book: Playbook, at: datetime) -> None:
        seed = enrollment_seed(
            contact_id=who.person.id,
            version_id=zlib.crc32(f"{self.seed}:{book.name}:{book.version}".encode()),
            round=who.round,
        )
        who.round += 1
        who.playbook = book
        who.state = enrollment_begin(book, seed=seed, at=at, context=self._context(who))
        self._settle(who, at)

    def _settle(self, who: Who, at: datetime) -> None:
        """Keep the run's lists in step with the enrollment's state after a change."""
        state, pid = who.state, who.person.id
        if state is not None and not state.ended:
            self.active[pid] = None
            return
        self.active.pop(pid, None)
        if state is None or who.done:
            return
        if (
            state.status is Status.EXHAUSTED
            and state.recontact_at is not None
            and state.recontact_at < self.end
        ):
            assert who.playbook is not None
            follow = who.playbook.finish.recontact_playbook
            self.push(
                state.recontact_at,
                RECONTACT,
                pid,
                -1,
                follow if follow in self.library else who.playbook.name,
            )
        elif state.status is Status.STOPPED and state.switch_to in self.library:
            self._enroll(who, self.library[state.switch_to], at)

    def recontact(self, pid: int, at: datetime, playbook: str) -> None:
        who = self.who[pid]
        if not who.done and (who.state is None or who.state.ended):
            self._enroll(who, self.library[playbook], at)

    def engaged(self, who: Who, at: datetime) -> None:
        state, book = who.state, who.playbook
        if state is not None and book is not None and not state.ended:
            try:
                who.state = enrollment_record(
                    state, book, outcome=Outcome.CALLBACK, at=at, context=self._context(who)
                )
            except NotEnrolled:  # pragma: no cover - guarded by ``ended`` above
                return
        self._settle(who, at)

    # --- carrying items out ---------------------------------------------------------------------

    def _do(self, item: AgendaItem, planned: EnrollmentState | None, at: datetime) -> None:
        who = self.who[item.contact_id]
        if item.kind is ItemKind.CALLBACK:
            self.returned += 1
            self.minutes += self.world.seller.costs.conversation
            return
        if self.policy.kind is Kind.NAIVE:
            self.naive_call(who, at)
            return
        state, book = who.state, who.playbook
        if who.done or state is not planned or state is None or book is None:
            return  # they responded since the day was planned
        if item.blocked:
            self.minutes += 1.0
            who.state = enrollment_skip(state, book, at=at, context=self._context(who))
            self._settle(who, at)
            return
        step = book.steps[state.step]
        channel = step.channel
        if channel is Channel.CALL:
            outcome, number = self.dial(who, at, attempt=state.attempt, variant=state.variant)
        else:
            outcome, number = _SENT[channel], 0
            self.minutes += self.world.seller.costs.of(_KINDS[channel])
        touch = self.log(
            who,
            at,
            channel,
            outcome,
            playbook=book.name,
            step=step.id,
            index=state.step,
            variant=state.variant,
            attempt=state.attempt if channel is Channel.CALL else 0,
            window_start=state.window.start if state.window else None,
            number=number,
        )
        who.state = enrollment_record(state, book, outcome=outcome, at=at, context=self._context(who))
        if outcome in _PICKED_UP:
            self.response(who.person.id, at, touch, "connected", inbound=False, outcome=outcome)
        elif channel is Channel.CALL:
            self.after_call(who, at, outcome, state.variant, touch)
        else:
            self.after_send(who, at, channel, state.variant, touch)
        self._settle(who, at)


def run_policy(
    *,
    world: World,
    policy: Policy,
    people: tuple[Person, ...],
    library: Mapping[str, Playbook],
    seed: int,
    days: int,
    stop_after_touches: int | None = None,
) -> PolicyRun:
    """Run ``policy`` over ``people`` for ``days`` days; the same arguments give the same run."""
    return Run(
        world=world,
        policy=policy,
        people=people,
        library=library,
        seed=seed,
        days=days,
        stop_after_touches=stop_after_touches,
    ).run()
