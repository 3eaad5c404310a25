"""The enrollment state machine, one behaviour at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ringback.core.engine import (
    MAX_RETRIES,
    Context,
    EnrollmentState,
    Status,
    allowed_outcomes,
    enrollment_begin,
    enrollment_pause,
    enrollment_record,
    enrollment_replan,
    enrollment_resume,
    enrollment_simulate,
    enrollment_stop,
)
from ringback.core.errors import ErrorCode, NotEnrolled, OutcomeNotAllowed
from ringback.core.playbook import Channel, Outcome, Playbook, builtin_playbooks, parse_playbook
from ringback.core.scheduling import (
    Recipient,
    calling_hours_for,
    inside_calling_hours,
    vacation_from_dates,
)

BOOKS = builtin_playbooks()
NY = ZoneInfo("America/New_York")
#: Monday 1 June 2026, 09:00 in New York.
MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=NY).astimezone(UTC)


def context(numbers: int = 1, **kwargs: object) -> Context:
    recipient = Recipient(zone="America/New_York", country="US", subdivision="NY", numbers=numbers)
    return Context(recipient=recipient, **kwargs)  # type: ignore[arg-type]


def begin(name: str = "four-calls-two-weeks", ctx: Context | None = None) -> EnrollmentState:
    return enrollment_begin(BOOKS[name], seed=7, at=MONDAY, context=ctx or context())


def record(
    state: EnrollmentState,
    outcome: Outcome,
    name: str = "four-calls-two-weeks",
    *,
    at: datetime | None = None,
    ctx: Context | None = None,
) -> EnrollmentState:
    """Record ``outcome`` at ``at`` (the start of the planned window by default)."""
    when = at or (state.window.start if state.window else MONDAY)
    return enrollment_record(state, BOOKS[name], outcome=outcome, at=when, context=ctx or context())


def test_begin_plans_the_first_call_today() -> None:
    state = begin()
    assert state.status is Status.ACTIVE
    assert state.step == 0
    assert state.window is not None
    assert state.window.start >= MONDAY
    assert state.window.start.astimezone(NY).date() == date(2026, 6, 1)
    assert state.variant in BOOKS["four-calls-two-weeks"].steps[0].templates
    assert state.attempt == 1
    assert not state.ended


@pytest.mark.parametrize("outcome", [Outcome.CONNECTED, Outcome.CALLBACK, Outcome.APPOINTMENT])
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_any_response_engages_at_once(outcome: Outcome, name: str) -> None:
    state = begin(name)
    ended = record(state, outcome, name)
    assert ended.status is Status.ENGAGED
    assert ended.ended
    assert ended.window is None and ended.variant is None
    assert outcome.value in ended.reason
    assert state.window is not None
    assert ended.last_touch_at == state.window.start
    assert ended.recontact_at is None


@pytest.mark.parametrize("outcome", [Outcome.NOT_INTERESTED, Outcome.DO_NOT_CONTACT])
def test_not_interested_and_do_not_contact_stop(outcome: Outcome) -> None:
    state = record(begin(), Outcome.VOICEMAIL)
    ended = record(state, outcome)
    assert ended.status is Status.STOPPED
    assert ended.window is None
    assert outcome.value in ended.reason and "step 2" in ended.reason
    assert ended.recontact_at is None  # no "call back next quarter" after a no


def test_a_response_on_a_mail_step_engages_too() -> None:
    state = record(begin("call-mail-call"), Outcome.VOICEMAIL, "call-mail-call")
    assert BOOKS["call-mail-call"].steps[state.step].channel is Channel.MAIL
    assert record(state, Outcome.CALLBACK, "call-mail-call").status is Status.ENGAGED


def test_wrong_number_with_another_number_retries_the_same_step() -> None:
    state = begin()
    assert state.window is not None
    touched = state.window.start
    retried = record(state, Outcome.WRONG_NUMBER, ctx=context(numbers=1))
    assert retried.status is Status.ACTIVE
    assert retried.step == state.step
    assert retried.retries == 1
    assert retried.window is not None and retried.window.start >= touched
    # A wrong number reached somebody else: it is no attempt to reach this person.
    assert retried.calls == ()
    assert retried.attempt == 1
    assert retried.touches == 1


def test_wrong_number_retry_of_a_later_step_does_not_wait_again() -> None:
    """The retry on the other number is due at once, not after the step's 7-10 days."""
    book = BOOKS["steady-weekly"]
    ctx = context(numbers=1)
    state = enrollment_begin(book, seed=4, at=MONDAY, context=ctx)
    assert state.window is not None
    state = enrollment_record(
        state,
        book,
        outcome=Outcome.VOICEMAIL,
        at=state.window.start,
        context=ctx,
    )
    assert state.step == 1
    assert state.window is not None
    wrong_at = state.window.start
    retried = enrollment_record(state, book, outcome=Outcome.WRONG_NUMBER, at=wrong_at, context=ctx)
    assert retried.step == 1
    assert retried.window is not None
    assert retried.window.start >= wrong_at
    assert retried.window.start - wrong_at < timedelta(days=7)
    assert len(retried.calls) == 1


