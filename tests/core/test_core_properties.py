"""Properties of scheduling and simulated enrollments, for random contacts, dates and outcomes.

What a seller relies on: a call is never planned outside the contact's calling hours, on a
public holiday there, on a Sunday or during the seller's vacation; the chase is capped; retries
move to another part of the day and another weekday whenever the wait range allows it (R6);
every enrollment ends; the same seed gives the same plan.

Rotation (R6) is tested as the scheduler promises it in ``find_window``: a repeat of the
previous attempt's weekday or part of the day costs far more than any tie-breaker or any of the
first nine days past the wait range. So (1) the chosen window never repeats more of the previous
attempt (weekday, part of day) than the best window the wait range itself offered, and (2) on
the chosen day it never repeats the previous part of the day if another part was free that day.
Which windows were free is worked out here, independently, from the rules.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringback.core.engine import (
    MAX_RETRIES,
    TERMINAL,
    Context,
    EnrollmentState,
    PlannedTouch,
    Status,
    default_outcome,
    enrollment_simulate,
)
from ringback.core.playbook import (
    ALL_PARTS,
    ENDING,
    ENGAGING,
    Channel,
    Outcome,
    PartOfDay,
    Playbook,
    Step,
    Wait,
    builtin_playbooks,
)
from ringback.core.scheduling import (
    CallingHours,
    CallRecord,
    Recipient,
    Window,
    call_record,
    calling_hours_for,
    find_window,
    is_holiday,
)

BOOKS = builtin_playbooks()
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Auckland",
]
REGIONS: list[tuple[str, str | None]] = [
    ("US", "FL"),
    ("US", "OK"),
    ("US", "MD"),
    ("US", "CA"),
    ("US", "NY"),
    ("DE", None),
    ("GB", None),
    ("FR", None),
    ("AU", None),
    ("IN", None),
    ("NZ", None),
]
CALL_OUTCOMES = [Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.BUSY, Outcome.WRONG_NUMBER]

#: The parts of the day a call can be planned in, as the product defines them (local time).
PART_HOURS: dict[PartOfDay, tuple[time, time]] = {
    PartOfDay.MORNING: (time(8), time(12)),
    PartOfDay.AFTERNOON: (time(12), time(17)),
    PartOfDay.EVENING: (time(17), time(21)),
}
MIN_WINDOW = timedelta(minutes=30)
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
TICK = timedelta(microseconds=1)


# --------------------------------------------------------------------------- strategies


@st.composite
def contexts(draw: st.DrawFn, start: datetime | None = None) -> Context:
    zone = draw(st.sampled_from(ZONES))
    country, subdivision = draw(st.sampled_from(REGIONS))
    birthday = draw(st.none() | st.tuples(st.integers(1, 12), st.integers(1, 31)).filter(_real_day))
    recipient = Recipient(
        zone=zone,
        country=country,
        subdivision=subdivision,
        birthday=birthday,
        numbers=draw(st.integers(1, 3)),
    )
    vacations = []
    anchor = start or EPOCH
    for _ in range(draw(st.integers(0, 2))):
        begins = anchor + timedelta(hours=draw(st.integers(-5 * 24, 60 * 24)))
        lasts = timedelta(hours=draw(st.integers(1, 14 * 24)))
        vacations.append((begins, begins + lasts))
    return Context(
        recipient=recipient,
        hours=calling_hours_for(country, subdivision),
        vacations=tuple(vacations),
    )


def _real_day(month_day: tuple[int, int]) -> bool:
    try:
        date(2024, *month_day)  # a leap year, so 29 February is a real birthday
    except ValueError:
        return False
    return True


starts = st.integers(0, 3 * 365 * 24 * 60).map(lambda m: EPOCH + timedelta(minutes=m))
seeds = st.integers(0, 2**32 - 1)
outcome_lists = st.lists(st.sampled_from(CALL_OUTCOMES), min_size=1, max_size=30)
fraction_lists = st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=30)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[datetime, Context]:
    start = draw(starts)
    return start, draw(contexts(start))


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    touches: list[PlannedTouch]
    times: list[datetime]  # when each touch was made
    state: EnrollmentState


def simulate(
    book: Playbook,
    *,
    seed: int,
    start: datetime,
    context: Context,
    outcomes: Sequence[Outcome],
    fractions: Sequence[float],
) -> Run:
    """Run ``book`` with the given call outcomes, touching each window at a random instant."""
    times: list[datetime] = []
    next_outcome = itertools.cycle(outcomes)
    next_fraction = itertools.cycle(fractions)

    def outcome_for(step: Step, attempt: int) -> Outcome:
        if step.channel is Channel.CALL:
            return next(next_outcome)
        return default_outcome(step, attempt)

    def touch_at(window: Window) -> datetime:
        span = (window.end - window.start).total_seconds()
        at = window.start + timedelta(seconds=int(span * next(next_fraction)))
        at = min(at, window.end - timedelta(seconds=1))
        times.append(at)
        return at

    touches, state = enrollment_simulate(
        book,
        seed=seed,
        start=start,
        context=context,
        outcome_for=outcome_for,
        touch_at=touch_at,
    )
    assert len(times) == len(touches)
    return Run(touches, times, state)


# --------------------------------------------------------------------------- the oracle


def local(at: datetime, recipient: Recipient) -> datetime:
    return at.astimezone(ZoneInfo(recipient.zone))


def part_of(local_time: time) -> PartOfDay:
    """Before noon is morning, before 17:00 afternoon, after that evening."""
    if local_time < time(12):
        return PartOfDay.MORNING
    if local_time < time(17):
        return PartOfDay.AFTERNOON
    return PartOfDay.EVENING


def overlaps_vacation(start: datetime, end: datetime, context: Context) -> bool:
    return any(v_start < end and start < v_end for v_start, v_end in context.vacations)


def day_allowed(channel: Channel, day: date, recipient: Recipient) -> bool:
    if channel is Channel.TASK:
        return True
    if channel in (Channel.CALL, Channel.MAIL) and day.weekday() == 6:
        return False
    return not is_holiday(day, recipient.country, recipient.subdivision)


def slot(
    day: date,
    part: PartOfDay | None,
    *,
    channel: Channel,
    context: Context,
    not_before: datetime,
    not_after: datetime | None,
    calls: Sequence[CallRecord],
) -> tuple[datetime, datetime] | None:
    """The free window for ``part`` of ``day`` (UTC), or None when it may not be used."""
    recipient, hours = context.recipient, context.hours
    if not day_allowed(channel, day, recipient):
        return None
    lo, hi = hours.start, hours.end
    if part is not None:
        lo, hi = max(lo, PART_HOURS[part][0]), min(hi, PART_HOURS[part][1])
    if lo >= hi:
        return None
    tz = ZoneInfo(recipient.zone)
    start = datetime.combine(day, lo, tz).astimezone(UTC)
    end = datetime.combine(day, hi, tz).astimezone(UTC)
    start = max(start, not_before)
    if not_after is not None:
        end = min(end, not_after)
    if end - start < MIN_WINDOW:
        return None
    if overlaps_vacation(start, end, context):
        return None
    cap = hours.max_calls_per_24h if channel is Channel.CALL else None
    if cap is not None and sum(1 for c in calls if start - timedelta(days=1) < c.at <= start) >= cap:
        return None
    return start, end


def repeats(day: date, part: PartOfDay, previous: CallRecord) -> int:
    """How much of the previous attempt a call on ``day`` in ``part`` would repeat (0-2)."""
    return int(day.weekday() == previous.weekday) + int(part == previous.part)


def wait_days(reference: date, wait: Wait, recipient: Recipient) -> tuple[date, date]:
    """First and last local day of a wait range counted from ``reference``."""
    if not wait.business:
        return reference + timedelta(days=wait.min_days), reference + timedelta(days=wait.max_days)

    def business(day: date) -> bool:
        return day.weekday() < 5 and not is_holiday(day, recipient.country, recipient.subdivision)

    def nth(count: int) -> date:
        """The first business day on or after the reference, then ``count`` more."""
        following = (reference + timedelta(days=n) for n in range(count * 3 + 30))
        return [d for d in following if business(d)][count]

    return nth(wait.min_days), nth(wait.max_days)


def check_rotation(
    window: Window,
    *,
    parts: Sequence[PartOfDay],
    wait: Wait,
    reference: datetime,
    not_before: datetime,
    not_after: datetime | None,
    calls: Sequence[CallRecord],
    context: Context,
) -> None:
    """Assert the rotation promise (R6) for a call window planned after ``calls``."""
    if not calls:
        return
    recipient = context.recipient
    previous = calls[-1]
    first, last = wait_days(local(reference, recipient).date(), wait, recipient)
    floor_day = local(not_before, recipient).date()
    free = dict(
        channel=Channel.CALL,
        context=context,
        not_before=not_before,
        not_after=not_after,
        calls=calls,
    )
    day = local(window.start, recipient).date()
    assert window.part is not None
    chosen = repeats(day, window.part, previous)

    # (1) Never more repetition than the best the wait range offered.
    in_range = [
        (d, p)
        for d in (max(first, floor_day) + timedelta(days=n) for n in range((last - first).days + 1))
        if d <= last
        for p in parts
        if slot(d, p, **free) is not None  # type: ignore[arg-type]
    ]
    if in_range:
        best = min(repeats(d, p, previous) for d, p in in_range)
        assert chosen <= best, (
            f"call on {day:%a %Y-%m-%d} {window.part} repeats {chosen} of the previous attempt "
            f"({previous.part}, weekday {previous.weekday}) but the wait range {first}..{last} "
            f"offered a window repeating only {best}: {in_range}"
        )
        other_days = {d for d, p in in_range if d.weekday() != previous.weekday}
        fresh = [(d, p) for d, p in in_range if d in other_days and p != previous.part]
        if fresh:
            assert day.weekday() != previous.weekday and window.part != previous.part

    # (2) On the chosen day, another part of the day if one was free.
    other_parts = [
        p
        for p in parts
        if p != previous.part and slot(day, p, **free) is not None  # type: ignore[arg-type]
    ]
    if other_parts:
        assert window.part != previous.part, (
            f"call on {day} repeats the {previous.part} although {other_parts} were free"
        )


def check_window_rules(window: Window, channel: Channel, context: Context) -> None:
    """A window lies in one allowed local day, inside calling hours, off holidays and vacations."""
    recipient, hours = context.recipient, context.hours
    start, end = local(window.start, recipient), local(window.end - TICK, recipient)
    assert window.end - window.start >= MIN_WINDOW
    assert start.date() == end.date(), f"{window} spans two local days"
    day = start.date()
    assert not is_holiday(day, recipient.country, recipient.subdivision), f"{day} is a holiday"
    if channel in (Channel.CALL, Channel.MAIL):
        assert day.weekday() != 6, f"{channel} planned on Sunday {day}"
    assert hours.start <= start.time(), f"{window} starts before {hours.start} local"
    assert local(window.end, recipient).time() <= hours.end, f"{window} ends after {hours.end}"
    assert not overlaps_vacation(window.start, window.end, context), f"{window} in a vacation"
    if channel is Channel.CALL:
        assert window.part is not None
        assert part_of(start.time()) == window.part == part_of(end.time())


def check_cap(instants: Sequence[datetime], hours: CallingHours) -> None:
    cap = hours.max_calls_per_24h
    if cap is None:
        return
    ordered = sorted(instants)
    for i, first in enumerate(ordered):
        within = [t for t in ordered[i:] if t < first + timedelta(days=1)]
        assert len(within) <= cap, f"{len(within)} calls within 24 h from {first}"


@dataclass
class RunSoFar:
    """What :func:`check_run` has seen of a run, touch by touch."""

    previous_at: datetime  # when the previous touch was made (the start, before the first)
    numbers_left: int  # the contact's numbers not yet found wrong
    previous: PlannedTouch | None = None
    retries: int = 0  # retries on another number in a row, up to the previous touch
    calls: list[CallRecord] = field(default_factory=list)  # the calls that reached the line
    attempt_windows: list[Window] = field(default_factory=list)  # the windows of those calls
    limited_windows: list[Window] = field(
        default_factory=list
    )  # call windows planned after the first attempt

    def retrying(self) -> bool:
        """True when the next touch must retry the previous one on another number: it reached a
        wrong number, and neither the retries nor the numbers have run out."""
        wrong = self.previous is not None and self.previous.outcome is Outcome.WRONG_NUMBER
        return wrong and self.retries < MAX_RETRIES and self.numbers_left > 0


def check_run(book: Playbook, run: Run, context: Context, start: datetime) -> None:
    """Every property a simulated run must have."""
    # (d) It ends, within a bounded number of touches.
    assert run.state.status in TERMINAL, run.state
    assert run.state.ended
    assert len(run.touches) <= len(book.steps) * (MAX_RETRIES + 1)

    # Calls that reached the contact's line count as attempts; a wrong number reached somebody
    # else and is retried at once on another number (at most MAX_RETRIES times in a row).
    seen = RunSoFar(previous_at=start, numbers_left=context.recipient.numbers)
    for touch, at in zip(run.touches, run.times, strict=True):
        check_touch(book, touch, at, seen, context)
    check_chase(book, run, seen, context)


def check_touch(book: Playbook, touch: PlannedTouch, at: datetime, seen: RunSoFar, context: Context) -> None:
    """The properties of one touch, made at ``at`` after what was ``seen``; then add it to ``seen``."""
    window, step = touch.window, touch.step
    # Touches are in order and inside their windows; windows start after the last touch.
    assert window.start >= seen.previous_at
    assert window.start <= at < window.end
    # (a) Calling hours, holidays, Sundays, vacations.
    check_window_rules(window, step.channel, context)
    retry = seen.retrying()
    if retry:
        assert seen.previous is not None
        assert touch.index == seen.previous.index, "a wrong number retries the same step"
    seen.retries = seen.retries + 1 if retry else 0
    if step.channel is Channel.CALL:
        check_call(book, touch, at, seen, context, retry=retry)
    if touch.variant is not None:
        assert touch.variant in step.templates
    seen.previous, seen.previous_at = touch, at


def check_call(
    book: Playbook, touch: PlannedTouch, at: datetime, seen: RunSoFar, context: Context, *, retry: bool
) -> None:
    """The properties of a call: its attempt number, its part of the day, rotation (R6) or, for a
    retry on another number, no wait; then count it as an attempt, or a number less."""
    window, step = touch.window, touch.step
    assert touch.attempt == len(seen.calls) + 1
    assert window.part in step.parts
    not_after = None
    if book.limits.within_days is not None and seen.calls:
        not_after = seen.calls[0].at + timedelta(days=book.limits.within_days)
        seen.limited_windows.append(window)
    # (c) Rotation of weekday and part of the day; a retry on another number is no new
    # attempt to reach them and takes the first window instead.
    if retry:
        check_retry_is_due_at_once(window, step, seen, context)
    else:
        check_rotation(
            window,
            parts=step.parts,
            wait=step.wait,
            reference=seen.previous_at,
            not_before=seen.previous_at,
            not_after=not_after,
            calls=seen.calls,
            context=context,
        )
    if touch.outcome is not Outcome.WRONG_NUMBER:
        seen.calls.append(call_record(at, context.recipient.zone))
        seen.attempt_windows.append(window)
    else:
        seen.numbers_left -= 1


def check_retry_is_due_at_once(window: Window, step: Step, seen: RunSoFar, context: Context) -> None:
    """A retry on another number is due at once: the same local day, when that day still has room."""
    today = local(seen.previous_at, context.recipient).date()
    free = [
        p
        for p in step.parts
        if slot(
            today,
            p,
            channel=Channel.CALL,
            context=context,
            not_before=seen.previous_at,
            not_after=None,
            calls=seen.calls,
        )
    ]
    if free:
        assert local(window.start, context.recipient).date() == today


def check_chase(book: Playbook, run: Run, seen: RunSoFar, context: Context) -> None:
    """The properties of the whole run: calls per 24 h, the chase's limits, and how it ended."""
    calls = seen.calls
    # (f) No more attempts in 24 h than the region allows.
    check_cap([w.start for w in seen.attempt_windows], context.hours)
    check_cap([c.at for c in calls], context.hours)
    assert run.state.calls == tuple(calls)
    # (b) The chase is capped.
    if book.limits.max_calls is not None:
        assert len(calls) <= book.limits.max_calls
        assert all(t.attempt <= book.limits.max_calls for t in run.touches)
    if book.limits.within_days is not None and calls:
        last_end = calls[0].at + timedelta(days=book.limits.within_days)
        assert all(w.end <= last_end for w in seen.limited_windows)
    # (g) Minimum gap between touches.
    if book.limits.min_gap_days is not None:
        check_gaps(run, timedelta(days=book.limits.min_gap_days))
    # How it ended.
    if run.state.status is Status.EXHAUSTED and book.finish.recontact_after_days is not None:
        assert run.state.recontact_at is not None
        assert run.state.last_touch_at is not None
        assert run.state.recontact_at == run.state.last_touch_at + timedelta(
            days=book.finish.recontact_after_days
        )


