"""The day's plan fits the seller's time (issue 11: #1 the daily limit, #2 time-sensitive steps, #8 held)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ringback.core.agenda import (
    AgendaItem,
    Budget,
    Costs,
    ItemKind,
    Urgency,
    plan_day,
    working_days_after,
)

NOON = datetime(2026, 12, 7, 17, tzinfo=UTC)
MONDAY = date(2026, 12, 7)


def item(n: int, kind: ItemKind = ItemKind.CALL, **extra: object) -> AgendaItem:
    values: dict[str, object] = {
        "kind": kind,
        "contact_id": n,
        "contact_name": f"Person {n}",
        "due": NOON + timedelta(minutes=n),
        "zone": "America/New_York",
        "reason": "",
    }
    values.update(extra)
    return AgendaItem(**values)  # type: ignore[arg-type]


def calls(count: int, start: int = 0, **extra: object) -> list[AgendaItem]:
    return [item(start + n, ItemKind.CALL, **extra) for n in range(count)]


def test_the_call_limit_counts_the_calls_already_made_today() -> None:
    """25 calls a day, 37 due: after 3 are made, 22 cards are left, not 25 again (#1)."""
    due = calls(37)
    fresh = plan_day(due, budget=Budget(minutes=1000, calls=25))
    assert fresh.counts["call"] == 25
    assert fresh.held_calls == 12
    later = plan_day(due[3:], budget=Budget(minutes=1000, calls=25, calls_made=3))
    assert later.counts["call"] == 22
    assert later.held_calls == 12
    assert {i.contact_id for i in later.items} == {i.contact_id for i in fresh.items} - {0, 1, 2}


def test_the_minutes_are_a_limit_too_and_count_what_was_spent() -> None:
    costs = Costs(call=4)
    plan = plan_day(calls(30), budget=Budget(minutes=60, calls=25), costs=costs)
    assert len(plan.items) == 15
    assert plan.minutes_planned == 60
    spent = plan_day(calls(30), budget=Budget(minutes=60, calls=25, spent_minutes=20), costs=costs)
    assert len(spent.items) == 10


def test_timely_steps_go_before_the_flow_even_when_the_flow_is_overdue() -> None:
    """The note a call announced, and a birthday greeting, are reached in an hour with 100+ items (#2)."""
    overdue = calls(40, overdue=True, overdue_since=NOON - timedelta(days=5))
    cards = [item(100 + n, ItemKind.MAIL, overdue=True) for n in range(100)]
    note = item(300, ItemKind.MAIL, timely="the note your last call announced")
    birthday = item(301, ItemKind.BIRTHDAY, timely="on their birthday")
    plan = plan_day([*overdue, *cards, note, birthday], budget=Budget(minutes=60, calls=25))
    ids = [i.contact_id for i in plan.items]
    assert ids[:2] == [300, 301]
    assert len(plan.held) == 140 + 2 - len(plan.items)


def test_fixed_items_stay_whatever_the_time() -> None:
    appointments = [item(n, ItemKind.APPOINTMENT) for n in range(6)]
    callback = item(10, ItemKind.CALLBACK)
    plan = plan_day([*calls(5, 20), callback, *appointments], budget=Budget(minutes=30, calls=25))
    kinds = [i.kind for i in plan.items]
    assert kinds == [ItemKind.APPOINTMENT] * 6 + [ItemKind.CALLBACK]
    assert plan.held_calls == 5


def test_a_cheaper_item_still_fits_after_a_dearer_one_did_not() -> None:
    plan = plan_day(
        [item(1, ItemKind.MAIL), item(2, ItemKind.SMS)],
        budget=Budget(minutes=3, calls=25),
        costs=Costs(card=5, text=1),
    )
    assert [i.contact_id for i in plan.items] == [2]
    assert [h.item.contact_id for h in plan.held] == [1]


def test_held_items_are_forecast_onto_the_next_working_days_in_order() -> None:
    days = working_days_after(MONDAY, weekdays=frozenset(range(5)), count=3)
    assert days == [date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)]
    plan = plan_day(calls(60), budget=Budget(minutes=1000, calls=25), next_days=days)
    expected = [date(2026, 12, 8)] * 25 + [date(2026, 12, 9)] * 10
    assert [h.day for h in plan.held] == expected


def test_no_time_on_a_day_off_but_appointments_stay() -> None:
    plan = plan_day(
        [*calls(3), item(9, ItemKind.APPOINTMENT)],
        budget=Budget(minutes=60, calls=25, working=False),
        next_days=[date(2026, 12, 14)],
    )
    assert [i.kind for i in plan.items] == [ItemKind.APPOINTMENT]
    assert [h.day for h in plan.held] == [date(2026, 12, 14)] * 3


def test_working_days_skip_weekends_and_vacations() -> None:
    friday = date(2026, 12, 11)
    away = [(date(2026, 12, 14), date(2026, 12, 15))]
    assert working_days_after(friday, weekdays=frozenset(range(5)), away=away, count=2) == [
        date(2026, 12, 16),
        date(2026, 12, 17),
    ]


def test_overdue_follow_ups_go_oldest_first() -> None:
    young = item(1, overdue=True, overdue_since=NOON - timedelta(days=1), attempt=2)
    old = item(2, overdue=True, overdue_since=NOON - timedelta(days=40), attempt=2)
    plan = plan_day([young, old], budget=Budget(minutes=4, calls=25), costs=Costs(call=4))
    assert [i.contact_id for i in plan.items] == [2]


kinds = st.sampled_from(list(ItemKind))


@given(
    st.lists(st.tuples(kinds, st.booleans(), st.booleans()), max_size=60),
    st.integers(0, 240),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_nothing_is_lost_and_the_limits_hold(
    specs: list[tuple[ItemKind, bool, bool]], minutes: int, limit: int, made: int
) -> None:
    candidates = [
        item(n, kind, timely="soon" if timely else "", new=new and kind is ItemKind.CALL)
        for n, (kind, timely, new) in enumerate(specs)
    ]
    budget = Budget(minutes=minutes, calls=limit, calls_made=made)
    plan = plan_day(candidates, budget=budget, next_days=[MONDAY])
    shown = [i.contact_id for i in plan.items]
    held = [h.item.contact_id for h in plan.held]
    assert sorted(shown + held) == list(range(len(candidates)))
    flexible = [i for i in plan.items if i.urgency is not Urgency.FIXED]
    fixed_minutes = sum(i.minutes for i in plan.items if i.urgency is Urgency.FIXED)
    assert sum(i.minutes for i in flexible) <= max(minutes - fixed_minutes, 0) + 1e-6
    assert sum(1 for i in flexible if i.kind is ItemKind.CALL) <= max(limit - made, 0)
    urgencies = [i.urgency for i in plan.items]
    assert urgencies == sorted(urgencies)