def test_wrong_number_retry_is_due_at_once() -> None:
    """First dial at 09:00 on a free Monday is a wrong number: the other number is due now."""
    book = BOOKS["steady-weekly"]
    due = set()
    for seed in range(12):
        state = enrollment_begin(book, seed=seed, at=MONDAY, context=context())
        retried = enrollment_record(state, book, outcome=Outcome.WRONG_NUMBER, at=MONDAY, context=context())
        assert retried.window is not None
        due.add(retried.window.start.astimezone(NY).strftime("%a %H:%M"))
    assert due == {"Mon 09:00"}


def test_wrong_number_with_no_number_left_stops() -> None:
    stopped = record(begin(), Outcome.WRONG_NUMBER, ctx=context(numbers=0))
    assert stopped.status is Status.STOPPED
    assert stopped.reason == "no working number left"
    assert stopped.window is None


def test_each_wrong_number_uses_up_a_number() -> None:
    """Two numbers: the first call is wrong, the retry on the other is wrong too: stop."""
    touches, state = enrollment_simulate(
        BOOKS["steady-weekly"],
        seed=1,
        start=MONDAY,
        context=context(numbers=2),
        outcome_for=lambda step, attempt: Outcome.WRONG_NUMBER,
    )
    assert len(touches) == 2
    assert state.status is Status.STOPPED
    assert state.reason == "no working number left"


def test_wrong_number_retries_are_capped_then_the_playbook_moves_on() -> None:
    book = BOOKS["steady-weekly"]
    ctx = context(numbers=2)
    state = enrollment_begin(book, seed=1, at=MONDAY, context=ctx)
    for _ in range(MAX_RETRIES):
        assert state.window is not None
        state = enrollment_record(
            state,
            book,
            outcome=Outcome.WRONG_NUMBER,
            at=state.window.start,
            context=ctx,
        )
        assert state.step == 0
    assert state.window is not None
    state = enrollment_record(
        state,
        book,
        outcome=Outcome.WRONG_NUMBER,
        at=state.window.start,
        context=ctx,
    )
    assert state.step == 1
    assert state.retries == 0


def test_mailed_on_a_call_step_lists_the_outcomes_that_fit() -> None:
    state = begin()
    with pytest.raises(OutcomeNotAllowed) as info:
        record(state, Outcome.MAILED)
    message = str(info.value)
    assert info.value.code is ErrorCode.OUTCOME_NOT_ALLOWED
    assert "'mailed'" in message and "(call)" in message
    fits = message.split("log one of:")[1]
    for outcome in ("voicemail", "no-answer", "busy", "wrong-number", "connected", "callback"):
        assert outcome in fits
    assert "mailed" not in fits
    assert {o.value for o in allowed_outcomes(BOOKS["four-calls-two-weeks"], state)} == {
        o.strip() for o in fits.split(",")
    }


def test_voicemail_on_a_mail_step_is_refused() -> None:
    state = record(begin("call-mail-call"), Outcome.VOICEMAIL, "call-mail-call")
    with pytest.raises(OutcomeNotAllowed) as info:
        record(state, Outcome.VOICEMAIL, "call-mail-call")
    assert "mailed" in str(info.value).split("log one of:")[1]


