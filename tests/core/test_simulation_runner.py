"""The what-if simulator's runs: deterministic by seed, true to the product's rules (calling hours,
the engine's waits, the seller's minutes), counting everybody, and comparing policies sensibly."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringback.core.errors import InvalidInput, PlaybookError, UnknownPlaybook
from ringback.core.playbook import Channel, Outcome
from ringback.core.scheduling import Recipient, inside_calling_hours, zone
from ringback.core.simulation import (
    PolicyRun,
    World,
    metrics,
    pest_events,
    playbook_library,
    population,
    report_chart,
    report_rows,
    report_text,
    run_policy,
    simulate,
    world_load,
)
from ringback.core.simulation.policies import policy_for
from ringback.core.simulation.records import TouchRecord


def small_world(prospects: int = 60, **seller: object) -> World:
    lines = [f"population:\n  prospects: {prospects}\n  second_zone: 0.3\n", "seller:\n"]
    lines += [f"  {key}: {value}\n" for key, value in seller.items()]
    return world_load("".join(lines) if seller else lines[0], source="test world")


def run(world: World, policy: str, *, days: int = 30, seed: int = 1) -> PolicyRun:
    library = playbook_library()
    return run_policy(
        world=world,
        policy=policy_for(policy, library),
        people=population(world, seed=seed),
        library=library,
        seed=seed,
        days=days,
    )


def test_the_same_seed_gives_the_same_report_byte_for_byte() -> None:
    world = small_world(80)
    first = simulate(world=world, policies=["day-plan", "same-20-names"], days=30, seed=7)
    again = simulate(world=world, policies=["day-plan", "same-20-names"], days=30, seed=7)
    other = simulate(world=world, policies=["day-plan", "same-20-names"], days=30, seed=8)
    text = json.dumps(first.as_dict(), sort_keys=True)
    assert text == json.dumps(again.as_dict(), sort_keys=True)
    assert text != json.dumps(other.as_dict(), sort_keys=True)
    assert report_text(first) == report_text(again)


def check_run(result: PolicyRun, world: World, *, engine: bool) -> None:
    """The invariants every run keeps."""
    people = {p.id: p for p in population(world, seed=1)}
    touches = result.touches
    # conversations never outnumber touches, and one per person at most
    assert len(result.responses) <= len(touches)
    assert len({r.person for r in result.responses}) == len(result.responses)
    # no call outside calling hours in any zone the person may be in
    for touch in touches:
        if touch.channel is Channel.CALL:
            assert inside_calling_hours(touch.at, people[touch.person].recipient, world.seller.calling_hours)
    # everybody is counted: touched or never touched
    figures = metrics(result)
    assert figures.never_touched + len({t.person for t in touches}) == len(people)
    assert figures.people_touched + figures.never_touched == len(people)
    # the seller's minutes for the flow never exceed the day's budget (fixed items aside)
    for day in result.day_logs:
        assert day.flow_minutes <= day.budget_minutes + 1e-9
        assert day.calls_planned <= world.seller.calls_per_day
    # a response ends the chase: no touch of that person after it
    answered = {r.person: r.at for r in result.responses}
    for touch in touches:
        if touch.person in answered:
            assert touch.at <= answered[touch.person]
    if engine:
        check_waits(result, world)


def check_waits(result: PolicyRun, world: World) -> None:
    """No touch before its planned window, and no two steps closer than the playbook's wait."""
    library = playbook_library()
    by_person: dict[int, list[TouchRecord]] = defaultdict(list)
    for touch in result.touches:
        assert touch.window_start is not None and touch.at >= touch.window_start
        by_person[touch.person].append(touch)
    people = population(world, seed=1)
    for person, touches in by_person.items():
        tz = zone(people[person].recipient.zone)
        for before, after in itertools.pairwise(touches):
            assert after.at > before.at
            if after.playbook != before.playbook or after.index != before.index + 1:
                continue  # a retry on another number, a new round, or another playbook
            wait = library[after.playbook].steps[after.index].wait
            if not wait.business:
                gap = (after.at.astimezone(tz).date() - before.at.astimezone(tz).date()).days
                assert gap >= wait.min_days