def check_gaps(run: Run, gap: timedelta) -> None:
    """At least ``gap`` between two touches, and between a touch and the next one's window."""
    for earlier, later in itertools.pairwise(run.times):
        assert later - earlier >= gap
    for earlier_at, touch in zip(run.times, run.touches[1:], strict=False):
        assert touch.window.start - earlier_at >= gap


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("name", sorted(BOOKS))
@SETTINGS
@given(
    scenario=scenarios(),
    seed=seeds,
    outcomes=outcome_lists,
    fractions=fraction_lists,
)
def test_simulated_runs_keep_every_rule(
    name: str,
    scenario: tuple[datetime, Context],
    seed: int,
    outcomes: list[Outcome],
    fractions: list[float],
) -> None:
    start, context = scenario
    book = BOOKS[name]
    run = simulate(book, seed=seed, start=start, context=context, outcomes=outcomes, fractions=fractions)
    check_run(book, run, context, start)
    # (e) The same seed gives the same plan.
    again = simulate(book, seed=seed, start=start, context=context, outcomes=outcomes, fractions=fractions)
    assert again.touches == run.touches
    assert again.times == run.times
    assert again.state == run.state


@SETTINGS
@given(
    scenario=scenarios(),
    seed=seeds,
    outcomes=st.lists(st.sampled_from(CALL_OUTCOMES[:3]), min_size=1, max_size=10),
    fractions=fraction_lists,
)
def test_four_calls_two_weeks_never_plans_a_fifth_call(
    scenario: tuple[datetime, Context],
    seed: int,
    outcomes: list[Outcome],
    fractions: list[float],
) -> None:
    """Nobody answers: four calls at most, all within 14 days of the first, then next quarter."""
    start, context = scenario
    book = BOOKS["four-calls-two-weeks"]
    run = simulate(book, seed=seed, start=start, context=context, outcomes=outcomes, fractions=fractions)
    check_run(book, run, context, start)
    assert len(run.touches) <= 4
    assert run.state.status is Status.EXHAUSTED
    assert run.state.recontact_at is not None
    first = run.times[0]
    assert all(t.window.end <= first + timedelta(days=14) for t in run.touches)
    if len(run.touches) == 4:
        assert run.touches[-1].variant == "yes-or-no"