@pytest.mark.parametrize("outcome", list(Outcome))
def test_recording_on_an_ended_enrollment_raises_not_enrolled(outcome: Outcome) -> None:
    ended = record(begin(), Outcome.NOT_INTERESTED)
    with pytest.raises(NotEnrolled) as info:
        record(ended, outcome, at=MONDAY + timedelta(days=1))
    assert info.value.code is ErrorCode.NOT_ENROLLED
    assert "stopped" in str(info.value)


def test_pause_and_resume() -> None:
    book = BOOKS["steady-weekly"]
    state = record(begin("steady-weekly"), Outcome.VOICEMAIL, "steady-weekly")
    paused = enrollment_pause(state)
    assert paused.status is Status.PAUSED
    assert paused.window == state.window
    assert not paused.ended
    with pytest.raises(NotEnrolled):
        enrollment_pause(paused)
    later = MONDAY + timedelta(days=30)
    resumed = enrollment_resume(paused, book, at=later, context=context())
    assert resumed.status is Status.ACTIVE
    assert resumed.step == state.step
    assert resumed.window is not None and resumed.window.start >= later
    with pytest.raises(NotEnrolled):
        enrollment_resume(resumed, book, at=later, context=context())
    with pytest.raises(NotEnrolled):
        enrollment_pause(record(resumed, Outcome.CONNECTED, "steady-weekly"))


def test_a_vacation_pushes_the_first_window_past_it() -> None:
    vacation = vacation_from_dates(date(2026, 5, 30), date(2026, 6, 7), "America/New_York")
    state = begin(ctx=context(vacations=(vacation,)))
    assert state.window is not None
    assert state.window.start >= vacation[1]
    assert state.window.start.astimezone(NY).date() == date(2026, 6, 8)


def test_a_vacation_pushes_a_later_step_past_it() -> None:
    vacation = vacation_from_dates(date(2026, 6, 2), date(2026, 6, 12), "America/New_York")
    ctx = context(vacations=(vacation,))
    book = BOOKS["steady-weekly"]
    first = enrollment_begin(book, seed=3, at=MONDAY, context=ctx)
    assert first.window is not None
    second = enrollment_record(
        first,
        book,
        outcome=Outcome.VOICEMAIL,
        at=first.window.start,
        context=ctx,
    )
    assert second.window is not None
    assert second.window.start >= vacation[1]
    assert not (vacation[0] < second.window.end and second.window.start < vacation[1])


def test_overdue_replan_gives_a_window_after_not_before() -> None:
    book = BOOKS["steady-weekly"]
    state = record(begin("steady-weekly"), Outcome.VOICEMAIL, "steady-weekly")
    assert state.window is not None
    now = state.window.end + timedelta(days=9)  # long overdue
    soonest = now + timedelta(days=2)
    replanned = enrollment_replan(state, book, at=now, context=context(), not_before=soonest)
    assert replanned.status is Status.ACTIVE
    assert replanned.step == state.step
    assert replanned.window is not None
    assert replanned.window.start >= soonest
    assert inside_calling_hours(replanned.window.start, context().recipient, context().hours)
    # Without not_before, the window is still after "now".
    again = enrollment_replan(state, book, at=now, context=context())
    assert again.window is not None and again.window.start >= now


def test_replan_leaves_ended_and_paused_enrollments_alone() -> None:
    book = BOOKS["steady-weekly"]
    ended = record(begin("steady-weekly"), Outcome.CONNECTED, "steady-weekly")
    assert enrollment_replan(ended, book, at=MONDAY, context=context()) is ended
    paused = enrollment_pause(begin("steady-weekly"))
    assert enrollment_replan(paused, book, at=MONDAY, context=context()) is paused


def test_stop_by_hand() -> None:
    stopped = enrollment_stop(begin(), reason="moved to another playbook")
    assert stopped.status is Status.STOPPED
    assert stopped.reason == "moved to another playbook"
    assert enrollment_stop(stopped, reason="again") is stopped


def test_four_unanswered_calls_exhaust_and_recontact_next_quarter() -> None:
    touches, state = enrollment_simulate(
        BOOKS["four-calls-two-weeks"], seed=11, start=MONDAY, context=context()
    )
    assert [t.attempt for t in touches] == [1, 2, 3, 4]
    assert touches[-1].variant == "yes-or-no"
    assert state.status is Status.EXHAUSTED
    assert state.last_touch_at is not None
    assert state.recontact_at == state.last_touch_at + timedelta(days=90)


