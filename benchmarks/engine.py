"""Engine throughput: enrollment transitions per second in the pure core (no Django).

A workload of realistic enrollments is recorded first: every built-in playbook, contacts in
several US zones (including the stricter Florida / Oklahoma / Maryland rules), birthdays for
some, starts spread over a year (so holidays come into play) and realistic call outcomes
(mostly voicemail and no answer, some wrong numbers, a few connections, callbacks and refusals).
Each ``enrollment_record`` call that keeps the enrollment running plans the next due window.

The benchmark then replays the recorded calls (``enrollment_begin`` and ``enrollment_record``
with the exact same arguments) so that only engine time is measured, never the driver's.

    .venv/bin/python benchmarks/engine.py [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ringback.core.engine import (
    Context,
    EnrollmentState,
    enrollment_begin,
    enrollment_record,
)
from ringback.core.playbook import Channel, Outcome, Playbook, builtin_playbooks
from ringback.core.scheduling import Recipient, calling_hours_for

GOAL_PER_SECOND = 100_000

#: (zone, subdivision) of the contacts, weighted roughly like a US calling list.
REGIONS: tuple[tuple[str, str, int], ...] = (
    ("America/New_York", "NY", 14),
    ("America/New_York", "FL", 10),  # 08:00-20:00, 3 attempts per 24 h
    ("America/New_York", "MD", 4),  # idem
    ("America/New_York", "GA", 6),
    ("America/New_York", "MA", 5),
    ("America/Chicago", "IL", 8),
    ("America/Chicago", "TX", 12),
    ("America/Chicago", "OK", 3),  # 08:00-20:00, 3 attempts per 24 h
    ("America/Denver", "CO", 5),
    ("America/Phoenix", "AZ", 4),
    ("America/Los_Angeles", "CA", 16),
    ("America/Los_Angeles", "WA", 5),
    ("America/Anchorage", "AK", 1),
    ("Pacific/Honolulu", "HI", 1),
)

#: What happens on a call attempt (someone who sells by phone mostly reaches voicemail).
CALL_OUTCOMES: tuple[tuple[Outcome, int], ...] = (
    (Outcome.VOICEMAIL, 42),
    (Outcome.NO_ANSWER, 28),
    (Outcome.BUSY, 5),
    (Outcome.WRONG_NUMBER, 4),
    (Outcome.CONNECTED, 11),
    (Outcome.CALLBACK, 3),
    (Outcome.APPOINTMENT, 2),
    (Outcome.NOT_INTERESTED, 4),
    (Outcome.DO_NOT_CONTACT, 1),
)
SEND_OUTCOMES = {
    Channel.MAIL: Outcome.MAILED,
    Channel.EMAIL: Outcome.EMAILED,
    Channel.SMS: Outcome.TEXTED,
    Channel.TASK: Outcome.DONE,
}


@dataclass(frozen=True, slots=True)
class Begin:
    playbook: Playbook
    seed: int
    at: datetime
    context: Context


@dataclass(frozen=True, slots=True)
class Record:
    state: EnrollmentState
    playbook: Playbook
    outcome: Outcome
    at: datetime
    context: Context


def make_contexts(rng: random.Random, count: int = 64) -> list[Context]:
    """A pool of contact contexts: zone, region rules, birthday for some, one or two numbers."""
    weights = [w for _, _, w in REGIONS]
    contexts = []
    for _ in range(count):
        zone_name, subdivision, _ = rng.choices(REGIONS, weights)[0]
        birthday = (rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.6 else None
        recipient = Recipient(
            zone=zone_name,
            country="US",
            subdivision=subdivision,
            birthday=birthday,
            numbers=rng.choice((1, 1, 2)),
        )
        contexts.append(Context(recipient=recipient, hours=calling_hours_for("US", subdivision)))
    return contexts


def pick_outcome(rng: random.Random, channel: Channel) -> Outcome:
    if channel is Channel.CALL:
        outcomes, weights = zip(*CALL_OUTCOMES, strict=True)
        return rng.choices(outcomes, weights)[0]
    if rng.random() < 0.03:  # they call back after the note or the email
        return Outcome.CALLBACK
    return SEND_OUTCOMES[channel]


def build_workload(enrollments: int, *, seed: int = 20260610) -> tuple[list[Begin], list[Record]]:
    """Walk ``enrollments`` enrollments through the engine, recording every call made."""
    rng = random.Random(seed)
    playbooks = list(builtin_playbooks().values())
    contexts = make_contexts(rng)
    origin = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    begins: list[Begin] = []
    records: list[Record] = []
    for n in range(enrollments):
        playbook = playbooks[n % len(playbooks)]
        context = rng.choice(contexts)
        at = origin + timedelta(minutes=rng.randrange(365 * 24 * 60))
        begin = Begin(playbook, rng.getrandbits(32), at, context)
        begins.append(begin)
        state = enrollment_begin(playbook, seed=begin.seed, at=at, context=context)
        while not state.ended and state.window is not None and state.touches < 20:
            window = state.window
            touch_at = window.start + (window.end - window.start) * rng.random() * 0.9
            outcome = pick_outcome(rng, playbook.steps[state.step].channel)
            records.append(Record(state, playbook, outcome, touch_at, context))
            state = enrollment_record(state, playbook, outcome=outcome, at=touch_at, context=context)
    return begins, records


def _time_begins(begins: list[Begin]) -> float:
    begin = enrollment_begin
    started = time.perf_counter()
    for b in begins:
        begin(b.playbook, seed=b.seed, at=b.at, context=b.context)
    return time.perf_counter() - started


def _time_records(records: list[Record]) -> float:
    record = enrollment_record
    started = time.perf_counter()
    for r in records:
        record(r.state, r.playbook, outcome=r.outcome, at=r.at, context=r.context)
    return time.perf_counter() - started


def run(*, quick: bool = False, repetitions: int | None = None) -> dict[str, object]:
    """Run the engine benchmark; return the figures (rates are medians over the repetitions)."""
    enrollments = 1_500 if quick else 6_000
    repetitions = repetitions or (3 if quick else 7)
    built = time.perf_counter()
    begins, records = build_workload(enrollments)
    built = time.perf_counter() - built
    planned = sum(1 for r in records if r.outcome not in _ENDING_OUTCOMES)
    _time_begins(begins)  # warm-up: holiday tables, zone and template caches
    _time_records(records)
    begin_times, record_times = [], []
    for _ in range(repetitions):
        begin_times.append(_time_begins(begins))
        record_times.append(_time_records(records))
    totals = [b + r for b, r in zip(begin_times, record_times, strict=True)]
    calls = len(begins) + len(records)
    by_channel: dict[str, int] = {}
    for r in records:
        channel = r.playbook.steps[r.state.step].channel.value
        by_channel[channel] = by_channel.get(channel, 0) + 1
    by_outcome: dict[str, int] = {}
    for r in records:
        by_outcome[r.outcome.value] = by_outcome.get(r.outcome.value, 0) + 1
    median_total = statistics.median(totals)
    return {
        "enrollments": len(begins),
        "record_calls": len(records),
        "record_calls_planning_next_window": planned,
        "begin_calls": len(begins),
        "repetitions": repetitions,
        "workload_build_s": round(built, 3),
        "record_per_s": round(len(records) / statistics.median(record_times)),
        "begin_per_s": round(len(begins) / statistics.median(begin_times)),
        "transitions_per_s": round(calls / median_total),
        "transitions_per_s_best": round(calls / min(totals)),
        "us_per_transition": round(median_total / calls * 1e6, 2),
        "goal_per_s": GOAL_PER_SECOND,
        "meets_goal": calls / median_total >= GOAL_PER_SECOND,
        "records_by_channel": by_channel,
        "records_by_outcome": by_outcome,
    }


_ENDING_OUTCOMES = frozenset(
    {
        Outcome.CONNECTED,
        Outcome.CALLBACK,
        Outcome.APPOINTMENT,
        Outcome.NOT_INTERESTED,
        Outcome.DO_NOT_CONTACT,
    }
)


def profile(*, quick: bool = False, top: int = 25) -> str:
    """cProfile of one replay of the workload; the top functions by own time."""
    import cProfile
    import io
    import pstats

    begins, records = build_workload(1_500 if quick else 6_000)
    _time_begins(begins)
    _time_records(records)
    profiler = cProfile.Profile()
    profiler.enable()
    _time_begins(begins)
    _time_records(records)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def format_report(figures: dict[str, object]) -> str:
    rows = [
        ("enrollment_begin + enrollment_record", f"{figures['transitions_per_s']:,} /s (median)"),
        ("  best repetition", f"{figures['transitions_per_s_best']:,} /s"),
        ("  per transition", f"{figures['us_per_transition']} µs"),
        ("enrollment_record alone", f"{figures['record_per_s']:,} /s"),
        ("enrollment_begin alone", f"{figures['begin_per_s']:,} /s"),
        (
            "workload",
            f"{figures['enrollments']:,} enrollments, {figures['record_calls']:,} records "
            f"({figures['record_calls_planning_next_window']:,} plan a next window), "
            f"{figures['repetitions']} repetitions",
        ),
        ("goal", f"≥ {GOAL_PER_SECOND:,} /s: {'met' if figures['meets_goal'] else 'MISSED'}"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smaller workload")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one replay")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args(argv)
    if options.profile:
        print(profile(quick=options.quick))
        return 0
    figures = run(quick=options.quick)
    print(json.dumps(figures, indent=2) if options.json else format_report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
