"""The enrollment state machine: one contact running one playbook.

States: ``active`` (a step is planned), ``paused``, and the terminal ``engaged`` (they answered
or responded: the chase stops at once), ``exhausted`` (the playbook ran out) and ``stopped``
(not interested, do not contact, no working number, or switched to another playbook).

Every function here is pure: it takes a state and returns a new one. Randomness (a "3-4 days"
wait, an A/B script) is drawn from a generator seeded by the enrollment's seed and position,
so the same seed always gives the same plan.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from ringback.core.errors import NotEnrolled, OutcomeNotAllowed
from ringback.core.playbook import (
    ENDING,
    ENGAGING,
    STEP_OUTCOMES,
    Action,
    Anchor,
    Branch,
    Channel,
    Outcome,
    Playbook,
    Split,
    Step,
    Wait,
)
from ringback.core.scheduling import (
    DEFAULT_HOURS,
    EVERY_DAY,
    CallingHours,
    CallRecord,
    CallTimes,
    Recipient,
    Vacation,
    Window,
    WorkWeek,
    call_record,
    find_window,
    next_birthday,
    zone,
)
from ringback.core.stats import Arm, Beta, thompson_pick

#: A step retried (wrong number, other phone) more often than this moves on.
MAX_RETRIES = 3


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENGAGED = "engaged"
    EXHAUSTED = "exhausted"
    STOPPED = "stopped"


TERMINAL: frozenset[Status] = frozenset({Status.ENGAGED, Status.EXHAUSTED, Status.STOPPED})
RUNNING: frozenset[Status] = frozenset({Status.ACTIVE, Status.PAUSED})


@dataclass(frozen=True, slots=True)
class Context:
    """The world around an enrollment: the contact's zone and rules, the seller's vacations.

    ``recipient.numbers`` counts the phone numbers still usable *after* the touch being
    recorded (a wrong number is flagged bad before the engine hears of it).
    """

    recipient: Recipient = field(default_factory=Recipient)
    hours: CallingHours = DEFAULT_HOURS
    vacations: tuple[Vacation, ...] = ()
    #: Days a mailed card takes to arrive: a card for a date is due this many days before it.
    mail_lead_days: int = 0
    #: The seller's working days: steps are planned only on them.
    workweek: WorkWeek = EVERY_DAY
    #: How many days each offer of the library runs after its card is mailed, by name.
    offer_days: Mapping[str, int] = field(default_factory=dict)
    #: What is known of each message of a step with several, by (playbook name, step id): the
    #: arms Thompson sampling picks from. A step with none known is split evenly.
    variants: Mapping[tuple[str, str], tuple[Arm, ...]] = field(default_factory=dict)
    #: The share of the picks every variant keeps until it is clearly worse.
    variant_floor: float = 0.05
    #: When the contact is likely to answer (None: nothing known; calls rotate only).
    call_times: CallTimes | None = None


@dataclass(frozen=True, slots=True)
class EnrollmentState:
    """Where an enrollment stands: the next step and its due window, or how it ended."""

    status: Status
    step: int
    seed: int
    started_at: datetime
    window: Window | None = None
    variant: str | None = None
    #: Why the window is at that time of the week, when what is known of the contact chose it
    #: ("she answered twice on Tuesday evenings").
    window_reason: str = ""
    last_touch_at: datetime | None = None
    calls: tuple[CallRecord, ...] = ()
    touches: int = 0
    retries: int = 0
    reason: str = ""
    recontact_at: datetime | None = None
    switch_to: str | None = None
    mailed_on: date | None = None
    offer_until: date | None = None
    #: When the current step first became overdue, kept when an overdue step is planned again
    #: (None while it is not overdue, and for every new step).
    overdue_since: datetime | None = None

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    @property
    def attempt(self) -> int:
        """The number the next call would have (1 for the first call of the enrollment)."""
        return len(self.calls) + 1


_FIELDS = tuple(f.name for f in fields(EnrollmentState))


def _draw(seed: int, what: str, index: int, touches: int) -> int:
    """A reproducible number for one random choice of an enrollment (a wait, an A/B script)."""
    return zlib.crc32(f"{seed}:{what}:{index}:{touches}".encode())


def _pick_variant(
    step: Step, playbook: str, seed: int, index: int, touches: int, context: Context
) -> str | None:
    """The message of the step to use: the only one, an even draw (``split: even``, or nothing
    known yet), or Thompson sampling on what is known of each, drawn from the enrollment's seed so
    that the same seed and the same knowledge make the same pick."""
    if not step.templates:
        return None
    if len(step.templates) == 1:
        return step.templates[0]
    draw = _draw(seed, "variant", index, touches)
    known = context.variants.get((playbook, step.id), ()) if step.split is Split.LEARN else ()
    arms = {arm.name: arm for arm in known}
    if not arms:
        return step.templates[draw % len(step.templates)]
    # A message new to the step starts where the known ones stand on average, worth two results.
    usual = sum(arm.belief.mean for arm in arms.values()) / len(arms)
    fresh = Beta(usual * 2, (1 - usual) * 2)
    choices = [arms.get(name) or Arm(name, fresh) for name in step.templates]
    return thompson_pick(choices, random.Random(draw), floor=context.variant_floor)


def _evolve(state: EnrollmentState, **changes: object) -> EnrollmentState:
    """A copy of ``state`` with ``changes`` (a lean ``dataclasses.replace`` for the hot path)."""
    values = {name: getattr(state, name) for name in _FIELDS}
    values.update(changes)
    return EnrollmentState(**values)


def _finish(state: EnrollmentState, playbook: Playbook, at: datetime, reason: str) -> EnrollmentState:
    recontact = None
    if playbook.finish.recontact_after_days is not None:
        base = state.last_touch_at or at
        recontact = base + timedelta(days=playbook.finish.recontact_after_days)
    return replace(
        state,
        status=Status.EXHAUSTED,
        step=len(playbook.steps),
        window=None,
        variant=None,
        window_reason="",
        reason=reason,
        recontact_at=recontact,
    )


def _birthday_anchor(step: Step, context: Context, *, floor: datetime, reference: datetime) -> date | None:
    """The day a birthday step is planned on, or None to skip it (no birthday, or too far off).

    A card is mailed ``mail_lead_days`` before the birthday so that it arrives by then.
    """
    birthday = context.recipient.birthday
    if birthday is None:
        return None
    tz = zone(context.recipient.zone)
    anchor = next_birthday(birthday[0], birthday[1], floor.astimezone(tz).date())
    if (
        step.skip_beyond_days is not None
        and (anchor - reference.astimezone(tz).date()).days > step.skip_beyond_days
    ):
        return None
    if step.channel is Channel.MAIL:
        # Mailed early enough to arrive by the day (or at once when that is already too late).
        anchor -= timedelta(days=context.mail_lead_days)
    return anchor


def _plan(
    state: EnrollmentState,
    playbook: Playbook,
    index: int,
    at: datetime,
    context: Context,
    *,
    not_before: datetime | None = None,
    retry: bool = False,
) -> EnrollmentState:
    """Move to step ``index`` (skipping steps that cannot apply) and plan its window.

    A ``retry`` (the same step on another number) is due at once rather than after the wait.
    """
    while True:
        if index >= len(playbook.steps):
            return _finish(state, playbook, at, "finished the playbook")
        step = playbook.steps[index]
        limits = playbook.limits
        if (
            step.channel is Channel.CALL
            and limits.max_calls is not None
            and len(state.calls) >= limits.max_calls
        ):
            return _finish(state, playbook, at, f"made {limits.max_calls} calls")
        reference = state.last_touch_at or state.started_at
        floor = max(at, not_before) if not_before is not None else at
        if limits.min_gap_days is not None and state.last_touch_at is not None:
            floor = max(floor, state.last_touch_at + timedelta(days=limits.min_gap_days))
        not_after = None
        if step.channel is Channel.CALL and limits.within_days is not None and state.calls:
            not_after = state.calls[0].at + timedelta(days=limits.within_days)
        anchor_day = None
        if step.anchor is Anchor.BIRTHDAY:
            anchor_day = _birthday_anchor(step, context, floor=floor, reference=reference)
            if anchor_day is None:
                index += 1
                continue
        window = find_window(
            channel=step.channel,
            wait=Wait(0, 0) if retry else step.wait,
            reference=reference,
            not_before=floor,
            recipient=context.recipient,
            hours=context.hours,
            vacations=context.vacations,
            calls=state.calls,
            parts=step.parts,
            not_after=not_after,
            anchor_day=anchor_day,
            earliest=retry,
            workweek=context.workweek,
            tie_break=_draw(state.seed, "window", index, state.touches),
            times=context.call_times,
        )
        if window is None:
            if step.anchor is not None:
                index += 1
                continue
            if not_after is not None:
                return _finish(state, playbook, at, f"no calling time left within {limits.within_days} days")
            return _finish(state, playbook, at, "no time to plan the next step")
        variant = _pick_variant(step, playbook.name, state.seed, index, state.touches, context)
        why = ""
        if step.channel is Channel.CALL and context.call_times is not None:
            local = window.start.astimezone(zone(context.recipient.zone))
            why = context.call_times.reason(local.weekday(), window.part)
        return _evolve(
            state,
            status=Status.ACTIVE,
            step=index,
            window=window,
            variant=variant,
            window_reason=why,
            overdue_since=None,
        )


def enrollment_begin(playbook: Playbook, *, seed: int, at: datetime, context: Context) -> EnrollmentState:
    """A new enrollment starting at ``at``, with its first step planned."""
    state = EnrollmentState(status=Status.ACTIVE, step=0, seed=seed, started_at=at)
    return _plan(state, playbook, 0, at, context)


def allowed_outcomes(playbook: Playbook, state: EnrollmentState) -> frozenset[Outcome]:
    """Outcomes that may be recorded against the enrollment's current step."""
    if state.ended or state.step >= len(playbook.steps):
        return frozenset(ENGAGING | ENDING)
    return STEP_OUTCOMES[playbook.steps[state.step].channel] | ENGAGING | ENDING


