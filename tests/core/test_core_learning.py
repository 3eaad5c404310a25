"""What planning learns: Thompson sampling among a step's messages, and the best time to call."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ringback.core.engine import Context, enrollment_begin, enrollment_record
from ringback.core.errors import PlaybookError
from ringback.core.learning import CELLS, Level, call_times, variant_arms
from ringback.core.playbook import Outcome, PartOfDay, Split, builtin_playbooks, parse_playbook
from ringback.core.scheduling import CallTimes, Recipient
from ringback.core.stats import Tally

NY = ZoneInfo("America/New_York")
MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=NY).astimezone(UTC)
AB = """
name: ab
title: A/B
version: 1
templates:
  plain: "Hi {{ contact.first_name }}, it's {{ seller.first_name }}."
  warm: "Hi {{ contact.first_name }}, a quick idea for you from {{ seller.first_name }}."
  bold: "Hi {{ contact.first_name }}, one question, thirty seconds."
steps:
  - id: first
    channel: call
    templates: [plain, warm, bold]
{split}
"""


def ab(split: str = "") -> object:
    return parse_playbook(AB.format(split=f"    split: {split}" if split else ""))


def ctx(**kwargs: object) -> Context:
    return Context(recipient=Recipient(zone="America/New_York", country="US", subdivision="NY"), **kwargs)  # type: ignore[arg-type]


def picks(book: object, context: Context, seeds: range = range(600)) -> Counter[str | None]:
    return Counter(
        enrollment_begin(book, seed=seed, at=MONDAY, context=context).variant  # type: ignore[arg-type]
        for seed in seeds
    )


def test_with_nothing_known_the_messages_share_evenly() -> None:
    counts = picks(ab(), ctx())
    assert set(counts) == {"plain", "warm", "bold"}
    assert min(counts.values()) > 150


def test_thompson_sends_most_picks_to_the_message_that_earns_callbacks() -> None:
    arms = variant_arms({"plain": Tally(6, 300), "warm": Tally(30, 300), "bold": Tally(9, 300)})
    context = ctx(variants={("ab", "first"): arms})
    counts = picks(ab(), context)
    assert counts["warm"] > 0.7 * 600
    # Every message not yet clearly worse keeps its floor share.
    live = [arm.name for arm in arms if not arm.retired]
    assert all(counts[name] >= 0.05 * 600 for name in live)
    # The same seed and the same knowledge make the same pick.
    assert picks(ab(), context) == counts


def test_split_even_ignores_what_is_known() -> None:
    arms = variant_arms({"plain": Tally(6, 300), "warm": Tally(30, 300), "bold": Tally(9, 300)})
    counts = picks(ab("even"), ctx(variants={("ab", "first"): arms}))
    assert min(counts.values()) > 150


def test_split_is_refused_on_a_step_with_one_message() -> None:
    text = AB.replace("templates: [plain, warm, bold]", "template: plain").format(split="    split: even")
    with pytest.raises(PlaybookError, match="split applies to a step with several"):
        parse_playbook(text)
    with pytest.raises(PlaybookError, match="split 'sometimes' is not one of learn, even"):
        parse_playbook(AB.format(split="    split: sometimes"))
    assert ab("even").steps[0].split is Split.EVEN  # type: ignore[attr-defined]


def evenings(rate: float = 0.4, other: float = 0.1) -> CallTimes:
    rates = {cell: (rate if cell[1] is PartOfDay.EVENING and cell[0] == 1 else other) for cell in CELLS}
    return CallTimes(rates=rates, reasons={(1, PartOfDay.EVENING): "Ann answered twice on Tuesday evenings"})


def test_a_call_lands_in_the_cell_they_answer_in_and_says_why() -> None:
    book = builtin_playbooks()["four-calls-two-weeks"]
    state = enrollment_begin(book, seed=3, at=MONDAY, context=ctx(call_times=evenings()))
    assert state.window is not None
    local = state.window.start.astimezone(NY)
    assert (local.weekday(), state.window.part) == (1, PartOfDay.EVENING)
    assert state.window_reason == "Ann answered twice on Tuesday evenings"
    # Without what is known, the first call is simply the first window.
    plain = enrollment_begin(book, seed=3, at=MONDAY, context=ctx())
    assert plain.window_reason == ""


def test_the_next_attempt_still_varies_the_time_r6() -> None:
    book = builtin_playbooks()["four-calls-two-weeks"]
    context = ctx(call_times=evenings())
    state = enrollment_begin(book, seed=3, at=MONDAY, context=context)
    assert state.window is not None
    first = state.window
    state = enrollment_record(state, book, outcome=Outcome.VOICEMAIL, at=first.start, context=context)
    assert state.window is not None
    again = state.window.start.astimezone(NY)
    assert (again.weekday(), state.window.part) != (first.start.astimezone(NY).weekday(), first.part)


def test_call_times_shrink_a_contact_toward_the_account_and_name_the_level() -> None:
    account = Level(
        "people", {cell: Tally(10, 100) for cell in CELLS} | {(3, PartOfDay.AFTERNOON): Tally(40, 100)}
    )
    contact = Level("Ann", {(1, PartOfDay.EVENING): Tally(2, 2)})
    times = call_times(account, contact=contact)
    tuesday_evening = times.rates[(1, PartOfDay.EVENING)]
    thursday_afternoon = times.rates[(3, PartOfDay.AFTERNOON)]
    # Two answers move Ann's Tuesday evenings up, but not past the account's best cell.
    assert 0.1 < tuesday_evening < thursday_afternoon
    assert times.reason(3, PartOfDay.AFTERNOON) == "people answer most on Thursday afternoons (40 % of calls)"
    lots = replace(contact, cells={(1, PartOfDay.EVENING): Tally(9, 10)})
    times = call_times(account, contact=lots)
    assert times.reason(1, PartOfDay.EVENING) == "Ann answered 9 times on Tuesday evenings"
