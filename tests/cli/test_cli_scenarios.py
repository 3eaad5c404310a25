"""Scenario tests: every built-in playbook replayed day by day through the ``ringback`` command.

Each day the test sets ``RINGBACK_NOW`` to 07:00 in the seller's zone (New York), reads
``agenda --json`` and asserts exactly what is on it: which contacts (precisely those whose next
step the command announced for that day, nobody else), the kind, playbook step, attempt, the number
to dial, the window in the contact's local time (inside their calling hours, within one part of the
day for calls, never on a Sunday or a public holiday of their state for calls and mail), a reason
naming the attempt, and a script with the contact's first name filled in. Then it logs the outcome
with ``log --at`` inside the window and moves on to the next day. At the end it checks the whole
plan against the rule the playbook encodes.

Plans are seeded per enrollment (the seed includes database ids), so the assertions are about the
rules, not about one particular draw; they hold on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from ringback.activities.models import Touch
from ringback.contacts.models import Contact, Phone
from ringback.playbooks.models import Enrollment

SELLER = ZoneInfo("America/New_York")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS = {"morning": (time(8), time(12)), "afternoon": (time(12), time(17)), "evening": (time(17), time(21))}
KIND_OF_CHANNEL = {"call": "call", "mail": "mail", "email": "email", "sms": "sms", "task": "task"}
DONE = {"call": "voicemail", "mail": "mailed", "email": "emailed", "sms": "texted", "task": "done"}
STEP_KINDS = set(KIND_OF_CHANNEL.values())


def urgency(item: dict[str, Any]) -> int:
    """Fixed (appointments, call-backs), then timely steps, then the ordinary flow."""
    if item["kind"] in ("appointment", "callback"):
        return 0
    return 1 if item["timely"] else 2


@dataclass(frozen=True)
class Person:
    """A contact as written in the CSV, and what Ringback must derive from the number."""

    name: str
    phone: str
    e164: str
    state: str
    zone: str
    last_call_hour: int  # calling hours end: 20:00 in Florida and Oklahoma, 21:00 elsewhere
    email: str = ""

    @property
    def first(self) -> str:
        return self.name.split()[0]


# Miami (Florida: 08:00-20:00), Manhattan (New York: 08:00-21:00), Oklahoma City (08:00-20:00, Central).
MARY = Person("Mary Lopez", "305-555-0142", "+13055550142", "FL", "America/New_York", 20, "mary@example.com")
JOHN = Person(
    "John Smith", "(212) 555-0199", "+12125550199", "NY", "America/New_York", 21, "john@example.com"
)
OLGA = Person("Olga Reyes", "405.555.0123", "+14055550123", "OK", "America/Chicago", 20, "olga@example.com")
TRIO = (MARY, JOHN, OLGA)


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def seller_works_every_day_without_a_time_limit(ringback: Any) -> None:
    """These scenarios check the playbooks' rhythm, so the seller works every day and has the
    time for everything due; the day plan's limits are checked in tests/day."""
    ringback.ok("account", "--working-days", "mon-sun", "--minutes", "1440", now="2026-01-01T12:00:00+00:00")


def at_seller(day: date, hour: int = 7, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SELLER)