def _default_branch(outcome: Outcome, context: Context) -> Branch:
    if outcome is Outcome.WRONG_NUMBER:
        return Branch(Action.RETRY) if context.recipient.numbers > 0 else Branch(Action.END)
    return Branch(Action.NEXT)


def enrollment_record(
    state: EnrollmentState,
    playbook: Playbook,
    *,
    outcome: Outcome,
    at: datetime,
    context: Context,
) -> EnrollmentState:
    """Apply the outcome of a touch (or an inbound response) made at ``at``.

    Connected, callback and appointment end the chase (``engaged``); not-interested and
    do-not-contact stop it. Step outcomes advance along the playbook's branches: by default to
    the next step; a wrong number retries the step on another number, or ends when none is left.
    """
    if state.ended:
        raise NotEnrolled(f"this enrollment has already ended ({state.status.value}: {state.reason})")
    step = playbook.steps[state.step] if state.step < len(playbook.steps) else None
    where = f"at step {state.step + 1}" + (f" ({step.id})" if step else "")
    if outcome in ENGAGING or outcome in ENDING:
        return _evolve(
            state,
            status=Status.ENGAGED if outcome in ENGAGING else Status.STOPPED,
            window=None,
            variant=None,
            window_reason="",
            last_touch_at=at,
            touches=state.touches + 1,
            reason=f"{outcome.value} {where}",
        )
    if step is None or outcome not in STEP_OUTCOMES[step.channel]:
        channel = step.channel.value if step else "none"
        fits = ", ".join(sorted(o.value for o in allowed_outcomes(playbook, state)))
        raise OutcomeNotAllowed(
            f"{outcome.value!r} does not fit the next step ({channel}); log one of: {fits}"
        )
    calls = state.calls
    # A wrong number reached somebody else: it is no attempt to reach this person.
    if step.channel is Channel.CALL and outcome is not Outcome.WRONG_NUMBER:
        calls = (*calls, call_record(at, context.recipient.zone))
    mailed_on, offer_until = state.mailed_on, state.offer_until
    if outcome is Outcome.MAILED:
        mailed_on = at.astimezone(zone(context.recipient.zone)).date()
        days = step.offer_days if step.offer_days is not None else context.offer_days.get(step.offer or "")
        if days is not None:
            offer_until = mailed_on + timedelta(days=days)
    branch = step.on.get(outcome) or _default_branch(outcome, context)
    retry = branch.action is Action.RETRY and state.retries < MAX_RETRIES
    done = _evolve(
        state,
        last_touch_at=at,
        calls=calls,
        touches=state.touches + 1,
        mailed_on=mailed_on,
        offer_until=offer_until,
        retries=state.retries + 1 if retry else 0,
    )
    if retry:
        return _plan(done, playbook, state.step, at, context, retry=True)
    if branch.action is Action.END:
        if outcome is Outcome.WRONG_NUMBER and context.recipient.numbers == 0:
            return replace(
                done,
                status=Status.STOPPED,
                window=None,
                variant=None,
                window_reason="",
                reason="no working number left",
            )
        return _finish(done, playbook, at, f"ended by the playbook on {outcome.value} {where}")
    if branch.action is Action.SWITCH:
        return replace(
            done,
            status=Status.STOPPED,
            window=None,
            variant=None,
            window_reason="",
            reason=f"switched to {branch.target} on {outcome.value}",
            switch_to=branch.target,
        )
    index = (
        playbook.step_index(branch.target)
        if branch.action is Action.GOTO and branch.target
        else state.step + 1
    )
    return _plan(done, playbook, index, at, context)