@pytest.mark.parametrize("name", sorted(BOOKS))
@SETTINGS
@given(
    scenario=scenarios(),
    seed=seeds,
    outcomes=outcome_lists,
    answer_at=st.integers(0, 6),
    answer=st.sampled_from(sorted(ENGAGING | ENDING)),
)
def test_a_response_ends_the_chase_at_once(
    name: str,
    scenario: tuple[datetime, Context],
    seed: int,
    outcomes: list[Outcome],
    answer_at: int,
    answer: Outcome,
) -> None:
    start, context = scenario
    book = BOOKS[name]
    made = itertools.count()

    def outcome_for(step: Step, attempt: int) -> Outcome:
        n = next(made)
        if n == answer_at:
            return answer
        if step.channel is Channel.CALL:
            return outcomes[n % len(outcomes)]
        return default_outcome(step, attempt)

    touches, state = enrollment_simulate(
        book, seed=seed, start=start, context=context, outcome_for=outcome_for
    )
    assert state.ended
    if len(touches) > answer_at:
        assert len(touches) == answer_at + 1
        assert state.status is (Status.ENGAGED if answer in ENGAGING else Status.STOPPED)
        assert state.recontact_at is None
        assert state.window is None


@pytest.mark.parametrize(
    "name", ["call-mail-call", "steady-weekly", "four-calls-two-weeks", "stranger-series"]
)
@SETTINGS
@given(
    start=starts,
    zone=st.sampled_from(ZONES),
    region=st.sampled_from(REGIONS),
    seed=seeds,
    outcomes=st.lists(st.sampled_from(CALL_OUTCOMES[:3]), min_size=1, max_size=10),
    fractions=fraction_lists,
)
def test_without_vacations_every_call_moves_weekday_and_part_of_day(
    name: str,
    start: datetime,
    zone: str,
    region: tuple[str, str | None],
    seed: int,
    outcomes: list[Outcome],
    fractions: list[float],
) -> None:
    """R6 in the everyday case: with free calendars, no two calls in a row share either."""
    recipient = Recipient(zone=zone, country=region[0], subdivision=region[1])
    context = Context(recipient=recipient, hours=calling_hours_for(*region))
    book = BOOKS[name]
    run = simulate(book, seed=seed, start=start, context=context, outcomes=outcomes, fractions=fractions)
    calls = [
        call_record(at, zone)
        for touch, at in zip(run.touches, run.times, strict=True)
        if touch.step.channel is Channel.CALL
    ]
    assert len(calls) == book.call_count
    for earlier, later in itertools.pairwise(calls):
        assert later.weekday != earlier.weekday
        assert later.part != earlier.part
    if run.state.offer_until is not None:
        # Call-Mail-Call (R9): the call about the note comes while its offer still holds.
        assert local(run.times[-1], recipient).date() <= run.state.offer_until