def end_of_seller_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), SELLER).astimezone(UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@cache
def _holidays(state: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", subdiv=state, years=year).keys())


def is_holiday(day: date, state: str) -> bool:
    return day in _holidays(state, day.year)


def allowed(day: date, channel: str, state: str) -> bool:
    """May a step of ``channel`` happen on ``day`` for someone in ``state``?"""
    if channel in ("call", "mail") and day.weekday() == 6:
        return False
    return not is_holiday(day, state)


def acceptable_days(
    ref: date, low: int, high: int, channel: str, state: str, *, avoid_weekday: int | None = None
) -> set[date]:
    """Days a step waiting ``low``-``high`` days after ``ref`` may land on.

    The days of the range on which the channel is allowed (for a retry call, preferring another
    weekday than the previous attempt); when none is, the first allowed day after the range.
    """
    days = [ref + timedelta(days=n) for n in range(low, high + 1)]
    ok = [d for d in days if allowed(d, channel, state)]
    if avoid_weekday is not None and any(d.weekday() != avoid_weekday for d in ok):
        ok = [d for d in ok if d.weekday() != avoid_weekday]
    if ok:
        return set(ok)
    day = ref + timedelta(days=high + 1)
    while not allowed(day, channel, state) or day.weekday() == avoid_weekday:
        day += timedelta(days=1)
    return {day}


def part_of(moment: datetime) -> str:
    return next(name for name, (lo, hi) in PARTS.items() if lo <= moment.time() < hi)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_day(day: date) -> str:
    """How scripts write a date: ``Tuesday, March 17``."""
    return f"{WEEKDAYS[day.weekday()]}, {day:%B} {day.day}"


def csv_rows(people: tuple[Person, ...], tag: str = "new") -> list[dict[str, str]]:
    return [{"name": p.name, "phone": p.phone, "email": p.email, "tags": tag} for p in people]


# --- the replay --------------------------------------------------------------------------------


@dataclass
class Done:
    """One step as it happened: what the agenda showed and when it was logged (contact's time)."""

    enrollment: int
    step: str
    kind: str
    at: datetime
    attempt: int | None
    template: str | None
    script: str
    window: tuple[datetime, datetime]


@dataclass
class Track:
    """What the test expects of one contact: the next due instant, as the command announced it."""

    person: Person
    contact_id: int
    due: datetime | None
    step: str | None
    done: list[Done] = field(default_factory=list)

    def calls(self, enrollment: int) -> list[Done]:
        return [d for d in self.done if d.enrollment == enrollment and d.kind == "call"]

    def cycles(self) -> list[list[Done]]:
        """The touches grouped by enrollment (first run, next quarter's recontact, ...)."""
        groups: dict[int, list[Done]] = {}
        for d in self.done:
            groups.setdefault(d.enrollment, []).append(d)
        return list(groups.values())


class Replay:
    """Drive one playbook for some people day by day through the command."""

    def __init__(
        self,
        ringback: Any,
        write_csv: Any,
        playbook: str,
        people: tuple[Person, ...],
        start: date,
        *,
        birthdays: dict[Person, tuple[int, int]] | None = None,
    ) -> None:
        self.rb = ringback
        self.playbook = playbook
        self.start = start
        self.birthdays = birthdays or {}
        morning = at_seller(start, 6, 0)
        imported = self.rb.json("import", write_csv(csv_rows(people)), now=morning)
        assert imported["created"] == len(people), imported
        for person, (month, day) in self.birthdays.items():
            # The plain CSV import has no birthday column (yet): set it in the database.
            Contact.objects.filter(first_name=person.first).update(birthday_month=month, birthday_day=day)
        self.spec = self.rb.json("playbooks", "show", playbook, now=morning)
        assert self.spec["name"] == playbook
        self.steps = {s["id"]: s for s in self.spec["steps"]}
        # --force: these people have no postal address (the plain CSV has none), and the scenarios
        # check the playbooks' rhythm, cards included (refusals are checked in tests/day).
        enrolled = self.rb.json("enroll", playbook, "--tag", "new", "--force", now=morning)
        assert enrolled["skipped"] == []
        by_name = {p.name: p for p in people}
        self.tracks: dict[int, Track] = {}
        for row in enrolled["enrolled"]:
            assert row["status"] == "active"
            person = by_name[row["contact_name"]]
            due = utc(row["due"]) if row["due"] else None
            self.tracks[row["contact_id"]] = Track(person, row["contact_id"], due, None)
        assert len(self.tracks) == len(people)
        self.agendas: dict[date, list[dict[str, Any]]] = {}

    def track(self, person: Person) -> Track:
        return next(t for t in self.tracks.values() if t.person == person)

    # one day ------------------------------------------------------------------------------

    def day(self, day: date) -> list[dict[str, Any]]:
        """Read the agenda of ``day``, check it, log every step on it; return what was shown."""
        now = at_seller(day)
        shown: list[dict[str, Any]] = []
        for _ in range(5):  # a step done today may plan the next one for later today
            items = self.rb.agenda(now=now)
            self.check_agenda(day, items, first=not shown)
            steps = sorted(
                (i for i in items if i["kind"] in STEP_KINDS),
                key=lambda i: datetime.fromisoformat(i["window"]["start"]),
            )
            shown.extend(items if not shown else steps)
            if not steps:
                break
            for item in steps:
                now = self.log(day, item)
        else:  # pragma: no cover
            pytest.fail(f"{day}: the agenda keeps growing")
        self.agendas[day] = shown
        return shown

    def run(self, until: date, *, since: date | None = None) -> None:
        day = since or self.start
        while day <= until:
            self.day(day)
            day += timedelta(days=1)

    # checks -------------------------------------------------------------------------------

    def check_agenda(self, day: date, items: list[dict[str, Any]], *, first: bool) -> None:
        end = end_of_seller_day(day)
        expected = {cid for cid, t in self.tracks.items() if t.due is not None and t.due < end}
        on_agenda = [i["contact_id"] for i in items if i["kind"] in STEP_KINDS]
        assert sorted(on_agenda) == sorted(expected), (
            f"{day:%a %Y-%m-%d}: agenda lists {self.names(on_agenda)}, expected {self.names(expected)}"
        )
        urgencies = [urgency(i) for i in items]
        assert urgencies == sorted(urgencies), f"{day}: agenda out of order: {[i['kind'] for i in items]}"
        if first:
            birthdays = sorted(i["contact_name"] for i in items if i["kind"] == "birthday")
            wanted = sorted(p.name for p, md in self.birthdays.items() if md == (day.month, day.day))
            assert birthdays == wanted, f"{day}: birthdays {birthdays}, expected {wanted}"
        for item in items:
            if item["kind"] in STEP_KINDS:
                self.check_item(day, item)

    def names(self, ids: Any) -> list[str]:
        return sorted(self.tracks[i].person.name for i in ids)

    def check_item(self, day: date, item: dict[str, Any]) -> None:
        track = self.tracks[item["contact_id"]]
        person = track.person
        where = f"{day:%a %Y-%m-%d} {person.name}"
        for key in ("kind", "contact_id", "contact_name", "due", "window", "playbook", "step"):
            assert key in item, f"{where}: no {key!r} in {item}"
        for key in ("attempt", "phone", "reason", "script"):
            assert key in item, f"{where}: no {key!r} in {item}"
        assert item["contact_name"] == person.name
        assert item["playbook"] == self.playbook, where
        assert utc(item["due"]) == track.due, f"{where}: due {item['due']}, announced {track.due}"
        assert item["overdue"] is False, where
        step = self.steps[item["step"]]
        if track.step is not None:
            assert item["step"] == track.step, f"{where}: step {item['step']}, announced {track.step}"
        assert item["kind"] == KIND_OF_CHANNEL[step["channel"]], where
        # the window, in the contact's local time
        window = item["window"]
        assert window["zone"] == person.zone, where
        start, stop = datetime.fromisoformat(window["start"]), datetime.fromisoformat(window["end"])
        assert start.utcoffset() == start.astimezone(ZoneInfo(person.zone)).utcoffset(), where
        assert start.date() == stop.date() == day, f"{where}: window {start}–{stop} is not on {day}"
        assert utc(item["due"]) == start.astimezone(UTC), where
        assert stop - start >= timedelta(minutes=30), f"{where}: window {start}–{stop} too short"
        assert start.time() >= time(8), f"{where}: window starts {start:%H:%M}, before 08:00"
        assert stop.time() <= time(person.last_call_hour), (
            f"{where}: window ends {stop:%H:%M}, after {person.last_call_hour}:00 in {person.state}"
        )
        assert allowed(day, step["channel"], person.state), (
            f"{where}: a {step['channel']} on {day:%A} (Sunday or a holiday in {person.state})"
        )
        assert item["template"] in step["templates"], where
        script = item["script"]
        assert person.first in script, f"{where}: the script does not name {person.first}: {script!r}"
        assert "{{" not in script and "}}" not in script and "{%" not in script, where
        if item["kind"] == "call":
            part = part_of(start)
            assert stop.time() <= PARTS[part][1], f"{where}: call window {start}–{stop} spans parts of day"
            calls = track.calls(item["enrollment_id"])
            attempt = len(calls) + 1
            assert item["attempt"] == attempt, f"{where}: attempt {item['attempt']}, expected {attempt}"
            assert item["phone"] == person.e164, where
            reason = item["reason"]
            if attempt == 1:
                assert reason.startswith("First call"), f"{where}: {reason!r}"
            else:
                last = calls[-1].at
                assert f"{ordinal(attempt)} try" in reason, f"{where}: {reason!r}"
                assert f"last time {last:%a} {part_of(last)}" in reason, f"{where}: {reason!r}"
                assert f"try {start:%a} {part}" in reason, f"{where}: {reason!r}"
        else:
            assert item["attempt"] is None, where
            assert item["phone"] is None, where
            assert step["channel"].lower() in item["reason"].lower(), where

    # logging ------------------------------------------------------------------------------

    def log(self, day: date, item: dict[str, Any]) -> datetime:
        track = self.tracks[item["contact_id"]]
        start = datetime.fromisoformat(item["window"]["start"])
        at = start + timedelta(minutes=10)
        now = at + timedelta(minutes=2)
        outcome = DONE[item["kind"]]  # nobody answers: voicemail, mailed, emailed
        data = self.rb.json("log", str(track.contact_id), outcome, "--at", at.isoformat(), now=now)
        assert data["contact_id"] == track.contact_id
        assert data["outcome"] == outcome
        assert data["step"] == item["step"], data
        assert data["channel"] == item["kind"], data
        assert utc(data["at"]) == at.astimezone(UTC)
        if item["kind"] == "call":
            assert data["phone"] == track.person.e164, data
        track.done.append(
            Done(
                enrollment=item["enrollment_id"],
                step=item["step"],
                kind=item["kind"],
                at=at,
                attempt=item["attempt"],
                template=item["template"],
                script=item["script"],
                window=(start, datetime.fromisoformat(item["window"]["end"])),
            )
        )
        following = data["next"]
        if following is None:
            track.due, track.step = None, None
        else:
            assert following["playbook"] == self.playbook, following
            track.due, track.step = utc(following["due"]), following["step"]
            assert track.due >= at.astimezone(UTC), f"{track.person.name}: next step due before this one"
        return now

    # after the run ------------------------------------------------------------------------

    def enrollments(self, person: Person) -> list[Enrollment]:
        return list(
            Enrollment.objects.filter(contact_id=self.track(person).contact_id).order_by("started_at")
        )


def local_days(done: list[Done]) -> list[date]:
    return [d.at.date() for d in done]


def gaps(done: list[Done]) -> list[int]:
    days = local_days(done)
    return [(b - a).days for a, b in pairwise(days)]


def assert_rotates(calls: list[Done], who: str) -> None:
    """R6: each call is on another weekday and in another part of the day than the one before."""
    for before, after in pairwise(calls):
        assert before.at.weekday() != after.at.weekday(), f"{who}: two calls in a row on a {after.at:%A}"
        assert part_of(before.at) != part_of(after.at), (
            f"{who}: two calls in a row in the {part_of(after.at)} ({before.at} then {after.at})"
        )


# --- the built-in playbooks, day by day --------------------------------------------------------

# Monday 2 March 2026 crosses the start of daylight-saving time (8 March); Monday 23 November 2026
# is Thanksgiving week (Thursday 26 everywhere, Friday 27 in Florida and Oklahoma).
STARTS = [pytest.param(date(2026, 3, 2), id="march"), pytest.param(date(2026, 11, 23), id="thanksgiving")]


@pytest.mark.parametrize("start", STARTS)
def test_call_mail_call(ringback: Any, write_csv: Any, start: date) -> None:
    """R9: call 1 announces a note → note mailed 0–1 day later with an offer expiring 14 days after
    mailing → call 2 three to four days after the note, naming the note's date and the offer's →
    then leave them alone."""
    replay = Replay(ringback, write_csv, "call-mail-call", TRIO, start)
    replay.run(start + timedelta(days=30))

    for person in TRIO:
        track = replay.track(person)
        who = person.name
        assert [(d.step, d.kind) for d in track.done] == [
            ("first-call", "call"),
            ("the-note", "mail"),
            ("second-call", "call"),
        ], who
        call1, note, call2 = track.done
        assert call1.at.date() == start, who
        assert "in the mail" in call1.script, who
        assert note.at.date() in acceptable_days(call1.at.date(), 0, 1, "mail", person.state), who
        assert note.template == "note-with-offer"
        mailed = note.at.date()
        offer = mailed + timedelta(days=14)
        assert f"good until {long_day(offer)}" in note.script, f"{who}: {note.script!r}"
        assert call2.at.date() in acceptable_days(mailed, 3, 4, "call", person.state), (
            f"{who}: note mailed {mailed:%a %d %b}, call 2 on {call2.at:%a %d %b}"
        )
        assert call2.template == "did-you-get-my-note"
        assert f"my note from {mailed:%B} {mailed.day}" in call2.script, f"{who}: {call2.script!r}"
        assert f"good until {long_day(offer)}" in call2.script, f"{who}: {call2.script!r}"
        assert call2.attempt == 2
        assert part_of(call1.at) != part_of(call2.at) and call1.at.weekday() != call2.at.weekday(), who
        # then nothing more: off the agenda (checked daily by the replay) and the enrollment over
        assert track.due is None, who
        (enrollment,) = replay.enrollments(person)
        assert enrollment.status == "exhausted", who

    people = ringback.json("contacts", now=at_seller(start + timedelta(days=31)))
    assert {p["name"]: p["enrollment_status"] for p in people} == {p.name: None for p in TRIO}


@pytest.mark.parametrize("start", STARTS)
def test_four_calls_two_weeks_then_next_quarter(ringback: Any, write_csv: Any, start: date) -> None:
    """R7+R8: at most four calls within 14 days, each on another weekday and part of the day than
    the one before; the fourth leaves the gracious yes-or-no message; then nothing for about 90
    days, when a recontact enrollment starts the series again."""
    replay = Replay(ringback, write_csv, "four-calls-two-weeks", TRIO, start)
    replay.run(start + timedelta(days=14 + 92 + 16))

    for person in TRIO:
        track = replay.track(person)
        who = person.name
        first, again = track.cycles()[:2]
        for cycle in (first, again):
            assert [d.step for d in cycle] == ["call-1", "call-2", "call-3", "last-call"], who
            assert [d.attempt for d in cycle] == [1, 2, 3, 4], who
            assert (cycle[-1].at - cycle[0].at) <= timedelta(days=14), f"{who}: calls beyond 14 days"
            assert_rotates(cycle, who)
            for before, after in pairwise(cycle):
                days = acceptable_days(
                    before.at.date(), 2, 4, "call", person.state, avoid_weekday=before.at.weekday()
                )
                assert after.at.date() in days, f"{who}: {before.at:%a %d %b} then {after.at:%a %d %b}"
            assert all(
                d.template in ("something-you-will-like", "made-me-think-of-you") for d in cycle[:3]
            ), who
            last = cycle[-1]
            assert last.template == "yes-or-no", who
            text = last.script.lower()
            assert "yes" in text and "no" in text and "either" in text, f"{who}: {last.script!r}"
        assert first[0].at.date() == start, who
        pause = (again[0].at.date() - first[-1].at.date()).days
        assert 90 <= pause <= 93, f"{who}: next quarter's first call {pause} days after the last one"
        assert again[0].enrollment != first[0].enrollment, who
        statuses = [e.status for e in replay.enrollments(person)]
        assert statuses[:2] == ["exhausted", "exhausted"], who
        assert len(statuses) == 3 and statuses[2] == "active", f"{who}: {statuses}"


def test_steady_weekly(ringback: Any, write_csv: Any) -> None:
    """R6+R8: a call every 7–10 days, varying weekday and part of the day; the fifth call, after four
    unanswered ones, is the last-chance message; then stop."""
    start = date(2026, 3, 2)
    replay = Replay(ringback, write_csv, "steady-weekly", TRIO, start)
    replay.run(start + timedelta(days=4 * 10 + 30))

    for person in TRIO:
        track = replay.track(person)
        who = person.name
        assert [d.step for d in track.done] == ["call-1", "call-2", "call-3", "call-4", "last-chance"], who
        assert [d.attempt for d in track.done] == [1, 2, 3, 4, 5], who
        assert [d.template for d in track.done] == ["weekly-idea"] * 4 + ["last-chance"], who
        assert_rotates(track.done, who)
        for before, after in zip(track.done, track.done[1:], strict=False):
            days = acceptable_days(
                before.at.date(), 7, 10, "call", person.state, avoid_weekday=before.at.weekday()
            )
            assert after.at.date() in days, f"{who}: {before.at:%a %d %b} then {after.at:%a %d %b}"
        text = track.done[-1].script.lower()
        assert "yes" in text and "either" in text, who
        assert track.due is None, who
        (enrollment,) = replay.enrollments(person)
        assert enrollment.status == "exhausted", who


def test_stranger_series(ringback: Any, write_csv: Any) -> None:
    """R12: card → call → email → call → call over about three weeks, then next quarter again."""
    start = date(2026, 3, 2)
    replay = Replay(ringback, write_csv, "stranger-series", TRIO, start)
    replay.run(start + timedelta(days=25 + 92))

    plan = [
        ("intro-card", "mail", 0, 0),
        ("first-call", "call", 3, 4),
        ("resource-email", "email", 2, 3),
        ("second-call", "call", 5, 7),
        ("last-call", "call", 5, 7),
    ]
    for person in TRIO:
        track = replay.track(person)
        who = person.name
        first = track.cycles()[0]
        assert [(d.step, d.kind) for d in first] == [(s, k) for s, k, _, _ in plan], who
        assert first[0].at.date() == start, who
        for (_, kind, low, high), before, after in zip(plan[1:], first, first[1:], strict=False):
            assert after.at.date() in acceptable_days(before.at.date(), low, high, kind, person.state), (
                f"{who}: {before.step} {before.at:%a %d %b} then {after.step} {after.at:%a %d %b}"
            )
        span = (first[-1].at.date() - first[0].at.date()).days
        assert 15 <= span <= 24, f"{who}: the series took {span} days, not about three weeks"
        calls = [d for d in first if d.kind == "call"]
        assert [d.attempt for d in calls] == [1, 2, 3], who
        assert_rotates(calls, who)
        assert "card" in calls[0].script, who
        assert first[-1].template == "last-call-for-now", who
        # then next quarter a new series starts with the card
        later = track.cycles()[1]
        assert later[0].step == "intro-card", who
        assert 90 <= (later[0].at.date() - first[-1].at.date()).days <= 93, who


def test_stay_in_touch(ringback: Any, write_csv: Any) -> None:
    """R11: a birthday card that arrives by the birthday (mailed 4 days before, the account's
    mail lead time) and one non-sales tip per quarter, never two touches within a month; no call
    at all."""
    start = date(2026, 3, 2)
    replay = Replay(
        ringback,
        write_csv,
        "stay-in-touch",
        TRIO,
        start,
        birthdays={MARY: (3, 20), OLGA: (4, 4)},
    )
    replay.run(start + timedelta(days=190))

    mary = replay.track(MARY)
    card = mary.done[0]
    assert (card.step, card.kind, card.at.date()) == ("birthday", "mail", date(2026, 3, 16))
    assert card.template == "birthday-card"
    assert "Happy birthday, Mary" in card.script
    (card_line,) = replay.agendas[date(2026, 3, 16)]
    assert card_line["timely"] == "the card must arrive before their birthday", card_line
    (greeting,) = replay.agendas[date(2026, 3, 20)]
    assert greeting["kind"] == "birthday" and "Birthday today" in greeting["reason"]
    # Olga's birthday (Saturday 4 April) is a month away when she is enrolled: the card is her
    # first touch, mailed on Tuesday 31 March.
    olga = replay.track(OLGA)
    assert (olga.done[0].step, olga.done[0].at.date()) == ("birthday", date(2026, 3, 31)), olga.done

    for track in replay.tracks.values():
        who = track.person.name
        assert all(d.kind in ("mail", "email") for d in track.done), f"{who}: a sales call in stay-in-touch"
        tips = [d for d in track.done if d.step == "quarter-tip"]
        assert len(tips) >= 2, f"{who}: {[(d.step, d.at.date()) for d in track.done]}"
        assert all(d.template == "quarter-tip" for d in tips)
        assert all("tip" in d.script for d in tips)
        for gap in gaps(track.done):
            assert gap >= 30, f"{who}: two touches {gap} days apart: {local_days(track.done)}"
        for gap in gaps(tips):
            assert gap <= 110, f"{who}: tips {local_days(tips)} are not quarterly"
    john = replay.track(JOHN)
    assert 30 <= (john.done[0].at.date() - start).days <= 45


# --- promises in the scripts -------------------------------------------------------------------


def test_four_calls_voicemail_promises_the_day_of_the_next_call(ringback: Any, write_csv: Any) -> None:
    """R4: say when you will call again — and then call on that day."""
    start = date(2026, 11, 23)  # Thursday 26 is Thanksgiving: no calls that day
    replay = Replay(ringback, write_csv, "four-calls-two-weeks", TRIO, start)
    replay.run(start + timedelta(days=14))
    broken = []
    for track in replay.tracks.values():
        calls = track.cycles()[0]
        for made, following in pairwise(calls):
            promised = re.search(r"again on (\w+day)", made.script)
            assert promised, made.script
            if promised.group(1) != WEEKDAYS[following.at.weekday()]:
                broken.append(
                    f"{track.person.name} {made.at:%a %d %b}: promised {promised.group(1)}, "
                    f"called {following.at:%A %d %b}"
                )
    assert not broken, "\n".join(broken)


# --- engine rules through the command -----------------------------------------------------------

MONDAY = date(2026, 3, 2)


def setup_people(ringback: Any, write_csv: Any, people: tuple[Person, ...] = TRIO, tag: str = "new") -> None:
    ringback.ok("import", write_csv(csv_rows(people, tag)), now=at_seller(MONDAY, 6))


def counts() -> dict[str, int]:
    return {
        "contacts": Contact.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "touches": Touch.objects.count(),
    }


def test_callback_mid_chase_tops_the_agenda_and_stops_the_chase(ringback: Any, write_csv: Any) -> None:
    replay = Replay(ringback, write_csv, "four-calls-two-weeks", (MARY, JOHN), MONDAY)
    replay.day(MONDAY)
    mary = replay.track(MARY)
    john = replay.track(JOHN)
    # John calls back on the morning Mary's second call is due.
    assert mary.due is not None
    day = mary.due.astimezone(SELLER).date()
    ringback.json(
        "log", "John Smith", "callback", "--note", "returned my voicemail", now=at_seller(day, 6, 30)
    )
    john.due, john.step = None, None
    items = ringback.agenda(now=at_seller(day))
    assert items[0]["kind"] == "callback"
    assert items[0]["contact_name"] == "John Smith"
    assert items[0]["phone"] == JOHN.e164
    assert "call back now" in items[0]["reason"]
    assert [i["contact_name"] for i in items if i["kind"] == "call"] == ["Mary Lopez"]
    (enrollment,) = replay.enrollments(JOHN)
    assert enrollment.status == "engaged"
    # No more call steps for John, however long we wait; he stays on top until we reach him.
    for n in range(0, 21):
        current = day + timedelta(days=n)
        items = replay.day(current)
        johns = [i for i in items if i["contact_name"] == "John Smith"]
        assert [i["kind"] for i in johns] == ["callback"], f"{current}: {johns}"
        assert items[0]["kind"] == "callback"
    assert len(mary.done) == 4
    ringback.json("log", "John Smith", "connected", now=at_seller(day + timedelta(days=21), 9))
    later = ringback.agenda(now=at_seller(day + timedelta(days=21), 10))
    assert all(i["contact_name"] != "John Smith" for i in later)
    assert Touch.objects.filter(contact_id=john.contact_id, channel="call", direction="out").count() == 2


def test_not_interested_suppresses_for_180_days(ringback: Any, write_csv: Any) -> None:
    setup_people(ringback, write_csv)
    ringback.ok("enroll", "four-calls-two-weeks", "--tag", "new", now=at_seller(MONDAY, 7))
    said_no = at_seller(MONDAY, 12, 30).astimezone(UTC)  # add days in UTC: DST starts on 8 March
    ringback.json("log", "Mary Lopez", "not-interested", "--at", said_no.isoformat(), now=said_no)
    (enrollment,) = Enrollment.objects.filter(contact__first_name="Mary")
    assert enrollment.status == "stopped"
    items = ringback.agenda(now=at_seller(MONDAY, 13))
    assert "Mary Lopez" not in [i["contact_name"] for i in items]
    assert len(items) == 2

    before = counts()
    refused = ringback("enroll", "steady-weekly", "--contact", "Mary Lopez", now=at_seller(MONDAY, 14))
    assert refused.code != 0
    assert len(refused.error_lines) == 1
    assert "not interested" in refused.err and "2026-08-29" in refused.err, refused
    assert counts() == before
    # Still resting on day 179, by tag as well.
    almost = said_no + timedelta(days=179)
    refused = ringback("enroll", "steady-weekly", "--tag", "new", "--json", now=almost)
    data = refused.json()
    assert [s["contact_name"] for s in data["skipped"]] == ["Mary Lopez", "John Smith", "Olga Reyes"]
    assert "not interested" in data["skipped"][0]["reason"]
    assert "already in" in data["skipped"][1]["reason"]
    assert refused.code != 0 and counts() == before
    # After 180 days she may be enrolled again.
    after = said_no + timedelta(days=180, minutes=1)
    again = ringback.json("enroll", "steady-weekly", "--contact", "Mary Lopez", now=after)
    assert [e["contact_name"] for e in again["enrolled"]] == ["Mary Lopez"]
    items = ringback.agenda(now=after)
    assert "Mary Lopez" in [i["contact_name"] for i in items]


def test_do_not_contact_is_forever(ringback: Any, write_csv: Any) -> None:
    setup_people(ringback, write_csv)
    ringback.ok("enroll", "call-mail-call", "--tag", "new", now=at_seller(MONDAY, 7))
    Contact.objects.filter(first_name="John").update(birthday_month=3, birthday_day=20)
    ringback.json("log", "John Smith", "do-not-contact", now=at_seller(MONDAY, 9))
    (enrollment,) = Enrollment.objects.filter(contact__first_name="John")
    assert enrollment.status == "stopped"
    before = counts()
    for later in (timedelta(hours=1), timedelta(days=181), timedelta(days=3650)):
        when = at_seller(MONDAY, 9) + later
        refused = ringback("enroll", "four-calls-two-weeks", "--contact", "John Smith", "--replace", now=when)
        assert refused.code != 0, refused
        assert len(refused.error_lines) == 1 and "not to be contacted" in refused.err, refused
        booked = ringback(
            "appointment", "John Smith", "--at", (when + timedelta(days=1)).isoformat(), now=when
        )
        assert booked.code != 0 and "not to be contacted" in booked.err, booked
        assert counts() == before
    for day in (MONDAY, date(2026, 3, 20), date(2027, 3, 20)):
        names = [i["contact_name"] for i in ringback.agenda(now=at_seller(day))]
        assert "John Smith" not in names, f"{day}: {names}"


def test_enrolling_twice_changes_nothing_unless_replace(ringback: Any, write_csv: Any) -> None:
    setup_people(ringback, write_csv)
    first = ringback.json("enroll", "call-mail-call", "--contact", "Mary Lopez", now=at_seller(MONDAY, 7))
    (row,) = first["enrolled"]
    before = counts()
    snapshot = list(Enrollment.objects.values())
    for playbook in ("call-mail-call", "steady-weekly"):
        again = ringback("enroll", playbook, "--contact", "mary@example.com", now=at_seller(MONDAY, 8))
        assert again.code != 0
        assert len(again.error_lines) == 1
        assert "already" in again.err and "call-mail-call" in again.err and "--replace" in again.err, again
        assert counts() == before
        assert list(Enrollment.objects.values()) == snapshot
    replaced = ringback.json(
        "enroll", "steady-weekly", "--contact", MARY.e164, "--replace", now=at_seller(MONDAY, 8)
    )
    assert [e["contact_name"] for e in replaced["enrolled"]] == ["Mary Lopez"]
    old, new = Enrollment.objects.order_by("id")
    assert old.pk == row["enrollment_id"] and old.status == "stopped" and "replaced" in old.ended_reason
    assert new.status == "active" and new.version.playbook.name == "steady-weekly"
    items = ringback.agenda(now=at_seller(MONDAY, 8))
    assert [(i["contact_name"], i["playbook"]) for i in items] == [("Mary Lopez", "steady-weekly")]


def test_wrong_number_retries_the_step_on_the_other_number(ringback: Any, write_csv: Any) -> None:
    setup_people(ringback, write_csv, (JOHN, OLGA))
    john = Contact.objects.get(first_name="John")
    Phone.objects.create(account=john.account, contact=john, number="+12125550111", label="home")
    ringback.ok("enroll", "four-calls-two-weeks", "--tag", "new", now=at_seller(MONDAY, 7))
    items = {i["contact_name"]: i for i in ringback.agenda(now=at_seller(MONDAY, 7))}
    assert items["John Smith"]["phone"] == JOHN.e164
    start = datetime.fromisoformat(items["John Smith"]["window"]["start"])
    at = start + timedelta(minutes=5)
    logged = ringback.json("log", "John Smith", "wrong-number", "--at", at.isoformat(), now=at)
    assert logged["phone"] == JOHN.e164
    assert logged["next"]["step"] == "call-1", logged
    items = {i["contact_name"]: i for i in ringback.agenda(now=at + timedelta(minutes=1))}
    retry = items["John Smith"]
    assert (retry["step"], retry["phone"]) == ("call-1", "+12125550111")
    assert datetime.fromisoformat(retry["window"]["start"]) >= at
    people = {p["name"]: p for p in ringback.json("contacts", now=at)}
    assert [(p["number"], p["bad"]) for p in people["John Smith"]["phones"]] == [
        (JOHN.e164, True),
        ("+12125550111", False),
    ]
    # The retry, on the home number, goes on to the next step.
    retry_at = datetime.fromisoformat(retry["window"]["start"]) + timedelta(minutes=5)
    logged = ringback.json("log", "John Smith", "voicemail", "--at", retry_at.isoformat(), now=retry_at)
    assert logged["phone"] == "+12125550111"
    assert logged["next"]["step"] == "call-2"
    # Olga has no other number: a wrong number ends her chase.
    olga = items["Olga Reyes"]
    at = datetime.fromisoformat(olga["window"]["start"]) + timedelta(minutes=5)
    logged = ringback.json("log", "Olga Reyes", "wrong-number", "--at", at.isoformat(), now=at)
    assert logged["next"] is None
    (enrollment,) = Enrollment.objects.filter(contact__first_name="Olga")
    assert enrollment.status == "stopped" and "number" in enrollment.ended_reason
    later = ringback.agenda(now=at_seller(MONDAY + timedelta(days=5)))
    assert "Olga Reyes" not in [i["contact_name"] for i in later]


def test_appointment_comes_first_on_its_day(ringback: Any, write_csv: Any) -> None:
    setup_people(ringback, write_csv)
    ringback.ok("enroll", "four-calls-two-weeks", "--tag", "new", now=at_seller(MONDAY, 7))
    logged = ringback.json("log", "John Smith", "no-answer", now=at_seller(MONDAY, 12))
    day = utc(logged["next"]["due"]).astimezone(SELLER).date()  # John's second call
    # Olga picks up and books a call on that day at 16:30 her time (Chicago) = 17:30 New York.
    when = datetime.combine(day, time(16, 30), ZoneInfo(OLGA.zone))
    booked = ringback.json(
        "appointment",
        "Olga",
        "--at",
        when.isoformat(),
        "--note",
        "wants the catalogue",
        now=at_seller(MONDAY, 12, 30),
    )
    assert utc(booked["at"]) == when.astimezone(UTC)
    (enrollment,) = Enrollment.objects.filter(contact__first_name="Olga")
    assert enrollment.status == "engaged"
    today = ringback.agenda(now=at_seller(MONDAY, 13))
    assert [i["contact_name"] for i in today] == ["Mary Lopez"]
    # Mary books one at 19:00 (no offset: the seller's time zone).
    ringback.json("log", "Mary Lopez", "busy", now=at_seller(MONDAY, 14))
    ringback.json("appointment", "Mary", "--at", f"{day.isoformat()}T19:00", now=at_seller(MONDAY, 14))
    items = ringback.agenda("--date", day.isoformat(), now=at_seller(MONDAY, 15))
    assert [(i["kind"], i["contact_name"]) for i in items] == [
        ("appointment", "Olga Reyes"),
        ("appointment", "Mary Lopez"),
        ("call", "John Smith"),
    ]
    first = items[0]
    assert first["window"]["start"] == when.isoformat()
    assert first["window"]["zone"] == OLGA.zone
    assert first["phone"] == OLGA.e164
    assert "wants the catalogue" in first["reason"]
    assert items[1]["window"]["start"] == f"{day.isoformat()}T19:00:00-05:00"
    # On the day itself, too; and on no other day.
    assert [i["kind"] for i in ringback.agenda(now=at_seller(day))][:2] == ["appointment"] * 2
    for other in (day - timedelta(days=1), day + timedelta(days=1)):
        kinds = [i["kind"] for i in ringback.agenda("--date", other.isoformat(), now=at_seller(MONDAY, 15))]
        assert "appointment" not in kinds, other


def test_pause_moves_due_steps_past_the_vacation(ringback: Any, write_csv: Any) -> None:
    replay = Replay(ringback, write_csv, "four-calls-two-weeks", TRIO, MONDAY)
    replay.day(MONDAY)
    assert all(
        t.due is not None and MONDAY < t.due.astimezone(SELLER).date() < MONDAY + timedelta(days=6)
        for t in replay.tracks.values()
    )
    paused = ringback.json("pause", "--from", "2026-03-04", "--to", "2026-03-10", now=at_seller(MONDAY, 22))
    assert (paused["from"], paused["to"]) == ("2026-03-04", "2026-03-10")
    back = date(2026, 3, 11)
    for person in ringback.json("contacts", now=at_seller(MONDAY, 22)):
        due = utc(person["next_due"])
        assert due >= at_seller(back, 0), f"{person['name']}: due {due} inside the vacation"
        replay.tracks[person["id"]].due = due
    for n in range(1, 9):
        day = MONDAY + timedelta(days=n)
        assert replay.day(day) == [], day
    # Back on Wednesday 11 March: the moved calls come, then the chase goes on within its 14 days.
    replay.run(MONDAY + timedelta(days=20), since=back)
    for track in replay.tracks.values():
        calls = track.cycles()[0]
        assert [d.step for d in calls][:2] == ["call-1", "call-2"], track.person.name
        assert calls[1].at.date() >= back
        assert all(not (date(2026, 3, 4) <= d.at.date() <= date(2026, 3, 10)) for d in calls)
        assert (calls[-1].at - calls[0].at) <= timedelta(days=14)


def test_overdue_steps_are_replanned_and_capacity_holds_calls_back(ringback: Any, write_csv: Any) -> None:
    rows = [{"name": f"Pat{n:02d} Rivera", "phone": f"212-555-01{n:02d}", "tags": "bulk"} for n in range(30)]
    ringback.ok("import", write_csv(rows), now=at_seller(MONDAY, 6))
    ringback.ok("enroll", "four-calls-two-weeks", "--tag", "bulk", now=at_seller(MONDAY, 6))
    # 30 first calls are due today: 25 (the daily capacity) are shown, 5 held back.
    items = ringback.agenda(now=at_seller(MONDAY))
    assert len(items) == 25 and all(i["kind"] == "call" for i in items)
    text = ringback.ok("agenda", now=at_seller(MONDAY)).out
    assert "5 more held for your next working days: 5 on Tue 3 Mar, 5 of them calls" in " ".join(text.split())
    # Nothing is done (the windows closed Monday 21:00): the calls stay on the agenda, overdue.
    for n, label in ((1, ""), (2, "overdue 1 day"), (3, "overdue 2 days")):
        items = ringback.agenda(now=at_seller(MONDAY + timedelta(days=n)))
        assert len(items) == 25
        assert all(i["overdue"] and label in i["reason"] for i in items), items[0]["reason"]
        assert {datetime.fromisoformat(i["window"]["start"]).date() for i in items} == {MONDAY}
    # More than three days late: re-planned over the coming days, not heaped on today.
    friday = MONDAY + timedelta(days=4)
    items = ringback.agenda(now=at_seller(friday))
    assert len(items) == 25
    # Still overdue since Monday: moving a step does not make it young (issue 11, #7).
    assert all(i["overdue"] and "overdue 3 days" in i["reason"] for i in items), items[0]["reason"]
    assert {datetime.fromisoformat(i["window"]["start"]).date() for i in items} == {friday}
    people = ringback.json("contacts", now=at_seller(friday))
    due = Counter(utc(p["next_due"]).astimezone(SELLER).date() for p in people)
    assert due == {friday: 25, friday + timedelta(days=1): 5}, due
    assert all(i["step"] == "call-1" and i["attempt"] == 1 for i in items)


def test_new_prospects_are_interleaved_with_follow_ups(ringback: Any, write_csv: Any) -> None:
    old = tuple(
        Person(f"Old{n} Client", f"212-555-02{n:02d}", f"+121255502{n:02d}", "NY", "America/New_York", 21)
        for n in range(3)
    )
    new = tuple(
        Person(f"New{n} Prospect", f"212-555-03{n:02d}", f"+121255503{n:02d}", "NY", "America/New_York", 21)
        for n in range(3)
    )
    ringback.ok("import", write_csv(csv_rows(old, "old")), now=at_seller(MONDAY, 6))
    ringback.ok("enroll", "four-calls-two-weeks", "--tag", "old", now=at_seller(MONDAY, 6))
    for item in ringback.agenda(now=at_seller(MONDAY)):
        at = datetime.fromisoformat(item["window"]["start"]) + timedelta(minutes=10)
        ringback.json("log", str(item["contact_id"]), "voicemail", "--at", at.isoformat(), now=at)
    friday = MONDAY + timedelta(days=4)  # second calls are due Thursday or Friday
    ringback.ok("import", write_csv(csv_rows(new, "fresh")), now=at_seller(friday, 6))
    ringback.ok("enroll", "four-calls-two-weeks", "--tag", "fresh", now=at_seller(friday, 6))
    items = ringback.agenda(now=at_seller(friday))
    assert [i["new"] for i in items] == [False, True, False, True, False, True], [
        (i["contact_name"], i["attempt"]) for i in items
    ]
    assert [i["attempt"] == 1 for i in items] == [i["new"] for i in items]
    assert {i["contact_name"] for i in items if i["new"]} == {p.name for p in new}


def test_pause_spreads_the_moved_steps_instead_of_piling_them_up(ringback: Any, write_csv: Any) -> None:
    rows = [{"name": f"Pat{n:02d} Rivera", "phone": f"212-555-01{n:02d}", "tags": "bulk"} for n in range(40)]
    ringback.ok("import", write_csv(rows), now=at_seller(MONDAY, 6))
    ringback.ok("enroll", "four-calls-two-weeks", "--tag", "bulk", now=at_seller(MONDAY, 6))
    for day in (MONDAY, MONDAY + timedelta(days=1)):  # 25 first calls on Monday, the 15 held on Tuesday
        for item in ringback.agenda(now=at_seller(day)):
            at = max(datetime.fromisoformat(item["window"]["start"]), at_seller(day, 8))
            ringback.json(
                "log", str(item["contact_id"]), "voicemail", "--at", at.isoformat(), now=at_seller(day, 22)
            )
    ringback.ok(
        "pause", "--from", "2026-03-04", "--to", "2026-03-10", now=at_seller(MONDAY + timedelta(days=1), 23)
    )
    people = ringback.json("contacts", now=at_seller(MONDAY + timedelta(days=1), 23))
    due = Counter(utc(p["next_due"]).astimezone(SELLER).date() for p in people)
    assert min(due) >= date(2026, 3, 11), due
    assert max(due.values()) <= 25, f"calls due per day after the vacation: {dict(sorted(due.items()))}"