def enrollment_pause(state: EnrollmentState) -> EnrollmentState:
    """Pause an active enrollment; its window is kept until it resumes."""
    if state.status is not Status.ACTIVE:
        raise NotEnrolled(f"only an active enrollment can be paused (this one is {state.status.value})")
    return replace(state, status=Status.PAUSED)


def enrollment_resume(
    state: EnrollmentState, playbook: Playbook, *, at: datetime, context: Context
) -> EnrollmentState:
    """Resume a paused enrollment, planning its current step again from ``at``."""
    if state.status is not Status.PAUSED:
        raise NotEnrolled(f"only a paused enrollment can be resumed (this one is {state.status.value})")
    return _plan(replace(state, status=Status.ACTIVE), playbook, state.step, at, context)


def enrollment_replan(
    state: EnrollmentState,
    playbook: Playbook,
    *,
    at: datetime,
    context: Context,
    not_before: datetime | None = None,
) -> EnrollmentState:
    """Plan the current step again from ``at`` (after a vacation, or when long overdue).

    A step that was overdue at ``at`` stays overdue since the first time: being planned again
    does not make it young.
    """
    if state.status is not Status.ACTIVE:
        return state
    since = state.overdue_since
    if since is None and state.window is not None and state.window.end < at:
        since = state.window.end
    new = _plan(state, playbook, state.step, at, context, not_before=not_before)
    if new.status is Status.ACTIVE and new.step == state.step and since is not None:
        return _evolve(new, overdue_since=since)
    return new