def test_call_mail_call_remembers_the_mailing_and_the_offer_date() -> None:
    offers = {"special-offer": 14}
    touches, state = enrollment_simulate(
        BOOKS["call-mail-call"], seed=5, start=MONDAY, context=context(offer_days=offers)
    )
    assert [t.step.channel for t in touches] == [Channel.CALL, Channel.MAIL, Channel.CALL]
    mailed = touches[1].window.start.astimezone(NY).date()
    assert state.mailed_on == mailed
    assert state.offer_until == mailed + timedelta(days=14)
    # The second call comes 3-4 days after the note (later only to vary the weekday/time).
    second = touches[2].window.start.astimezone(NY).date()
    assert (second - mailed).days >= 3
    assert second < state.offer_until  # call 2 comes while the offer still holds
    assert state.status is Status.EXHAUSTED
    assert state.recontact_at is None  # then leave them alone


def test_stay_in_touch_without_a_birthday_skips_the_card() -> None:
    state = begin("stay-in-touch")
    assert state.step == 1
    assert BOOKS["stay-in-touch"].steps[state.step].id == "quarter-tip"


def test_stay_in_touch_sends_the_birthday_card_on_the_birthday() -> None:
    ctx = Context(recipient=Recipient(zone="America/New_York", country="US", birthday=(6, 10)))
    state = enrollment_begin(BOOKS["stay-in-touch"], seed=1, at=MONDAY, context=ctx)
    assert state.step == 0
    assert state.window is not None
    assert state.window.start.astimezone(NY).date() == date(2026, 6, 10)


def test_ab_variants_both_get_used_across_enrollments() -> None:
    book = BOOKS["four-calls-two-weeks"]
    seen = {enrollment_begin(book, seed=s, at=MONDAY, context=context()).variant for s in range(40)}
    assert seen == {"something-you-will-like", "made-me-think-of-you"}


CUSTOM = """\
name: branches
templates:
  hi: "Hi"
steps:
  - id: call
    channel: call
    on:
      busy: {goto: email}
      no-answer: end
      wrong-number: {switch: stranger-series}
  - id: mail
    channel: mail
    wait: 1 day
    template: hi
  - id: email
    channel: email
    wait: 1 day
    template: hi
"""


def custom() -> Playbook:
    return parse_playbook(CUSTOM, source="branches.yaml")


def test_goto_branch_jumps_to_the_named_step() -> None:
    book = custom()
    state = enrollment_begin(book, seed=1, at=MONDAY, context=context())
    assert state.window is not None
    after = enrollment_record(
        state,
        book,
        outcome=Outcome.BUSY,
        at=state.window.start,
        context=context(),
    )
    assert after.step == book.step_index("email")
    assert after.status is Status.ACTIVE


def test_end_branch_exhausts() -> None:
    book = custom()
    state = enrollment_begin(book, seed=1, at=MONDAY, context=context())
    assert state.window is not None
    after = enrollment_record(
        state,
        book,
        outcome=Outcome.NO_ANSWER,
        at=state.window.start,
        context=context(),
    )
    assert after.status is Status.EXHAUSTED
    assert "no-answer" in after.reason


def test_switch_branch_stops_and_names_the_next_playbook() -> None:
    book = custom()
    state = enrollment_begin(book, seed=1, at=MONDAY, context=context())
    assert state.window is not None
    after = enrollment_record(
        state,
        book,
        outcome=Outcome.WRONG_NUMBER,
        at=state.window.start,
        context=context(),
    )
    assert after.status is Status.STOPPED
    assert after.switch_to == "stranger-series"


def test_florida_contact_gets_florida_hours() -> None:
    ctx = Context(
        recipient=Recipient(zone="America/New_York", country="US", subdivision="FL"),
        hours=calling_hours_for("US", "FL"),
    )
    touches, _ = enrollment_simulate(BOOKS["steady-weekly"], seed=2, start=MONDAY, context=ctx)
    assert len(touches) == 5
    for touch in touches:
        assert touch.window.start.astimezone(NY).time() >= time(8)
        assert touch.window.end.astimezone(NY).time() <= time(20)


def test_paused_state_is_not_ended_and_keeps_its_step() -> None:
    paused = enrollment_pause(begin())
    assert replace(paused, status=Status.ACTIVE) == begin()