@SETTINGS
@given(
    scenario=scenarios(),
    seed=seeds,
    outcomes=outcome_lists,
    fractions=fraction_lists,
)
def test_stay_in_touch_touches_are_a_month_apart_and_the_card_is_on_time(
    scenario: tuple[datetime, Context],
    seed: int,
    outcomes: list[Outcome],
    fractions: list[float],
) -> None:
    start, context = scenario
    book = BOOKS["stay-in-touch"]
    run = simulate(book, seed=seed, start=start, context=context, outcomes=outcomes, fractions=fractions)
    check_run(book, run, context, start)
    assert run.state.status is Status.EXHAUSTED
    for touch in run.touches:
        assert touch.step.channel is not Channel.CALL
        if touch.step.id == "birthday":
            birthday = context.recipient.birthday
            assert birthday is not None
            day = local(touch.window.start, context.recipient).date()
            # On the birthday, or as soon after it as the mail goes (Sundays, holidays, vacation).
            assert (day.month, day.day) == birthday or _days_after_birthday(day, birthday) <= 40


def _days_after_birthday(day: date, birthday: tuple[int, int]) -> int:
    for year in (day.year, day.year - 1):
        try:
            anchor = date(year, *birthday)
        except ValueError:
            anchor = date(year, birthday[0], 28)
        if anchor <= day:
            return (day - anchor).days
    return 10**6