def enrollment_skip(
    state: EnrollmentState, playbook: Playbook, *, at: datetime, context: Context
) -> EnrollmentState:
    """Leave out the current step (it can't be carried out: no number, no address) and plan the next."""
    if state.status is not Status.ACTIVE:
        raise NotEnrolled(f"only an active enrollment can skip a step (this one is {state.status.value})")
    return _plan(replace(state, retries=0), playbook, state.step + 1, at, context)


def enrollment_stop(state: EnrollmentState, *, reason: str) -> EnrollmentState:
    """End a running enrollment by hand (replaced by another playbook, or removed)."""
    if state.ended:
        return state
    return replace(state, status=Status.STOPPED, window=None, variant=None, window_reason="", reason=reason)


def enrollment_next_call(
    state: EnrollmentState, playbook: Playbook, *, at: datetime, context: Context
) -> Window | None:
    """The window of the next call if the current step is done at ``at`` and nobody answers.

    What a voicemail can promise ("I'll try you again on Friday"): the steps in between (a note
    in the mail) are assumed done when they are due.
    """
    if state.ended or state.window is None:
        return None
    current = state
    when = at
    for _ in range(len(playbook.steps) + MAX_RETRIES):
        step = playbook.steps[current.step]
        current = enrollment_record(
            current, playbook, outcome=default_outcome(step, current.attempt), at=when, context=context
        )
        if current.ended or current.window is None:
            return None
        if playbook.steps[current.step].channel is Channel.CALL:
            return current.window
        when = current.window.start
    return None