worlds = st.fixed_dictionaries(
    {
        "prospects": st.integers(5, 50),
        "calls": st.integers(1, 20),
        "minutes": st.integers(10, 200),
        "days": st.integers(5, 30),
        "seed": st.integers(0, 10_000),
        "zones": st.sampled_from(
            [
                "{America/New_York: 1.0}",
                "{America/Los_Angeles: 0.5, Europe/Paris: 0.5}",
                "{America/Chicago: 0.4, Europe/London: 0.3, America/Denver: 0.3}",
            ]
        ),
        "seller_zone": st.sampled_from(["America/New_York", "Europe/Berlin", "America/Los_Angeles"]),
        "policy": st.sampled_from(["day-plan", "four-calls-two-weeks", "call-mail-call", "same-20-names"]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=worlds)
def test_invariants_on_small_worlds(case: dict[str, object]) -> None:
    world = world_load(
        f"population:\n  prospects: {case['prospects']}\n  second_zone: 0.3\n  zones: {case['zones']}\n"
        f"seller:\n  zone: {case['seller_zone']}\n  calls_per_day: {case['calls']}\n"
        f"  minutes_per_day: {case['minutes']}\n"
        "  vacations: [{first: 2026-01-12, last: 2026-01-14}]\n",
        source="case",
    )
    policy = str(case["policy"])
    result = run(world, policy, days=int(str(case["days"])), seed=1)
    check_run(result, world, engine=policy != "same-20-names")
    for day in result.day_logs:
        if day.date.isoformat() in ("2026-01-12", "2026-01-13", "2026-01-14"):
            assert not day.working  # the seller's vacation


def test_every_call_of_the_product_keeps_to_the_rules_on_a_bigger_world() -> None:
    world = small_world(400, calls_per_day=40, minutes_per_day=240)
    result = run(world, "day-plan", days=60)
    check_run(result, world, engine=True)
    assert len(result.touches) > 500
    assert pest_events(result.touches, result.refused) == []


@pytest.fixture(scope="module")
def comparison() -> dict[str, PolicyRun]:
    world = small_world(1500)
    return {name: run(world, name, days=60, seed=3) for name in ("day-plan", "same-20-names")}


def test_the_day_plan_touches_more_people_than_the_same_20_names(comparison: dict[str, PolicyRun]) -> None:
    plan, naive = metrics(comparison["day-plan"]), metrics(comparison["same-20-names"])
    assert plan.people_touched > 2 * naive.people_touched
    assert plan.never_touched < naive.never_touched
    assert plan.pest_events < naive.pest_events
    assert naive.pest_events > 100  # calling the same people every day is pestering them


def test_six_attempts_reach_more_people_than_four_calls_when_the_seller_has_time_for_all() -> None:
    """With time for every prospect, the fifth and sixth calls reach people four calls miss."""
    world = small_world(250, calls_per_day=60, minutes_per_day=400)
    six, four = (
        run(world, "six-attempts", days=60, seed=2),
        run(world, "four-calls-two-weeks", days=60, seed=2),
    )
    assert metrics(six).never_touched == metrics(four).never_touched == 0
    assert metrics(six).conversations > metrics(four).conversations
    assert max(t.attempt for t in six.touches) == 6 and max(t.attempt for t in four.touches) == 4


def test_call_mail_call_mails_a_card_and_call_call_does_not() -> None:
    world = small_world(100, calls_per_day=30, minutes_per_day=240)
    cards = metrics(run(world, "call-mail-call", days=20)).cards
    assert cards > 20
    assert metrics(run(world, "call-call", days=20)).cards == 0


MY_PLAYBOOK = """\
name: my-week
title: My week
steps:
  - id: hello
    channel: call
    wait: 0 days
    script: something-you-will-like
  - id: email
    channel: email
    wait: 1-2 days
    template: resource-email
finish: stop
"""


def test_a_users_own_playbook_runs_beside_the_others() -> None:
    world = small_world(60, calls_per_day=20, minutes_per_day=120)
    report = simulate(world=world, policies=["day-plan"], days=20, seed=2, playbook_text=MY_PLAYBOOK)
    names = [p.name for p in report.policies]
    assert names == ["day-plan", "my-week"]
    mine = report.policies[1].metrics
    assert mine.calls > 0 and mine.emails > 0
    named = simulate(world=world, policies=["my-week"], days=20, seed=2, playbook_text=MY_PLAYBOOK)
    assert [p.name for p in named.policies] == ["my-week"]


def test_an_invalid_playbook_gives_the_parsers_error() -> None:
    with pytest.raises(PlaybookError) as caught:
        simulate(
            world=small_world(10), policies=["day-plan"], days=5, seed=1, playbook_text="name: x\nsteps: 3\n"
        )
    assert str(caught.value) == "your playbook, line 2: steps must be a non-empty list"


def test_an_unknown_policy_or_a_bad_length_is_refused() -> None:
    with pytest.raises(UnknownPlaybook, match="unknown policy 'cold-calls'; known: day-plan, same-20-names"):
        simulate(world=small_world(10), policies=["cold-calls"], days=5, seed=1)
    with pytest.raises(InvalidInput, match="days: 0 is not from 1"):
        simulate(world=small_world(10), policies=["day-plan"], days=0, seed=1)


def test_the_report_reads_side_by_side_and_draws_a_chart() -> None:
    report = simulate(world=small_world(100), policies=["day-plan", "same-20-names"], days=15, seed=1)
    rows = report_rows(report)
    assert rows[0]["figure"] == "conversations"
    assert set(rows[0]) == {"figure", "day-plan", "same-20-names"}
    lines = report_text(report).splitlines()
    assert lines[0] == "100 prospects, 15 days from 2026-01-05, seed 1"
    assert lines[1].split() == ["day-plan", "same-20-names"]
    assert len({len(line) for line in lines[2:]}) >= 1 and all(
        len(line) <= len(lines[1]) + 20 for line in lines[2:]
    )
    assert report.policies[0].cumulative_conversations == tuple(
        sorted(report.policies[0].cumulative_conversations)
    )
    svg = report_chart(report)
    assert svg.startswith("<svg") and "same-20-names" in svg and "day-plan" in svg
    data = report.as_dict()
    assert json.loads(json.dumps(data)) == data


def touch(person: int, hours: float, outcome: Outcome = Outcome.VOICEMAIL) -> TouchRecord:
    at = datetime(2026, 1, 5, 15, tzinfo=UTC) + timedelta(hours=hours)
    return TouchRecord(person, at, Channel.CALL, outcome, "", "", 0, None, 1, None, 0, 0)


def test_pest_events_are_what_the_report_says() -> None:
    calls = [touch(1, 0), touch(1, 20), touch(1, 72), touch(1, 120), touch(1, 170), touch(1, 400)]
    # 20 h after an unanswered call; the fifth call within 14 days (170 h)
    assert pest_events(calls) == [1, 4]
    answered = [touch(2, 0, Outcome.CONNECTED), touch(2, 5)]
    assert pest_events(answered) == []
    after_no = [touch(3, 0, Outcome.NOT_INTERESTED), touch(3, 200)]
    assert pest_events(after_no, {3: after_no[0].at}) == [1]


def test_a_wrong_number_moves_to_the_other_number() -> None:
    world = world_load(
        "population:\n  prospects: 80\n  second_number: 1.0\n  wrong_number: 0.5\n"
        "seller:\n  calls_per_day: 40\n  minutes_per_day: 400\n",
        source="w",
    )
    result = run(world, "four-calls-two-weeks", days=20)
    wrong = [t for t in result.touches if t.outcome is Outcome.WRONG_NUMBER]
    assert wrong
    for bad in wrong:
        later = [t for t in result.touches if t.person == bad.person and t.at > bad.at]
        assert all(t.number > bad.number for t in later)


def test_the_recipient_of_the_invariants_is_the_persons() -> None:
    """The check above reads the zones a person may be in, not only their own."""
    people = population(small_world(200), seed=1)
    assert any(p.recipient.also_zones for p in people)
    assert all(isinstance(p.recipient, Recipient) for p in people)