# --------------------------------------------------------------------------- find_window itself


@st.composite
def histories(draw: st.DrawFn, reference: datetime, zone: str) -> list[CallRecord]:
    count = draw(st.integers(0, 4))
    spread = draw(st.sampled_from([36 * 60, 20 * 24 * 60]))  # a busy day and a few weeks
    offsets = sorted(draw(st.lists(st.integers(0, spread), min_size=count, max_size=count)))
    return [call_record(reference - timedelta(minutes=m), zone) for m in reversed(offsets)]


@SETTINGS
@given(
    data=st.data(),
    reference=starts,
    low=st.integers(0, 10),
    span=st.integers(0, 4),
    business=st.booleans(),
    parts=st.lists(st.sampled_from(ALL_PARTS), min_size=1, max_size=3, unique=True),
    channel=st.sampled_from([Channel.CALL, Channel.CALL, Channel.MAIL, Channel.EMAIL]),
    delay=st.integers(0, 3 * 24 * 60),
    limit=st.none() | st.integers(0, 20 * 24 * 60),
    seed=seeds,
)
def test_find_window_keeps_its_promises(
    data: st.DataObject,
    reference: datetime,
    low: int,
    span: int,
    business: bool,
    parts: list[PartOfDay],
    channel: Channel,
    delay: int,
    limit: int | None,
    seed: int,
) -> None:
    context = data.draw(contexts(reference))
    recipient = context.recipient
    calls = data.draw(histories(reference, recipient.zone)) if channel is Channel.CALL else []
    wait = Wait(low, low + span, business=business)
    not_before = reference + timedelta(minutes=delay)
    not_after = None if limit is None else not_before + timedelta(minutes=limit)
    window = find_window(
        channel=channel,
        wait=wait,
        reference=reference,
        not_before=not_before,
        recipient=recipient,
        hours=context.hours,
        vacations=context.vacations,
        calls=calls,
        parts=parts,
        not_after=not_after,
        tie_break=seed,
    )
    first, last = wait_days(local(reference, recipient).date(), wait, recipient)
    floor_day = max(first, local(not_before, recipient).date())
    free = dict(channel=channel, context=context, not_before=not_before, not_after=not_after, calls=calls)
    choices: list[PartOfDay | None] = list(parts) if channel is Channel.CALL else [None]
    if window is None:
        # Nothing at all was free from the wait range to the end of the search horizon.
        horizon = max(last, local(not_before, recipient).date()) + timedelta(days=60)
        day = floor_day
        while day <= horizon:
            for part in choices:
                assert slot(day, part, **free) is None, f"{day} {part} was free"  # type: ignore[arg-type]
            day += timedelta(days=1)
        return
    check_window_rules(window, channel, context)
    assert window.start >= not_before
    if not_after is not None:
        assert window.end <= not_after
    day = local(window.start, recipient).date()
    assert day >= first
    # The window is exactly the free part of that day's slot.
    assert slot(day, window.part, **free) == (window.start, window.end)  # type: ignore[arg-type]
    if channel is Channel.CALL:
        assert window.part in parts
        cap = context.hours.max_calls_per_24h
        if cap is not None:
            recent = [c for c in calls if window.start - timedelta(days=1) < c.at <= window.start]
            assert len(recent) < cap, f"{len(recent)} calls in the 24 h before {window}"
        check_rotation(
            window,
            parts=parts,
            wait=wait,
            reference=reference,
            not_before=not_before,
            not_after=not_after,
            calls=calls,
            context=context,
        )
    else:
        assert window.part is None
    # Same inputs and seed, same window.
    assert window == find_window(
        channel=channel,
        wait=wait,
        reference=reference,
        not_before=not_before,
        recipient=recipient,
        hours=context.hours,
        vacations=context.vacations,
        calls=calls,
        parts=parts,
        not_after=not_after,
        tie_break=seed,
    )


