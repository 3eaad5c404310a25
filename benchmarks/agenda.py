"""The agenda read path on SQLite: how long ``agenda`` takes for 1,000 to 100,000 contacts.

One account per database file (in a temporary directory), built with ``bulk_create`` but with
states computed by the real engine:

* every contact has one or two phones in various US zones (the zone, country and state come
  from the number through ``parse_phone``, as ``contact_create`` does), an email for most, tags
  for some, a birthday for a few;
* five touches per contact (10,000 contacts => 50,000 touches): the touches of the playbook
  walk (replayed through ``enrollment_begin`` / ``enrollment_record`` with realistic outcomes)
  plus older history;
* an enrollment per contact in a built-in playbook (``_state_fields`` of the engine state,
  as ``enrollment_start`` stores it). The seller's *current* work is the same at every size
  (a seller calls ~25 people a day whatever the size of the list): 200 enrollments started
  over the last days or weeks and walked up to today with no-answer outcomes (5% left behind by
  the seller, so some steps are overdue and a few long overdue), whose next windows fall over
  the past few days and the next weeks, so that 25-60 calls are due on the benchmarked day;
  20 new prospects enrolled this morning; 4 people who called back; 3 appointments that day. The rest grows with the account: contacts resting until their next-quarter
  recontact (an exhausted enrollment plus the follow-on one, due in 3-10 weeks) and finished
  enrollments (engaged, stopped, exhausted), with their appointments, suppressions and
  do-not-contact flags.

Then, on Wednesday 2026-06-10 at 08:30 in the seller's zone (America/New_York):

* ``agenda_for_day`` alone, median of ``--runs`` runs after warm-up;
* ``enrollments_replan_overdue`` + ``agenda_for_day`` (what ``ringback agenda`` does): the
  first run of the day (long-overdue steps re-planned; rolled back after each run so that every
  run does the same work) and later runs (nothing left to re-plan);
* the SQL queries of one agenda (count, time of each, ``EXPLAIN QUERY PLAN``).

    .venv/bin/python benchmarks/agenda.py --size 10000 [--runs 30] [--out FILE] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

GOAL_MS = 30.0
SELLER_ZONE = "America/New_York"
DAY = date(2026, 6, 10)  # a Wednesday, no US holiday
NOW = datetime(2026, 6, 10, 8, 30, tzinfo=ZoneInfo(SELLER_ZONE)).astimezone(UTC)
DAY_START = datetime(2026, 6, 10, 0, 0, tzinfo=ZoneInfo(SELLER_ZONE)).astimezone(UTC)
DAY_END = datetime(2026, 6, 11, 0, 0, tzinfo=ZoneInfo(SELLER_ZONE)).astimezone(UTC)
TOUCHES_PER_CONTACT = 5
CHUNK = 5_000

#: Area codes by weight; zone, country and state come from parsing the numbers.
AREA_CODES: tuple[tuple[str, int], ...] = (
    ("212", 6),
    ("718", 5),
    ("305", 5),
    ("407", 4),
    ("410", 3),
    ("404", 5),
    ("617", 4),
    ("312", 6),
    ("214", 5),
    ("713", 5),
    ("512", 3),
    ("405", 2),
    ("303", 4),
    ("602", 4),
    ("702", 2),
    ("213", 7),
    ("415", 5),
    ("206", 4),
    ("907", 1),
    ("808", 1),
)
# fmt: off
FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Maria", "Luis", "Wei", "Priya",
    "Ahmed", "Fatima", "Olga", "Kenji",
)
# fmt: on
# fmt: off
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Chen", "Patel", "Kim", "Okafor", "Schmidt",
    "Rossi", "Novak",
)
# fmt: on
COMPANIES = (
    "",
    "",
    "",
    "Acme Realty",
    "Blue Harbor Insurance",
    "Summit Dental",
    "Lakeside Motors",
    "Pioneer Roofing",
    "Redwood Financial",
    "Greenleaf Landscaping",
    "Metro Title Co.",
    "Northwind Traders",
    "Sunrise Bakery",
    "Keystone Plumbing",
)
TAGS = ("new", "referral", "trade-show-2026", "customer", "past-client", "open-house", "hot")

NO_RESPONSE_CALL = (("voicemail", 55), ("no-answer", 35), ("busy", 6), ("wrong-number", 4))
REALISTIC_CALL = (
    ("voicemail", 42),
    ("no-answer", 28),
    ("busy", 5),
    ("wrong-number", 4),
    ("connected", 11),
    ("callback", 3),
    ("appointment", 2),
    ("not-interested", 4),
    ("do-not-contact", 1),
)
FORCED_END_CALL = (("connected", 50), ("not-interested", 32), ("appointment", 12), ("do-not-contact", 6))
SEND_OUTCOME = {"mail": "mailed", "email": "emailed", "sms": "texted", "task": "done"}
#: Rough length of each playbook, for spreading the current enrollments' starts.
PLAYBOOK_DAYS = {
    "call-mail-call": 8,
    "four-calls-two-weeks": 14,
    "steady-weekly": 38,
    "stranger-series": 22,
    "stay-in-touch": 100,
}
CURRENT_MIX = (
    ("four-calls-two-weeks", 30),
    ("call-mail-call", 22),
    ("steady-weekly", 20),
    ("stranger-series", 16),
    ("stay-in-touch", 12),
)
ENDED_MIX = (
    ("four-calls-two-weeks", 25),
    ("call-mail-call", 30),
    ("steady-weekly", 20),
    ("stranger-series", 15),
    ("stay-in-touch", 10),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Django ---------------------------------------------------------------------------------


def setup_django(data_dir: Path) -> None:
    """Point Ringback at a fresh SQLite file in ``data_dir`` and migrate it."""
    os.environ["RINGBACK_DATA_DIR"] = str(data_dir)
    os.environ.pop("RINGBACK_DATABASE_URL", None)
    os.environ.pop("RINGBACK_NOW", None)
    os.environ["RINGBACK_SECRET_KEY"] = "benchmark-only"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ringback.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- building the account -------------------------------------------------------------------


def weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    names, weights = zip(*table, strict=True)
    return rng.choices(names, weights)[0]


@dataclass
class PhoneRow:
    number: str
    label: str
    ok_at_work: bool
    is_bad: bool = False


@dataclass
class Person:
    """A contact being built, before it becomes rows."""

    pk: int
    group: str
    first_name: str
    last_name: str
    company: str
    warmth: str
    status: str
    zone: str
    country: str
    subdivision: str
    phones: list[PhoneRow]
    birthday: tuple[int, int, int | None] | None
    email: str | None
    tags: list[str]
    do_not_contact: bool = False
    suppressed_until: datetime | None = None
    callback_requested_at: datetime | None = None
    last_touched_at: datetime | None = None
    created_at: datetime = NOW


@dataclass
class TouchRow:
    at: datetime
    channel: str
    outcome: str
    direction: str = "out"
    enrollment: int | None = None
    step: str = ""
    attempt: int | None = None
    template: str = ""
    phone: str = ""
    note: str = ""


@dataclass
class Built:
    """Counters of what was built."""

    contacts: int = 0
    phones: int = 0
    emails: int = 0
    touches: int = 0
    enrollments: int = 0
    appointments: int = 0
    tag_links: int = 0
    groups: Counter[str] = field(default_factory=Counter)
    enrollment_status: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


class Builder:
    """Builds one account of ``size`` contacts, chunk by chunk, with the real engine."""

    def __init__(self, size: int, *, seed: int = 20260610) -> None:
        from ringback.accounts.selectors import account_vacations
        from ringback.accounts.services import account_create
        from ringback.core import clock
        from ringback.core.phones import parse_phone
        from ringback.playbooks.models import PlaybookVersion
        from ringback.playbooks.selectors import version_spec

        self.size = size
        self.rng = random.Random(seed)
        clock.set_now(DAY_START - timedelta(days=800))
        self.account = account_create(
            username="bench",
            password=None,
            name="Bench Seller",
            seller_name="Sam Seller",
            seller_phone="+12125550100",
            business_name="Seller & Co.",
            time_zone=SELLER_ZONE,
        )
        from ringback.accounts.models import Vacation
        from ringback.accounts.services import account_update

        # The benchmark measures the whole agenda, as before issue 11's day plan: a seller who
        # works every day and has the whole day, so that nothing is held for a later day.
        account_update(
            account=self.account, working_days="mon,tue,wed,thu,fri,sat,sun", minutes_per_day=24 * 60
        )

        # A week away last month: plans made around it skip it; re-plans read it.
        Vacation.objects.create(
            account=self.account,
            first_day=date(2026, 5, 18),
            last_day=date(2026, 5, 22),
            created_at=NOW - timedelta(days=40),
        )
        clock.set_now(NOW)
        self.vacations = account_vacations(account=self.account)
        self.versions: dict[str, Any] = {}
        self.specs: dict[str, Any] = {}
        for version in PlaybookVersion.objects.filter(account=self.account).select_related("playbook"):
            name = version.playbook.name
            if name not in self.versions or version.number > self.versions[name].number:
                self.versions[name] = version
                self.specs[name] = version_spec(version=version)
        self.parse_phone = parse_phone
        self.located: dict[str, Any] = {}
        self.numbers_used: Counter[str] = Counter()
        self.contexts: dict[tuple[str, str, str, tuple[int, int] | None, int], Any] = {}
        self.hours: dict[tuple[str, str], Any] = {}
        self.built = Built()
        self.next_enrollment = 1
        self.appointments: list[tuple[int, datetime, str]] = []

    # people ---------------------------------------------------------------------------------

    def _number(self) -> tuple[str, Any]:
        area = weighted(self.rng, AREA_CODES)
        exchange = 200 + self.rng.randrange(40) * 17 % 800  # a few exchanges per area code
        key = f"{area}{exchange}"
        if key not in self.located:
            self.located[key] = self.parse_phone(f"+1{key}4567", "US")
        n = self.numbers_used[key]
        self.numbers_used[key] += 1
        return f"+1{key}{n:04d}", self.located[key]

    def person(self, pk: int, group: str) -> Person:
        rng = self.rng
        number, located = self._number()
        phones = [PhoneRow(number, "mobile" if rng.random() < 0.75 else "home", False)]
        if rng.random() < 0.4:
            second, _ = self._number()
            label = rng.choice(("work", "work", "home", "other"))
            phones.append(PhoneRow(second, label, label == "work" and rng.random() < 0.5))
        warmth = {
            "ended": rng.choice(("stranger", "met-once", "met-once", "acquainted", "customer")),
            "dormant": rng.choice(("stranger", "met-once", "acquainted")),
        }.get(group, rng.choice(("stranger", "met-once", "acquainted")))
        status = "customer" if warmth == "customer" else rng.choice(("prospect",) * 6 + ("host", "recruit"))
        birthday = None
        if rng.random() < (0.25 if warmth == "customer" else 0.05):
            month, day = rng.randint(1, 12), rng.randint(1, 28 if rng.random() < 0.1 else 30)
            if month == 2:
                day = min(day, 29)
            birthday = (month, day, rng.randint(1950, 2000) if rng.random() < 0.6 else None)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        tags = rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2))) if rng.random() < 0.5 else []
        return Person(
            pk=pk,
            group=group,
            first_name=first,
            last_name=last,
            company=rng.choice(COMPANIES),
            warmth=warmth,
            status=status,
            zone=located.zone or SELLER_ZONE,
            country=located.region or "US",
            subdivision=located.subdivision or "",
            phones=phones,
            birthday=birthday,
            email=f"{first}.{last}.{pk}@example.com".lower() if rng.random() < 0.7 else None,
            tags=tags,
        )

    def context(self, person: Person) -> Any:
        from ringback.core.engine import Context
        from ringback.core.scheduling import Recipient
        from ringback.playbooks.selectors import effective_hours

        numbers = sum(1 for p in person.phones if not p.is_bad)
        birthday = (person.birthday[0], person.birthday[1]) if person.birthday else None
        key = (person.zone, person.country, person.subdivision, birthday, numbers)
        if key not in self.contexts:
            region = (person.country, person.subdivision)
            if region not in self.hours:
                self.hours[region] = effective_hours(
                    account=self.account, country=person.country, subdivision=person.subdivision or None
                )
            self.contexts[key] = Context(
                recipient=Recipient(
                    zone=person.zone,
                    country=person.country,
                    subdivision=person.subdivision or None,
                    birthday=birthday,
                    numbers=numbers,
                ),
                hours=self.hours[region],
                vacations=self.vacations,
            )
        return self.contexts[key]

    # the engine -----------------------------------------------------------------------------

    def outcome(self, channel: str, table: tuple[tuple[str, int], ...]) -> str:
        if channel == "call":
            return weighted(self.rng, table)
        if table is FORCED_END_CALL:
            return "callback"
        if table is REALISTIC_CALL and self.rng.random() < 0.03:
            return "callback"
        return SEND_OUTCOME[channel]

    def walk(
        self,
        person: Person,
        playbook: str,
        *,
        start: datetime,
        cutoff: datetime,
        outcomes: tuple[tuple[str, int], ...],
        budget: int,
        touches: list[TouchRow],
        enrollments: list[Any],
    ) -> Any:
        """Run one enrollment from ``start``: every touch due before ``cutoff`` is made."""
        from ringback.core.engine import enrollment_begin
        from ringback.core.playbook import ENDING, STEP_OUTCOMES, Channel, Outcome
        from ringback.playbooks.models import Enrollment
        from ringback.playbooks.services import _state_fields

        spec, version = self.specs[playbook], self.versions[playbook]
        enrollment_id = self.next_enrollment
        self.next_enrollment += 1
        seed = zlib.crc32(f"{person.pk}:{version.pk}:{start.isoformat()}".encode())
        context = self.context(person)
        state = enrollment_begin(spec, seed=seed, at=start, context=context)
        made = 0
        last_at = None
        while not state.ended and state.window is not None and state.window.start < cutoff:
            step = spec.steps[state.step]
            window = state.window
            at = min(window.start + (window.end - window.start) * (0.05 + 0.8 * self.rng.random()), NOW)
            result, phone, after = self._touch(person, spec, state, at, outcomes)
            if made == budget - 1 and not after.ended and after.window and after.window.start < cutoff:
                # the last touch of the budget: it ends the chase (they answer, or say no)
                self._undo_wrong_number(person, result, phone)
                result, phone, after = self._touch(person, spec, state, at, FORCED_END_CALL)
            channel = (
                step.channel if result in STEP_OUTCOMES[step.channel] or result in ENDING else Channel.CALL
            )
            touches.append(
                TouchRow(
                    at=at,
                    channel=channel.value,
                    outcome=result.value,
                    direction="in" if result is Outcome.CALLBACK else "out",
                    enrollment=enrollment_id,
                    step=step.id,
                    attempt=state.attempt
                    if channel is Channel.CALL and step.channel is Channel.CALL
                    else None,
                    template=(state.variant or "") if channel is step.channel else "",
                    phone=phone,
                )
            )
            state = after
            self.after_touch(person, result.value, at)
            made += 1
            last_at = at
        row = Enrollment(
            id=enrollment_id,
            account=self.account,
            contact_id=person.pk,
            version=version,
            seed=seed,
            started_at=start,
            created_at=min(start, NOW),
        )
        for key, value in _state_fields(state).items():
            setattr(row, key, value)
        if state.ended:
            row.ended_at = last_at or start
        enrollments.append(row)
        self.built.enrollment_status[state.status.value] += 1
        return state

    def _touch(
        self, person: Person, spec: Any, state: Any, at: datetime, table: tuple[tuple[str, int], ...]
    ) -> tuple[Any, str, Any]:
        """One touch as ``touch_log`` makes it: the number used, a wrong number marked, the engine."""
        from ringback.core.engine import enrollment_record
        from ringback.core.phones import choose_phone
        from ringback.core.playbook import Channel, Outcome

        step = spec.steps[state.step]
        result = Outcome(self.outcome(step.channel.value, table))
        phone = ""
        if step.channel is Channel.CALL and result is not Outcome.CALLBACK:
            chosen = choose_phone(_phone_choices(person), at.astimezone(ZoneInfo(person.zone)))
            if chosen is not None:
                phone = chosen.number
                if result is Outcome.WRONG_NUMBER:
                    person.phones[chosen.id].is_bad = True
        after = enrollment_record(state, spec, outcome=result, at=at, context=self.context(person))
        return result, phone, after

    @staticmethod
    def _undo_wrong_number(person: Person, result: Any, phone: str) -> None:
        if result.value == "wrong-number":
            for p in person.phones:
                if p.number == phone:
                    p.is_bad = False

    def after_touch(self, person: Person, outcome: str, at: datetime) -> None:
        """What ``touch_log`` changes on the contact (callbacks handled by the caller)."""
        person.last_touched_at = max(person.last_touched_at or at, at)
        if outcome == "not-interested":
            person.suppressed_until = at + timedelta(days=self.account.suppress_days)
        elif outcome == "do-not-contact":
            person.do_not_contact = True
        elif outcome == "appointment":
            starts = at + timedelta(days=self.rng.randint(1, 6))
            starts = starts.replace(minute=0, second=0, microsecond=0)
            self.appointments.append((person.pk, starts, "done" if starts < NOW else "scheduled"))

    def history(self, person: Person, before: datetime, count: int, touches: list[TouchRow]) -> None:
        """Older touches outside any enrollment: calls, notes, a card."""
        at = before
        for _ in range(count):
            at -= timedelta(days=self.rng.uniform(3, 120), minutes=self.rng.randrange(600))
            kind = self.rng.random()
            if kind < 0.55:
                outcome = weighted(self.rng, (("connected", 4), ("voicemail", 4), ("no-answer", 2)))
                touches.append(TouchRow(at, "call", outcome, phone=person.phones[0].number))
            elif kind < 0.8:
                touches.append(
                    TouchRow(at, "note", "note", note="Met at the open house; two kids, moving in fall.")
                )
            else:
                touches.append(TouchRow(at, "mail", "mailed", template="thank-you"))
            person.last_touched_at = max(person.last_touched_at or at, at)
        person.created_at = min(person.created_at, at - timedelta(days=1))

    def enroll_group(self, person: Person, touches: list[TouchRow], enrollments: list[Any]) -> None:
        rng = self.rng
        group = person.group
        budget = TOUCHES_PER_CONTACT
        if group == "current":
            playbook = weighted(rng, CURRENT_MIX)
            if playbook == "stay-in-touch" and person.birthday is None:
                person.birthday = (rng.randint(1, 12), rng.randint(1, 28), None)
            start = DAY_START - timedelta(minutes=rng.randrange(PLAYBOOK_DAYS[playbook] * 24 * 60))
            cutoff = DAY_START
            if rng.random() < 0.05:  # the seller fell behind on this one
                cutoff -= timedelta(days=rng.randint(1, 7))
            state = self.walk(
                person,
                playbook,
                start=start,
                cutoff=cutoff,
                outcomes=NO_RESPONSE_CALL,
                budget=budget,
                touches=touches,
                enrollments=enrollments,
            )
            first = min((t.at for t in touches), default=start)
            self.history(person, min(first, start), budget - len(touches), touches)
            person.group = "current" if not state.ended else "current-ended"
        elif group == "new":
            playbook = weighted(
                rng, (("call-mail-call", 5), ("four-calls-two-weeks", 4), ("stranger-series", 1))
            )
            start = NOW - timedelta(minutes=rng.randrange(5, 90))  # enrolled this morning
            self.walk(
                person,
                playbook,
                start=start,
                cutoff=start,
                outcomes=NO_RESPONSE_CALL,
                budget=budget,
                touches=touches,
                enrollments=enrollments,
            )
            self.history(person, start, budget, touches)
        elif group == "callback":
            playbook = weighted(rng, CURRENT_MIX[:3])
            start = DAY_START - timedelta(days=rng.uniform(3, 9))
            responded = NOW - timedelta(minutes=rng.randrange(60, 30 * 60))
            self.walk(
                person,
                playbook,
                start=start,
                cutoff=responded,
                outcomes=NO_RESPONSE_CALL,
                budget=budget - 1,
                touches=touches,
                enrollments=enrollments,
            )
            # they called back: the chase ends (engaged) and "call back now" goes on top
            self._respond(person, responded, touches, enrollments)
            self.history(person, min((t.at for t in touches), default=start), budget - len(touches), touches)
        elif group == "dormant":
            playbook = weighted(rng, (("four-calls-two-weeks", 3), ("stranger-series", 2)))
            start = DAY_START - timedelta(days=rng.uniform(36, 75))
            state = self.walk(
                person,
                playbook,
                start=start,
                cutoff=DAY_START,
                outcomes=NO_RESPONSE_CALL,
                budget=budget,
                touches=touches,
                enrollments=enrollments,
            )
            if state.status.value != "exhausted" or state.recontact_at is None:
                person.group = "dormant-ended"
            else:  # next quarter's recontact, as touch_log's follow-on starts it
                self.walk(
                    person,
                    playbook,
                    start=state.recontact_at,
                    cutoff=DAY_START,
                    outcomes=NO_RESPONSE_CALL,
                    budget=1,
                    touches=touches,
                    enrollments=enrollments,
                )
            self.history(person, start, budget - len(touches), touches)
        else:
            playbook = weighted(rng, ENDED_MIX)
            start = DAY_START - timedelta(days=rng.uniform(100, 720))
            if playbook == "stay-in-touch" and person.birthday is None:
                person.birthday = (rng.randint(1, 12), rng.randint(1, 28), None)
            state = self.walk(
                person,
                playbook,
                start=start,
                cutoff=DAY_START,
                outcomes=REALISTIC_CALL,
                budget=budget,
                touches=touches,
                enrollments=enrollments,
            )
            if not state.ended:
                person.group = "ended-still-running"
            self.history(person, start, budget - len(touches), touches)

    def _respond(self, person: Person, at: datetime, touches: list[TouchRow], enrollments: list[Any]) -> None:
        from ringback.core.engine import enrollment_record
        from ringback.core.playbook import Outcome
        from ringback.playbooks.selectors import enrollment_state
        from ringback.playbooks.services import _state_fields

        row = enrollments[-1]
        state = enrollment_state(enrollment=row)
        enrollment = None
        if not state.ended:
            spec = self.specs[row.version.playbook.name]
            self.built.enrollment_status[state.status.value] -= 1
            state = enrollment_record(
                state, spec, outcome=Outcome.CALLBACK, at=at, context=self.context(person)
            )
            self.built.enrollment_status[state.status.value] += 1
            for key, value in _state_fields(state).items():
                setattr(row, key, value)
            row.ended_at = at
            enrollment = row.id
        touches.append(TouchRow(at, "call", "callback", direction="in", enrollment=enrollment))
        person.callback_requested_at = at
        person.last_touched_at = at

    # rows ----------------------------------------------------------------------------------

    def groups(self) -> list[str]:
        size = self.size
        new = min(20, size // 50)
        callbacks = 4 if size >= 200 else 0
        current = min(200, int(size * 0.25))
        dormant = int(size * 0.15)
        ended = size - new - callbacks - current - dormant
        labels = ["new"] * new + ["callback"] * callbacks + ["current"] * current + ["dormant"] * dormant
        labels += ["ended"] * ended
        self.rng.shuffle(labels)
        return labels

    def build(self) -> Built:
        from django.db import connection, transaction

        started = time.perf_counter()
        labels = self.groups()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
        base = 1
        with transaction.atomic():
            for offset in range(0, len(labels), CHUNK):
                self.chunk([(base + offset + i, g) for i, g in enumerate(labels[offset : offset + CHUNK])])
                log(f"  built {min(offset + CHUNK, len(labels)):,}/{len(labels):,} contacts")
            self.special_appointments()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.built.seconds = time.perf_counter() - started
        return self.built

    def chunk(self, labelled: list[tuple[int, str]]) -> None:
        from ringback.activities.models import Appointment, Touch
        from ringback.contacts.models import Contact, Email, Phone, Tag

        people: list[Person] = []
        touches_by_person: list[list[TouchRow]] = []
        enrollments: list[Any] = []
        for pk, group in labelled:
            person = self.person(pk, group)
            touches: list[TouchRow] = []
            self.enroll_group(person, touches, enrollments)
            assert len(touches) == TOUCHES_PER_CONTACT, (person.group, len(touches))
            people.append(person)
            touches_by_person.append(touches)
            self.built.groups[person.group] += 1
        account = self.account
        Contact.objects.bulk_create(
            Contact(
                id=p.pk,
                account=account,
                first_name=p.first_name,
                last_name=p.last_name,
                company=p.company,
                warmth=p.warmth,
                status=p.status,
                birthday_month=p.birthday[0] if p.birthday else None,
                birthday_day=p.birthday[1] if p.birthday else None,
                birthday_year=p.birthday[2] if p.birthday else None,
                time_zone=p.zone,
                country=p.country,
                subdivision=p.subdivision,
                do_not_contact=p.do_not_contact,
                suppressed_until=p.suppressed_until,
                callback_requested_at=p.callback_requested_at,
                last_touched_at=p.last_touched_at,
                created_at=p.created_at,
                updated_at=p.last_touched_at or p.created_at,
            )
            for p in people
        )
        phones = [
            Phone(
                account=account,
                contact_id=p.pk,
                number=ph.number,
                label=ph.label,
                ok_at_work=ph.ok_at_work,
                is_bad=ph.is_bad,
            )
            for p in people
            for ph in p.phones
        ]
        Phone.objects.bulk_create(phones)
        emails = [Email(account=account, contact_id=p.pk, address=p.email) for p in people if p.email]
        Email.objects.bulk_create(emails)
        tag_ids = {t.name: t.pk for t in Tag.objects.filter(account=account)}
        for name in TAGS:
            if name not in tag_ids:
                tag_ids[name] = Tag.objects.create(account=account, name=name).pk
        through = Contact.tags.through
        links = [through(contact_id=p.pk, tag_id=tag_ids[t]) for p in people for t in p.tags]
        through.objects.bulk_create(links)
        from ringback.playbooks.models import Enrollment

        Enrollment.objects.bulk_create(enrollments)
        rows = [
            Touch(
                account=account,
                contact_id=p.pk,
                enrollment_id=t.enrollment,
                step=t.step,
                attempt=t.attempt,
                channel=t.channel,
                direction=t.direction,
                outcome=t.outcome,
                template=t.template,
                phone=t.phone,
                note=t.note,
                at=t.at,
                created_at=t.at,
            )
            for p, ts in zip(people, touches_by_person, strict=True)
            for t in ts
        ]
        Touch.objects.bulk_create(rows)
        appointments = [
            Appointment(
                account=account,
                contact_id=pk,
                starts_at=at,
                status=status,
                note="Review the proposal" if status == "scheduled" else "",
                created_at=at - timedelta(days=2),
            )
            for pk, at, status in self.appointments
        ]
        Appointment.objects.bulk_create(appointments)
        self.appointments.clear()
        built = self.built
        built.contacts += len(people)
        built.phones += len(phones)
        built.emails += len(emails)
        built.tag_links += len(links)
        built.enrollments += len(enrollments)
        built.touches += len(rows)
        built.appointments += len(appointments)

    def special_appointments(self) -> None:
        """Three phone appointments on the day and a few in the next weeks."""
        from ringback.activities.models import Appointment
        from ringback.contacts.models import Contact

        candidates = list(
            Contact.objects.filter(account=self.account, do_not_contact=False, enrollments__status="engaged")
            .order_by("id")
            .values_list("id", flat=True)[:9]
        )
        zone = ZoneInfo(SELLER_ZONE)
        times = [datetime(2026, 6, 10, h, m, tzinfo=zone) for h, m in ((10, 0), (13, 30), (16, 15))]
        times += [datetime(2026, 6, 10, 11, 0, tzinfo=zone) + timedelta(days=d) for d in (1, 2, 5, 8, 13, 20)]
        rows = [
            Appointment(
                account=self.account,
                contact_id=pk,
                starts_at=at.astimezone(UTC),
                duration_minutes=30,
                note="Walk through the quote",
                created_at=NOW - timedelta(days=3),
            )
            for pk, at in zip(candidates, times, strict=False)
        ]
        Appointment.objects.bulk_create(rows)
        self.built.appointments += len(rows)


def _phone_choices(person: Person) -> list[Any]:
    from ringback.core.phones import PhoneChoice, PhoneLabel

    return [
        PhoneChoice(id=i, number=p.number, label=PhoneLabel(p.label), ok_at_work=p.ok_at_work, bad=p.is_bad)
        for i, p in enumerate(person.phones)
    ]


# --- measuring ------------------------------------------------------------------------------


@contextmanager
def timed_queries() -> Iterator[list[tuple[str, Any, float]]]:
    """Record every SQL statement with its parameters and its own duration."""
    from django.db import connection

    recorded: list[tuple[str, Any, float]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            recorded.append((sql, params, time.perf_counter() - started))

    with connection.execute_wrapper(wrapper):
        yield recorded


def summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    """Wall-clock figures, and the median CPU time of the process (less sensitive to a busy machine)."""
    wall = sorted(w for w, _ in samples)
    cpu = sorted(c for _, c in samples)
    return {
        "median_ms": round(statistics.median(wall) * 1000, 2),
        "min_ms": round(wall[0] * 1000, 2),
        "p90_ms": round(wall[int(0.9 * (len(wall) - 1))] * 1000, 2),
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 2),
        "runs": len(wall),
    }


def repeat(*actions: Callable[[], object], runs: int, warmup: int) -> list[list[tuple[float, float]]]:
    """Run each action ``warmup`` times untimed, then ``runs`` rounds of each in turn.

    Interleaving the actions spreads any other load on the machine evenly over them. Returns,
    per action, the (wall, CPU) seconds of each run.
    """
    for _ in range(warmup):
        for action in actions:
            action()
    samples: list[list[tuple[float, float]]] = [[] for _ in actions]
    for _ in range(runs):
        for action, out in zip(actions, samples, strict=True):
            cpu = time.process_time()
            wall = time.perf_counter()
            action()
            out.append((time.perf_counter() - wall, time.process_time() - cpu))
    return samples


def _label(sql: str) -> str:
    import re

    sql = re.sub(r"IN \((?:%s, )*%s\)", "IN (…)", sql)
    table = re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql)
    where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""
    where = re.sub(r'"\w+"\.', "", where)
    where = re.sub(r"\s+", " ", where)
    name = table.group(1) if table else sql.split()[0]
    verb = sql.split()[0].upper()
    return f"{verb} {name}" + (f" WHERE {where[:110]}" if where else "")


def explain(queries: list[tuple[str, Any, float]], repeat_each: int = 7) -> list[dict[str, Any]]:
    """Each statement's plan (EXPLAIN QUERY PLAN) and own time, fetching every row.

    SQLite does most of a SELECT's work while rows are fetched, after ``execute`` returns, so each
    SELECT is run again on its own (``execute`` + ``fetchall``, median of ``repeat_each``).
    Writes and transaction statements keep the time they took in the run.
    """
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for sql, params, seconds in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                plans.append({"query": _label(sql), "ms": round(seconds * 1000, 3), "plan": []})
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            detail = [row[-1] for row in cursor.fetchall()]
            times = []
            for _ in range(repeat_each):
                started = time.perf_counter()
                cursor.execute(sql, params)
                rows = len(cursor.fetchall())
                times.append(time.perf_counter() - started)
            plans.append(
                {
                    "query": _label(sql),
                    "ms": round(statistics.median(times) * 1000, 3),
                    "rows": rows,
                    "plan": detail,
                    "scans": [d for d in detail if d.startswith("SCAN")],
                }
            )
    return plans


def measure(account: Any, *, runs: int, warmup: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from ringback.activities.selectors import agenda_for_day
    from ringback.playbooks.models import Enrollment
    from ringback.playbooks.services import enrollments_replan_overdue

    def agenda() -> Any:
        return agenda_for_day(account=account, day=DAY, now=NOW)

    limit = NOW - timedelta(days=3)
    long_overdue = Enrollment.objects.filter(account=account, status="active", due_end__lt=limit).count()

    # 1. the first `ringback agenda` of the day: re-plan the long-overdue steps, then the agenda
    #    (rolled back after each run so that every run re-plans the same steps)
    def first_of_day() -> None:
        with transaction.atomic():
            enrollments_replan_overdue(account=account, now=NOW)
            agenda()
            transaction.set_rollback(True)

    (first_samples,) = repeat(first_of_day, runs=runs, warmup=warmup)
    with CaptureQueriesContext(connection) as captured:
        first_of_day()
    first_queries = len(captured.captured_queries)

    # 2. the re-plan done for good; later runs of the agenda that day
    replanned = enrollments_replan_overdue(account=account, now=NOW)

    def later_of_day() -> None:
        enrollments_replan_overdue(account=account, now=NOW)
        agenda()

    later_samples, agenda_samples = repeat(later_of_day, agenda, runs=runs, warmup=warmup)
    with CaptureQueriesContext(connection) as captured:
        result = agenda()
    agenda_queries = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        later_of_day()
    later_queries = len(captured.captured_queries)

    # 3. where the time goes: each SQL statement on its own, against the whole agenda
    with timed_queries() as recorded:
        agenda()
    with timed_queries() as replan_recorded:
        enrollments_replan_overdue(account=account, now=NOW)
    agenda_plans = explain(recorded)
    replan_plans = explain(replan_recorded)
    agenda_ms = statistics.median(w for w, _ in agenda_samples) * 1000
    sql_ms = sum(p["ms"] for p in agenda_plans)

    active = Enrollment.objects.filter(account=account, status="active")
    due_calls = result.counts.get("call", 0) + result.held_calls
    return {
        "agenda": summary(agenda_samples),
        "agenda_queries": agenda_queries,
        "replan_and_agenda_first_of_day": summary(first_samples),
        "replan_and_agenda_first_of_day_queries": first_queries,
        "replan_and_agenda_later": summary(later_samples),
        "replan_and_agenda_later_queries": later_queries,
        "replanned_first_of_day": replanned,
        "long_overdue_before_replan": long_overdue,
        "agenda_sql_ms": round(sql_ms, 2),
        "sql_share_of_agenda": round(min(sql_ms / agenda_ms, 1.0), 3),
        "agenda_items": len(result.items),
        "agenda_counts": result.counts,
        "due_calls": due_calls,
        "held_calls": result.held_calls,
        "overdue_items": sum(1 for i in result.items if i.overdue),
        "active_enrollments": active.count(),
        "active_due_by_end_of_day": active.filter(due_start__lt=DAY_END).count(),
        "agenda_query_plans": agenda_plans,
        "replan_query_plans": replan_plans,
    }


def profile_agenda(account: Any, top: int = 30) -> str:
    import cProfile
    import io
    import pstats

    from ringback.activities.selectors import agenda_for_day

    for _ in range(3):
        agenda_for_day(account=account, day=DAY, now=NOW)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        agenda_for_day(account=account, day=DAY, now=NOW)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("cumulative").print_stats("ringback", top)
    return out.getvalue()


def run_size(size: int, *, runs: int, warmup: int, profile: bool, keep: Path | None) -> dict[str, Any]:
    data_dir = keep or Path(tempfile.mkdtemp(prefix=f"ringback-bench-{size}-"))
    try:
        setup_django(data_dir)
        import django
        from django.db import connection

        from ringback.accounts.models import Account

        log(f"agenda benchmark: building {size:,} contacts in {data_dir}")
        built = Builder(size).build()
        log(f"  built in {built.seconds:.1f} s; measuring ({runs} runs after {warmup} warm-up)")
        account = Account.objects.get(name="Bench Seller")
        if profile:
            print(profile_agenda(account))
        figures = measure(account, runs=runs, warmup=warmup)
        db_file = data_dir / "ringback.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("select sqlite_version()")
            sqlite_version = cursor.fetchone()[0]
        return {
            "size": size,
            "built": {
                "contacts": built.contacts,
                "phones": built.phones,
                "emails": built.emails,
                "touches": built.touches,
                "enrollments": built.enrollments,
                "appointments": built.appointments,
                "tag_links": built.tag_links,
                "groups": dict(built.groups),
                "enrollment_status": dict(built.enrollment_status),
                "seconds": round(built.seconds, 1),
                "database_mb": round(db_file.stat().st_size / 1e6, 1),
            },
            "day": DAY.isoformat(),
            "now": NOW.isoformat(),
            "sqlite": sqlite_version,
            "django": django.get_version(),
            "goal_ms": GOAL_MS,
            **figures,
        }
    finally:
        if keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="contacts in the account")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each measurement")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--out", type=Path, help="write the figures as JSON to this file")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of agenda_for_day")
    parser.add_argument("--keep", type=Path, help="build the database in this directory and keep it")
    options = parser.parse_args(argv)
    if options.keep:
        options.keep.mkdir(parents=True, exist_ok=True)
    figures = run_size(
        options.size, runs=options.runs, warmup=options.warmup, profile=options.profile, keep=options.keep
    )
    text = json.dumps(figures, indent=2, default=str)
    if options.out:
        options.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