@dataclass(frozen=True, slots=True)
class PlannedTouch:
    """One touch of a simulated run: the step, its window, the script and what was recorded."""

    step: Step
    index: int
    window: Window
    variant: str | None
    attempt: int
    outcome: Outcome


def default_outcome(step: Step, attempt: int) -> Outcome:
    """The outcome a simulation assumes when nobody answers: voicemail, mailed, emailed..."""
    return {
        Channel.CALL: Outcome.VOICEMAIL,
        Channel.MAIL: Outcome.MAILED,
        Channel.EMAIL: Outcome.EMAILED,
        Channel.SMS: Outcome.TEXTED,
        Channel.TASK: Outcome.DONE,
    }[step.channel]


def enrollment_simulate(
    playbook: Playbook,
    *,
    seed: int,
    start: datetime,
    context: Context,
    outcome_for: Callable[[Step, int], Outcome] = default_outcome,
    touch_at: Callable[[Window], datetime] = lambda w: w.start,
    max_touches: int = 100,
) -> tuple[list[PlannedTouch], EnrollmentState]:
    """Run a playbook from ``start`` with the given outcomes; return the touches and the end state.

    Each touch happens at ``touch_at(window)`` (the start of its window by default).
    """
    state = enrollment_begin(playbook, seed=seed, at=start, context=context)
    touches: list[PlannedTouch] = []
    for touch in _walk(playbook, state, context, outcome_for, touch_at, max_touches):
        touches.append(touch[0])
        state = touch[1]
    return touches, state


def _walk(
    playbook: Playbook,
    state: EnrollmentState,
    context: Context,
    outcome_for: Callable[[Step, int], Outcome],
    touch_at: Callable[[Window], datetime],
    max_touches: int,
) -> Iterator[tuple[PlannedTouch, EnrollmentState]]:
    while not state.ended and state.window is not None and state.touches < max_touches:
        step = playbook.steps[state.step]
        outcome = outcome_for(step, state.attempt)
        planned = PlannedTouch(step, state.step, state.window, state.variant, state.attempt, outcome)
        if outcome is Outcome.WRONG_NUMBER:
            # The number is flagged bad, as touch logging does: one fewer left to try.
            recipient = replace(context.recipient, numbers=max(context.recipient.numbers - 1, 0))
            context = replace(context, recipient=recipient)
        state = enrollment_record(
            state, playbook, outcome=outcome, at=touch_at(state.window), context=context
        )
        yield planned, state


def enrollment_seed(*, contact_id: int, version_id: int, round: int) -> int:
    """The seed of an enrollment: reproducible from who, which version and how many enrollments
    the contact had before (``round``). Not from the instant it starts, so that a preview shown a
    minute before is the plan that starting makes."""
    return zlib.crc32(f"{contact_id}:{version_id}:{round}".encode())
