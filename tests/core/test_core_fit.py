"""The built-in playbooks keep their promises in a seller's real week.

"Four calls in two weeks" must make four calls within fourteen days for a seller who works four
days a week or more, in any zone, whatever time of the window the seller actually calls in,
less at most one call per holiday on the seller's working days in the fortnight (Thanksgiving
and the day after, 3 and 4 July): each call is on another weekday than the one before (R6) and
at least two days after it, so a holiday can leave no room for a call. "Four" is a ceiling (R7),
and no call is ever past the fourteenth day. Three working days a week make at least three
calls, less one per such holiday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ringback.core.engine import Context, enrollment_begin, enrollment_record
from ringback.core.playbook import Outcome, builtin_playbooks
from ringback.core.scheduling import Recipient, WorkWeek, is_holiday, zone

PLACES = [
    ("America/Chicago", "IL"),
    ("America/Los_Angeles", "CA"),  # the day after Thanksgiving is a holiday too
    ("America/New_York", "FL"),
    ("America/New_York", "MA"),
    ("America/Denver", "CO"),
]
#: Working weeks of four days or more (Monday 0).
WEEKS = [range(5), range(1, 6), (0, 1, 2, 3), (1, 2, 3, 4), range(7)]
#: Working weeks of three days.
SHORT_WEEKS = [(0, 2, 4), (1, 2, 3), (0, 1, 2)]


def _calls_made(
    place: tuple[str, str],
    days: tuple[int, ...],
    seller_zone: str,
    start: datetime,
    seed: int,
    at: list[float],
) -> list[datetime]:
    """Play the playbook with a voicemail on every call, each made ``at`` of the way into its window."""
    playbook = builtin_playbooks()["four-calls-two-weeks"]
    context = Context(
        recipient=Recipient(zone=place[0], country="US", subdivision=place[1]),
        workweek=WorkWeek(frozenset(days), seller_zone),
    )
    state = enrollment_begin(playbook, seed=seed, at=start, context=context)
    calls: list[datetime] = []
    while state.window is not None and not state.ended:
        window = state.window
        made = window.start + (window.end - window.start) * at[len(calls) % len(at)]
        calls.append(made)
        state = enrollment_record(state, playbook, outcome=Outcome.VOICEMAIL, at=made, context=context)
    return calls


@settings(max_examples=400, deadline=None)
@given(
    place=st.sampled_from(PLACES),
    days=st.sampled_from(WEEKS),
    seller_zone=st.sampled_from(["America/New_York", "America/Los_Angeles"]),
    hours=st.integers(0, 366 * 24),
    seed=st.integers(0, 2**31 - 1),
    at=st.lists(st.floats(0, 0.99), min_size=1, max_size=4),
)
# Found by the property (on CI, then locally): Thanksgiving and the day after for a
# Tuesday-to-Friday seller and a Californian; 3 and 4 July for a Tuesday-to-Saturday seller in
# Illinois.
@example(
    place=("America/Los_Angeles", "CA"),
    days=(1, 2, 3, 4),
    seller_zone="America/New_York",
    hours=7733,
    seed=0,
    at=[0.0],
)
@example(
    place=("America/Chicago", "IL"),
    days=range(1, 6),
    seller_zone="America/New_York",
    hours=4189,
    seed=0,
    at=[0.0],
)
def test_four_calls_fit_in_two_weeks_on_any_working_week(
    place: tuple[str, str],
    days: tuple[int, ...],
    seller_zone: str,
    hours: int,
    seed: int,
    at: list[float],
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
    calls = _calls_made(place, tuple(days), seller_zone, start, seed, at)
    assert calls[-1] - calls[0] <= timedelta(days=14)
    seller = zone(seller_zone)
    assert all(c.astimezone(seller).weekday() in days for c in calls)
    # A holiday on a working day in the fortnight (Thanksgiving and the day after; 3 and 4 July
    # for a Tuesday-to-Saturday seller) can cost a call: each call is on another weekday than the
    # one before (R6) and two days after it, and none is past the 14th day.
    assert 4 - _holidays_worked(calls, place, days) <= len(calls) <= 4, calls


def _holidays_worked(calls: list[datetime], place: tuple[str, str], days: tuple[int, ...]) -> int:
    """How many of the contact's public holidays fall on the seller's working days in the 14
    days from the first call."""
    first = calls[0].astimezone(zone(place[0])).date()
    return sum(
        1
        for n in range(15)
        if (first + timedelta(days=n)).weekday() in days
        and is_holiday(first + timedelta(days=n), "US", place[1])
    )


def test_thanksgiving_on_a_four_day_week_keeps_the_rotation_and_makes_three_calls() -> None:
    # A Tuesday-to-Friday seller, a Californian first called on Thursday 19 November in the
    # evening: call 2 on Tuesday 24th; Thanksgiving and the day after are holidays, so call 3 is
    # on another weekday than call 2 (Wednesday 2 December, R6), and no fourth call fits in the
    # fortnight. "Four calls" is a ceiling (R7), the rotation a promise: three calls, none late.
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7733)
    calls = _calls_made(PLACES[1], (1, 2, 3, 4), "America/New_York", start, 0, [0.0])
    local = [c.astimezone(zone("America/Los_Angeles")).date() for c in calls]
    assert local == [date(2026, 11, 19), date(2026, 11, 24), date(2026, 12, 2)]


@settings(max_examples=200, deadline=None)
@given(
    place=st.sampled_from(PLACES),
    days=st.sampled_from(SHORT_WEEKS),
    hours=st.integers(0, 366 * 24),
    seed=st.integers(0, 2**31 - 1),
    at=st.lists(st.floats(0, 0.99), min_size=1, max_size=4),
)
# Found by CI: Veterans Day on a Monday-to-Wednesday seller's Wednesday, in Illinois.
@example(place=("America/Chicago", "IL"), days=(0, 1, 2), hours=7395, seed=1, at=[0.0])
def test_three_working_days_a_week_fit_three_calls_less_one_per_holiday_and_never_run_late(
    place: tuple[str, str], days: tuple[int, ...], hours: int, seed: int, at: list[float]
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
    calls = _calls_made(place, days, "America/New_York", start, seed, at)
    assert len(calls) >= 3 - _holidays_worked(calls, place, days), calls
    assert calls[-1] - calls[0] <= timedelta(days=14)


def test_thanksgiving_week_in_california_for_a_monday_to_friday_seller() -> None:
    # Thursday and Friday are holidays there, the weekend is off: calls 2-4 must still fit.
    start = datetime(2026, 11, 23, 14, tzinfo=UTC)  # Monday 06:00 in Los Angeles
    for seed in range(200):
        calls = _calls_made(PLACES[1], tuple(range(5)), "America/New_York", start, seed, [0.0])
        assert len(calls) == 4, seed
        assert calls[-1] - calls[0] <= timedelta(days=14)