@SETTINGS
@given(
    reference=starts,
    zone=st.sampled_from(ZONES),
    subdivision=st.sampled_from(["FL", "OK", "MD"]),
    minutes_ago=st.lists(st.integers(0, 23 * 60), min_size=3, max_size=3, unique=True),
    low=st.integers(0, 1),
    seed=seeds,
)
def test_find_window_respects_the_daily_call_cap(
    reference: datetime,
    zone: str,
    subdivision: str,
    minutes_ago: list[int],
    low: int,
    seed: int,
) -> None:
    """Florida, Oklahoma, Maryland: after three attempts, the next waits until 24 h have passed."""
    recipient = Recipient(zone=zone, country="US", subdivision=subdivision)
    hours = calling_hours_for("US", subdivision)
    assert hours.max_calls_per_24h == 3
    calls = [call_record(reference - timedelta(minutes=m), zone) for m in sorted(minutes_ago)[::-1]]
    window = find_window(
        channel=Channel.CALL,
        wait=Wait(low, low + 1),
        reference=reference,
        not_before=reference,
        recipient=recipient,
        hours=hours,
        calls=calls,
        tie_break=seed,
    )
    assert window is not None
    assert window.start >= calls[0].at + timedelta(days=1)
    check_window_rules(window, Channel.CALL, Context(recipient=recipient, hours=hours))
