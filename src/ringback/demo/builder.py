"""The demo account: a seller with a realistic book of contacts, every one at a believable stage.

:func:`demo_load` creates the user ``demo`` (password ``ringback-demo``), the account of Sally
Baker of Sweet Home Kitchen Parties in Chicago, and about 200 contacts. Their history is not
written into the tables by hand: it is *played* through the real services with the clock set
to past instants, so every touch, enrollment state, suppression and recontact is exactly what
the engine would have produced:

- prospects enrolled this morning whose first call is due today;
- enrollments at later steps of each built-in playbook, due today, a day or two overdue, or
  coming up, with their voicemails, notes mailed and emails sent;
- people who called back (top of the agenda), phone appointments today and tomorrow, people
  who engaged earlier, people who said no (suppressed) or asked not to be contacted;
- chases that ran out (next quarter's recontact is already planned), wrong numbers, paused ones;
- customers in *stay in touch* with birthday cards and quarterly tips, birthdays today;
- a past season: more people (:data:`PAST_SHARE` per contact by default), chased 3 to 16 weeks
  ago and done with (engaged, exhausted or stopped), whose every touch turned out as the season's
  odds drew it (the message left, the time of the call): added after everyone else and drawn
  after everything else, so the stories above and Today are the same with or without them. The
  results are counted at the end (``insights_refresh``), so the Insights page is full at once.

Where in the past each enrollment starts is found by running the pure engine first (the same
seed the service will use), so that the chase lands on the wanted day; the services then replay
it. Randomness comes from one seeded generator: the same ``now`` gives the same demo.

Who the stories are about and how each goes is planned in :mod:`ringback.demo.stories`; the
names, companies, notes and area codes they are made of are in :mod:`ringback.demo.people`.
"""

from __future__ import annotations

import random
import time as timer
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from ringback.accounts.models import Account, Membership
from ringback.accounts.passwords import DEMO_PASSWORD, DEMO_USERNAME
from ringback.accounts.services import account_create, account_update, vacation_add
from ringback.activities.models import Appointment, Touch
from ringback.activities.selectors import agenda_for_day, day_bounds
from ringback.activities.services import CardRef, agenda_card_log, appointment_book, touch_log
from ringback.contacts.choices import ContactStatus, PhoneLabel, TextConsentSource, Warmth
from ringback.contacts.models import Contact
from ringback.contacts.services import (
    AddressInput,
    PhoneInput,
    address_set,
    contact_create,
    contact_tag,
    promise_add,
)
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.core.credit import MESSAGE_OUTCOMES
from ringback.core.engine import (
    Context,
    EnrollmentState,
    Status,
    enrollment_begin,
    enrollment_record,
    enrollment_seed,
)
from ringback.core.errors import AccountError, InvalidInput, RingbackError
from ringback.core.playbook import Channel, Outcome
from ringback.core.playbook import Playbook as PlaybookSpec
from ringback.core.scheduling import Window, is_holiday, zone
from ringback.demo.people import (
    ABROAD_ZONES,
    APPOINTMENT_NOTES,
    COMPANIES,
    LAST_NAMES,
    LOCAL_NAMES,
    MEN_FIRST_NAMES,
    NOTES,
    REPLY_NOTES,
    STREETS,
    TOUCH_NOTES,
    US_AREAS,
    US_CITIES,
    WOMEN_FIRST_NAMES,
)
from ringback.demo.stories import (
    CALLBACK_ODDS,
    CALLED_BACK_TALK,
    DAY,
    HOUR,
    KEEP,
    LATE_CALLBACK_ODDS,
    MINUTE,
    PAST,
    PICK_UP_AFTER,
    Days,
    Story,
    StoryPlan,
    answer_odds,
    answered,
    calling_day,
    response_clock,
    response_days,
)
from ringback.insights.services import insights_refresh
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment, PlaybookVersion
from ringback.playbooks.selectors import (
    context_for,
    enrollment_round,
    enrollment_running,
    enrollment_status_counts,
    playbook_get,
    playbook_latest_version,
    version_spec,
)
from ringback.playbooks.services import enrollment_end, enrollment_pause, enrollment_start

DEMO_URL = "http://127.0.0.1:8000/"
#: The demo seller gives follow-up four hours a working day (a full-time seller).
DEMO_MINUTES = 240
SELLER_NAME = "Sally Baker"
SELLER_PHONE = "+1 312-555-0142"
BUSINESS_NAME = "Sweet Home Kitchen Parties"
#: The seller's mailing address (the footer of every email needs one).
POSTAL_ADDRESS = "P.O. Box 4412\nChicago, IL 60680"
TIME_ZONE = "America/Chicago"
REGION = "US"
#: Fewer contacts than this cannot show every state.
MIN_CONTACTS = 30
#: The past season has this many people for every contact of the demo (250 for the usual 200).
PAST_SHARE = 1.25


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo account holds (and whether this run created it)."""

    created: bool
    username: str
    password: str
    account_id: int
    seller_name: str
    business_name: str
    time_zone: str
    now: datetime
    agenda_day: date
    contacts: int
    enrollments: dict[str, int]
    touches: int
    appointments: int
    agenda: dict[str, int]
    follow_up_calls: int
    new_calls: int
    held_calls: int
    stories: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def url(self) -> str:
        """Where the demo is served by ``ringback serve``."""
        return DEMO_URL


@dataclass(frozen=True, slots=True)
class _Sim:
    """How a simulated chase landed: 0 on target, else how far off (inf: it cannot land)."""

    score: float
    endpoint: datetime | None


class _Builder:
    """Builds the demo account for ``now`` with ``size`` contacts, and ``past`` more whose
    chases were a past season's."""

    def __init__(self, *, now: datetime, size: int, past: int = 0) -> None:
        self.now = now
        self.size = size
        self.past = past
        self.rng = random.Random(f"ringback-demo:{size}")
        self.days = Days.around(now, time_zone=TIME_ZONE, region=REGION)
        #: Nothing of the past season happens after this: the evening of the last working day
        #: before today (no call of it counts as made today), and more than a day ago.
        last_day = self.days.today - DAY
        while last_day.weekday() >= 5 or is_holiday(last_day, REGION):
            last_day -= DAY
        self.season_end = min(self.now - DAY, self.days.local(last_day, 20, 30))
        self.numbers: set[str] = {"+13125550142"}
        self.names: set[str] = set()
        self.versions: dict[str, PlaybookVersion] = {}
        self.account: Account

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        """Where ``day`` starts and ends in the seller's zone, in UTC."""
        return day_bounds(account=self.account, day=day)

    # -- people

    def name(self, story: Story) -> tuple[str, str]:
        """A first and last name nobody else in the demo has (a local one for most people abroad)."""
        for _ in range(200):
            if story.abroad and story.abroad in LOCAL_NAMES and self.rng.random() < 0.8:
                firsts, lasts = LOCAL_NAMES[story.abroad]
                first, last = self.rng.choice(firsts), self.rng.choice(lasts)
            else:
                pool = WOMEN_FIRST_NAMES if self.rng.random() < 0.72 else MEN_FIRST_NAMES
                first, last = self.rng.choice(pool), self.rng.choice(LAST_NAMES)
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return first, last
        raise AssertionError("ran out of demo names")  # pragma: no cover

    def number(self, story: Story, kind: str) -> str:
        """A phone number of ``kind`` nobody else has, where the person lives, in a fictional range."""
        for _ in range(500):
            if story.abroad == "DE":
                text = self.rng.choice(("+49 30 23125 {:03d}", "+49 89 99998 {:03d}")).format(
                    self.rng.randrange(1000)
                )
            elif story.abroad == "GB":
                text = self.rng.choice(("+44 20 7946 0{:03d}", "+44 161 496 0{:03d}")).format(
                    self.rng.randrange(1000)
                )
            elif story.abroad == "AU":
                pattern = "+61 491 570 {:03d}" if kind == PhoneLabel.MOBILE else "+61 2 5550 {:04d}"
                text = pattern.format(self.rng.randrange(110, 999))
            elif story.abroad == "CA":
                text = f"+1 {self.rng.choice(('416', '604', '514'))} 555 01{self.rng.randrange(100):02d}"
            else:
                area = self.rng.choice(US_AREAS[story.state or "IL"])
                text = f"({area}) 555-01{self.rng.randrange(100):02d}"
            key = "".join(c for c in text if c.isdigit())
            key = f"+{key}" if text.startswith("+") else f"+1{key}"
            if key not in self.numbers:
                self.numbers.add(key)
                return text
        raise AssertionError("ran out of demo phone numbers")  # pragma: no cover

    def phones(self, story: Story) -> list[PhoneInput]:
        """The person's numbers: the story's ("single", "two"), else a mix of mobile, home and work."""
        rng = self.rng
        mobile = PhoneLabel.MOBILE
        if story.abroad in ("DE", "GB"):
            mobile = PhoneLabel.HOME  # landlines only: no fictional mobile ranges that parse
        if story.phones == "single":
            return [PhoneInput(self.number(story, mobile), mobile)]
        if story.phones == "two":
            return [
                PhoneInput(self.number(story, mobile), mobile),
                PhoneInput(self.number(story, PhoneLabel.HOME), PhoneLabel.HOME),
            ]
        roll = rng.random()
        enrolled = story.playbook is not None
        work_ok = rng.random() < 0.55
        if roll < 0.45:
            labels = [(mobile, False)]
        elif roll < 0.65:
            labels = [(mobile, False), (PhoneLabel.HOME, False)]
        elif roll < 0.8:
            labels = [(mobile, False), (PhoneLabel.WORK, work_ok)]
        elif roll < 0.9:
            labels = [(PhoneLabel.HOME, False)]
        elif roll < 0.96 or enrolled:
            labels = [(PhoneLabel.HOME, False), (PhoneLabel.WORK, True)]
        else:
            labels = [(PhoneLabel.WORK, rng.random() < 0.5)]
        return [PhoneInput(self.number(story, label), label, ok_at_work=ok) for label, ok in labels]

    def emails(self, first: str, last: str, company: str) -> list[str]:
        """None, a personal address made from the name, or one at the company (or both)."""
        if self.rng.random() < 0.13:
            return []

        def ascii_part(text: str) -> str:
            plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
            return "".join(c for c in plain.lower() if c.isalnum())

        f, surname = ascii_part(first), ascii_part(last)
        local = self.rng.choice(
            (
                f"{f}.{surname}",
                f"{f}{surname}",
                f"{f[:1]}{surname}",
                f"{f}_{surname}",
                f"{f}{surname}{self.rng.randrange(10, 99)}",
            )
        )
        home = f"{local}@{self.rng.choice(('example.com', 'example.net', 'example.org'))}"
        if company and self.rng.random() < 0.6:
            domain = "-".join(ascii_part(w) for w in company.split()[:2] if ascii_part(w))
            return [f"{f}@{domain}.example", home] if self.rng.random() < 0.4 else [f"{f}@{domain}.example"]
        return [home]

    def birthday(self, story: Story) -> tuple[int, int, int | None] | None:
        """(month, day, year or None): today's or a soon one if the story says so, else perhaps one."""
        if story.birthday_today:
            return self.days.today.month, self.days.today.day, self.rng.choice((None, 1968, 1979, 1985, 1991))
        if story.birthday_soon:
            soon = self.days.day + (2 + self.rng.randrange(5)) * DAY
            return soon.month, soon.day, None
        chance = 0.6 if story.playbook == KEEP else 0.3
        if self.rng.random() >= chance:
            return None
        for _ in range(50):
            month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
            if story.kind == PAST and _within(month, day, self.days.today, 14):
                continue  # nobody of the past season is on Today's agenda (or the next days')
            if (month, day) != (self.days.today.month, self.days.today.day):
                year = self.rng.randint(1950, 2001) if self.rng.random() < 0.55 else None
                return month, day, year
        return None  # pragma: no cover

    def contact(self, story: Story) -> Contact:
        """Add the story's person through ``contact_create``, dated when they came in."""
        rng = self.rng
        first, last = self.name(story)
        company, title = "", ""
        company_odds = (
            0.7 if story.status == ContactStatus.NETWORKING or story.warmth == Warmth.STRANGER else 0.15
        )
        if rng.random() < company_odds:
            company, title = rng.choice(COMPANIES)
        topics: dict[str, str] = {
            ContactStatus.HOST: "host",
            ContactStatus.RECRUIT: "recruit",
            ContactStatus.CUSTOMER: "customer",
            ContactStatus.NETWORKING: "networking",
        }
        topic = topics.get(story.status, "stranger" if story.warmth == Warmth.STRANGER else "party")
        notes = " ".join(n for n in (rng.choice(NOTES[topic]), rng.choice(NOTES["tips"]), story.note) if n)
        created = self.now - (rng.uniform(1, 6) if story.fresh else rng.uniform(150, 500)) * DAY
        zone_name = ABROAD_ZONES.get(story.abroad or "") if story.abroad == "AU" else None
        with clock.frozen(min(created, self.now - HOUR).replace(microsecond=0)):
            return contact_create(
                account=self.account,
                first_name=first,
                last_name=last,
                company=company,
                title=title,
                phones=_texts_agreed(story, self.phones(story)),
                emails=self.emails(first, last, company),
                tags=story.tags,
                notes=notes,
                warmth=story.warmth,
                status=story.status,
                birthday=self.birthday(story),
                time_zone=zone_name,
            )

    # -- replaying a story

    def version(self, name: str) -> PlaybookVersion:
        """The latest version of the account's playbook ``name`` (looked up once)."""
        if name not in self.versions:
            self.versions[name] = playbook_latest_version(
                playbook=playbook_get(account=self.account, name=name)
            )
        return self.versions[name]

    def outcome(self, story: Story, index: int, channel: Channel, roll: float) -> Outcome | None:
        """What the ``index``-th touch of the story records at a step of ``channel``."""
        if index == story.steps:
            return story.terminal if channel is Channel.CALL else None
        if index == story.wrong_at:
            return Outcome.WRONG_NUMBER if channel is Channel.CALL else None
        return _step_outcome(channel, roll)

    def limit(self, story: Story) -> datetime:
        """No touch of the history may come after this."""
        if story.event_at is not None:
            return story.event_at - 2 * HOUR
        return self.now - 10 * MINUTE

    def simulate(
        self,
        story: Story,
        contact: Contact,
        spec: PlaybookSpec,
        context: Context,
        start: datetime,
        rolls: Sequence[float],
    ) -> _Sim:
        """Run the pure engine from ``start`` as the services will; score the landing (0 = on target)."""
        assert story.target is not None and story.playbook is not None
        version = self.version(story.playbook)
        seed = enrollment_seed(
            contact_id=contact.pk, version_id=version.pk, round=enrollment_round(contact=contact)
        )
        limit = self.limit(story)
        if start > limit:
            return _Sim(float("inf"), None)
        state: EnrollmentState = enrollment_begin(spec, seed=seed, at=start, context=context)
        last: datetime | None = None
        for index in range(story.steps + (1 if story.terminal else 0)):
            if state.ended or state.window is None:
                return _Sim(float("inf"), None)
            outcome = self.outcome(story, index, spec.steps[state.step].channel, rolls[2 * index])
            if outcome is None:
                return _Sim(float("inf"), None)
            at = _inside(state.window, rolls[2 * index + 1], limit)
            if at is None:
                return _Sim(1e9 + (state.window.start - limit).total_seconds(), None)
            if outcome is Outcome.WRONG_NUMBER:
                context = replace(
                    context, recipient=replace(context.recipient, numbers=context.recipient.numbers - 1)
                )
            try:
                state = enrollment_record(state, spec, outcome=outcome, at=at, context=context)
            except RingbackError:
                return _Sim(float("inf"), None)
            last = at
        target = story.target
        if target.on == "last":
            if story.expect is not None and state.status is not story.expect:
                return _Sim(float("inf"), None)
            point = last or start
        else:
            if state.status is not Status.ACTIVE or state.window is None:
                return _Sim(float("inf"), None)
            point = state.window.end if target.on == "window-end" else state.window.start
        miss = (
            (target.lo - point) if point < target.lo else (point - target.hi) if point >= target.hi else None
        )
        return _Sim(miss.total_seconds() + 1 if miss is not None else 0.0, point)

    def find_start(self, story: Story, contact: Contact, rolls: Sequence[float]) -> datetime:
        """An enrollment time from which the story lands on its target (the closest one found)."""
        assert story.target is not None and story.playbook is not None
        spec = version_spec(version=self.version(story.playbook))
        context = context_for(account=self.account, contact=contact)
        limit = self.limit(story)
        hour, minute = 9 + self.rng.randrange(8), self.rng.randrange(0, 30, 5)
        touches = story.steps + (1 if story.terminal else 0) + (0 if story.target.on == "last" else 1)
        days = sum((s.wait.min_days + s.wait.max_days) / 2 for s in spec.steps[:touches])
        guess = (story.target.anchor - timedelta(days=days)).astimezone(self.days.tz).date()
        best: tuple[float, datetime] | None = None

        def attempt(day: date, variant: int = 0) -> _Sim:
            nonlocal best
            start = self.days.local(day, hour, minute + 7 * variant)
            if start > limit:  # the same day, early in the morning
                start = self.days.local(day, 7, 3 * variant)
            result = self.simulate(story, contact, spec, context, start, rolls)
            if best is None or result.score < best[0]:
                best = (result.score, start)
            return result

        for _ in range(3):  # move the start by the distance to the target
            result = attempt(guess)
            if result.score == 0 or result.endpoint is None:
                break
            shift = round((story.target.anchor - result.endpoint) / DAY)
            if shift == 0:
                break
            guess += shift * DAY
        for offset in (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -7, 7, -10, 10):
            for variant in range(4):
                if best is not None and best[0] == 0:
                    return best[1]
                attempt(guess + offset * DAY, variant)
        assert best is not None
        return best[1]

    def log(self, contact: Contact, outcome: Outcome, at: datetime, *, via: Channel | None = None) -> Touch:
        """Log a touch with ``outcome`` at ``at`` (the clock set there), with a note a seller might
        write; ``via`` is how a call back came (a call, else an email)."""
        notes = REPLY_NOTES if via is Channel.EMAIL else TOUCH_NOTES.get(outcome, ("",))
        with clock.frozen(at):
            return touch_log(
                account=self.account,
                contact=contact,
                outcome=outcome,
                at=at,
                note=self.rng.choice(notes),
                via=via,
            )

    def play(self, story: Story, contact: Contact) -> None:
        """Replay the story through the services: the chase, what ended it, what came after."""
        if story.playbook is None:
            return
        rolls = [self.rng.random() for _ in range(2 * (story.steps + 2))]
        start = story.start or self.find_start(story, contact, rolls)
        start = min(start, self.now).replace(microsecond=0)
        last = self.play_chase(story, contact, start, rolls)
        if story.event is not None:
            last = self.play_event(story, contact, after=last or start)
        if story.status in (ContactStatus.HOST, ContactStatus.RECRUIT) and story.kind == "engaged":
            contact_tag(
                account=self.account,
                contacts=[contact],
                tags=["booked" if story.status == "host" else "kit-sent"],
            )
        if story.then and last is not None:
            self.play_then(story.then, contact, after=last)
        if story.pause:
            self.pause(contact)

    def play_chase(
        self, story: Story, contact: Contact, start: datetime, rolls: Sequence[float]
    ) -> datetime | None:
        """Enroll the contact at ``start`` and log the story's step touches (then its terminal
        one), each inside the window the services plan for it; when the last was, if any."""
        assert story.playbook is not None
        with clock.frozen(start):
            # force: the story decides; some people are chased without an address on purpose, so
            # that Today shows what a step that can't be carried out looks like.
            enrollment = enrollment_start(
                account=self.account, contact=contact, playbook=story.playbook, at=start, force=True
            )
        spec = version_spec(version=enrollment.version)
        limit = self.limit(story)
        last: datetime | None = None
        for index in range(story.steps + (1 if story.terminal else 0)):
            enrollment.refresh_from_db()
            if enrollment.status != EnrollmentStatus.ACTIVE or enrollment.due_start is None:
                break
            assert enrollment.due_end is not None
            outcome = self.outcome(story, index, spec.steps[enrollment.step_index].channel, rolls[2 * index])
            at = _inside(Window(enrollment.due_start, enrollment.due_end), rolls[2 * index + 1], limit)
            if outcome is None or at is None:
                break
            self.log(contact, outcome, at)
            last = at
        return last

    def play_event(self, story: Story, contact: Contact, *, after: datetime) -> datetime:
        """Log the story's callback, or book its appointment, an hour or more ``after`` the chase
        (then the conversation that followed, if the story has one); when the last of it was."""
        assert story.event is not None
        when = story.event_at
        if when is None:
            their_zone = contact.time_zone or TIME_ZONE
            when = _daytime(after + (story.event_delay or DAY), their_zone)
            when = min(when, self.now - 2 * HOUR)
        when = max(when, after + HOUR).replace(second=0)
        if story.event is Outcome.APPOINTMENT and story.appointment_at is not None:
            with clock.frozen(when):
                appointment_book(
                    account=self.account,
                    contact=contact,
                    starts_at=max(story.appointment_at, when + HOUR),
                    note=self.rng.choice(APPOINTMENT_NOTES),
                    duration_minutes=self.rng.choice((15, 20, 30)),
                    # The stories' times are chosen, like a seller confirming one.
                    confirm_outside_hours=True,
                )
        else:
            self.log(contact, story.event, min(when, self.now - MINUTE))
        if not story.connect_after_event:
            return when
        connected = min(when + timedelta(hours=1 + self.rng.randrange(3)), self.now - MINUTE)
        self.log(contact, Outcome.CONNECTED, connected)
        return connected

    def play_then(self, playbook: str, contact: Contact, *, after: datetime) -> None:
        """Enroll the contact in ``playbook`` a few days ``after`` the story ended, and log the
        steps it planned before today."""
        then_at = min(_daytime(after + (2 + self.rng.randrange(4)) * DAY, TIME_ZONE), self.now - HOUR)
        with clock.frozen(then_at):
            enrollment_start(account=self.account, contact=contact, playbook=playbook, at=then_at, force=True)
        self.catch_up(contact, until=self.bounds(self.days.today)[0])

    def pause(self, contact: Contact) -> None:
        """Pause the contact's running enrollment, if it is active."""
        running = enrollment_running(contact=contact)
        if running is not None and running.status == EnrollmentStatus.ACTIVE:
            enrollment_pause(enrollment=running, at=self.now)

    def catch_up(self, contact: Contact, *, until: datetime) -> None:
        """Log the default outcome of every step of the running enrollment planned before ``until``."""
        for _ in range(12):
            running = enrollment_running(contact=contact)
            if running is None or running.status != EnrollmentStatus.ACTIVE or running.due_start is None:
                return
            if running.due_start >= until or running.due_end is None:
                return
            spec = version_spec(version=running.version)
            outcome = _step_outcome(spec.steps[running.step_index].channel, self.rng.random())
            at = _inside(
                Window(running.due_start, running.due_end), self.rng.random(), self.now - 10 * MINUTE
            )
            if at is None:
                return
            self.log(contact, outcome, at)

    # -- the past season

    def play_season(self, plan: StoryPlan) -> list[Story]:
        """The past season, drawn after everything else (so that the rest of the demo is the same
        with or without it): its people, most with an address, and their chases replayed."""
        stories = plan.past_season(self.past, region=REGION)
        plan.place_past(stories)
        people = [(story, self.contact(story)) for story in stories]
        self.add_addresses(people, seed="ringback-demo-season-addresses")
        for story, contact in people:
            self.play_past(story, contact)
        return stories

    def play_past(self, story: Story, contact: Contact) -> None:
        """Enroll the contact when the story starts and log each step as the engine plans it,
        its outcome drawn with the season's odds (the time of the call, the message left); a
        message may bring them back (logged when they responded, then the seller's call back),
        and now and then someone whose chase ran out calls weeks later."""
        assert story.playbook is not None and story.start is not None
        with clock.frozen(story.start):
            enrollment = enrollment_start(
                account=self.account, contact=contact, playbook=story.playbook, at=story.start, force=True
            )
        spec = version_spec(version=enrollment.version)
        their_zone = contact.time_zone or TIME_ZONE
        tz = zone(their_zone)
        limit = self.season_end
        lift = 1.0  # how much the last message left makes them pick up
        last: Touch | None = None
        for _ in range(2 * len(spec.steps)):
            # The enrollment as the last touch left it (touch_log saves its state on it).
            if enrollment.status != EnrollmentStatus.ACTIVE or enrollment.due_start is None:
                break
            assert enrollment.due_end is not None
            channel = spec.steps[enrollment.step_index].channel
            at = _inside(Window(enrollment.due_start, enrollment.due_end), self.rng.random(), limit)
            if at is None:  # a safety net: nothing of the season is left running
                with clock.frozen(limit):
                    enrollment_end(enrollment=enrollment, reason="the season is over", at=limit)
                break
            if channel is Channel.CALL and self.rng.random() < answer_odds(
                story.playbook, at.astimezone(tz), lift
            ):
                self.log(contact, answered(self.rng.random()), at)
                return
            touch = self.log(contact, _step_outcome(channel, self.rng.random()), at)
            assert touch.enrollment is not None
            enrollment = touch.enrollment
            if touch.outcome not in MESSAGE_OUTCOMES:
                continue
            last, lift = touch, PICK_UP_AFTER.get(touch.template, 1.0)
            if self.rng.random() < CALLBACK_ODDS.get(touch.template, 0.0) and self.called_back(
                contact, touch, enrollment, their_zone
            ):
                return
        if (
            enrollment.status == EnrollmentStatus.EXHAUSTED
            and last is not None
            and self.rng.random() < LATE_CALLBACK_ODDS
        ):
            late = self.response_time(last.at + self.rng.randrange(8, 30) * DAY, "call", their_zone)
            if late <= limit:
                self.respond(contact, late, Channel.CALL, their_zone)

    def called_back(self, contact: Contact, message: Touch, enrollment: Enrollment, their_zone: str) -> bool:
        """They respond to ``message`` (a call back, or a reply to an email) a day or a few after
        it, before the time of the next step of ``enrollment`` (as ``message`` left it) was over
        and before the season's end: the next step was never made. False if there was no time."""
        when = self.response_time(message.at, message.channel, their_zone)
        if when > self.season_end:
            return False  # not yet
        if enrollment.status == EnrollmentStatus.ACTIVE and enrollment.due_end is not None:
            when = min(when, enrollment.due_end - HOUR)
        if when < message.at + 20 * MINUTE:
            return False
        via = Channel.EMAIL if message.channel == Channel.EMAIL else Channel.CALL
        self.respond(contact, when, via, their_zone)
        return True

    def response_time(self, after: datetime, channel: str, their_zone: str) -> datetime:
        """When someone responds to a message of ``channel`` left ``after``: on a weekday a few
        days later at most (see :func:`response_days`), at a time of their day they like (see
        :func:`response_clock`)."""
        tz = zone(their_zone)
        first = after.astimezone(tz).date()
        day = first + response_days(channel, self.rng.random()) * DAY
        for _ in range(3):  # people call back on weekdays: a weekend day is drawn again
            if day.weekday() < 5:
                break
            day = first + response_days(channel, self.rng.random()) * DAY
        when = datetime.combine(_weekday(day), response_clock(self.rng.random()), tz)
        if when < after + 20 * MINUTE:
            when = datetime.combine(_weekday(when.date() + DAY), when.time(), tz)
        return when.astimezone(UTC)

    def respond(self, contact: Contact, when: datetime, via: Channel, their_zone: str) -> None:
        """Log their response at ``when``, then the seller's call back (within the hour or two, or
        the next weekday's evening): mostly a conversation, marked done on Today's "call back now"
        card, else a no. Nobody of the season waits on Today."""
        self.log(contact, Outcome.CALLBACK, when, via=via)
        tz = zone(their_zone)
        back = (when + (20 + 10 * self.rng.randrange(8)) * MINUTE).astimezone(tz)
        if back.time() > time(20, 45) or back.date() != when.astimezone(tz).date():
            back = datetime.combine(_weekday(back.date() + DAY), time(17, 30), tz)
            back += self.rng.randrange(90) * MINUTE
        at = max(min(back.astimezone(UTC), self.season_end), when + 5 * MINUTE)
        if self.rng.random() < CALLED_BACK_TALK:
            with clock.frozen(at):
                agenda_card_log(
                    account=self.account,
                    contact=contact,
                    ref=CardRef(kind=ItemKind.CALLBACK, contact_id=contact.pk),
                    outcome=Outcome.DONE,
                )
        else:
            self.log(contact, Outcome.NOT_INTERESTED, at)

    # -- the whole account

    def build(self) -> tuple[Account, Counter[str]]:
        """Create the account, plan the stories, add the people and replay each story; the
        account and how many stories of each kind it tells."""
        self.create_account()
        plan = StoryPlan(days=self.days, size=self.size, rng=self.rng, agenda_day=self.bounds(self.days.day))
        stories = plan.stories()
        plan.place(stories)
        people = [(story, self.contact(story)) for story in stories]
        for story, contact in people:
            self.play(story, contact)
        self.catch_up_stale()
        self.add_vacation()
        self.add_promises([contact for story, contact in people if story.kind == "engaged"])
        self.add_addresses(people)
        season = self.play_season(plan) if self.past else []
        return self.account, Counter(story.kind for story in [*stories, *season])

    def create_account(self) -> None:
        """Create the seller's login and account, well over a year ago, with the published password."""
        with clock.frozen(self.now - 420 * DAY):
            self.account = account_create(
                username=DEMO_USERNAME,
                password=None,
                name=SELLER_NAME,
                seller_name=SELLER_NAME,
                seller_phone=SELLER_PHONE,
                business_name=BUSINESS_NAME,
                time_zone=TIME_ZONE,
                default_region=REGION,
            )
            # The published password, which the validators refuse to anybody else: `ringback
            # serve` will not listen beyond this computer while a login still has it.
            user = self.account.memberships.get().user
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            # A full-time seller: enough time to show every kind of item.
            account_update(account=self.account, postal_address=POSTAL_ADDRESS, minutes_per_day=DEMO_MINUTES)

    def catch_up_stale(self) -> None:
        """A safety net: nothing stays planned more than a few days back (the agenda would
        re-plan it), so such steps get their everyday outcome logged."""
        stale = Enrollment.objects.filter(
            account=self.account, status=EnrollmentStatus.ACTIVE, due_end__lt=self.now - 3 * DAY
        ).select_related("contact")
        for enrollment in list(stale):
            self.catch_up(enrollment.contact, until=self.bounds(self.days.today)[0])

    def add_addresses(
        self, people: list[tuple[Story, Contact]], *, seed: str = "ringback-demo-addresses"
    ) -> None:
        """A postal address for most people in the US, in their state, so that the day's cards
        can be printed; one in eight has none (the Print page lists them). Drawn from a generator
        of their own (``seed``), so that the rest of the demo is the same with or without them."""
        rng = random.Random(f"{seed}:{self.size}")
        for story, contact in people:
            if story.abroad or rng.random() < 1 / 8:
                continue
            state = story.state or "IL"
            city, code = US_CITIES[state]
            street = f"{rng.randrange(2, 990)} {rng.choice(STREETS)}"
            address_set(
                account=self.account,
                contact=contact,
                address=AddressInput(street=street, city=city, region=state, postal_code=code),
            )

    def add_promises(self, talked: list[Contact]) -> None:
        """What the seller promised two people she talked with (R11, seed 004), noted three days
        ago: one due on the agenda's day, one a day late, so Today shows both promise lines."""
        promised = (("the article on spring gardens", 0), ("the sample set I mentioned", -1))
        with clock.frozen(self.now - 3 * DAY):
            for contact, (text, days) in zip(talked, promised, strict=False):
                promise_add(
                    account=self.account, contact=contact, text=text, due_on=self.days.day + days * DAY
                )

    def add_vacation(self) -> None:
        """A long weekend away in five weeks (Thursday to Monday): steps due then move after it."""
        away = self.days.today + 35 * DAY
        away += ((3 - away.weekday()) % 7) * DAY
        vacation_add(account=self.account, first_day=away, last_day=away + 4 * DAY)


def _inside(window: Window, roll: float, limit: datetime) -> datetime | None:
    """A whole minute inside ``window`` and not after ``limit``, kept off the edges; None if none."""
    end = min(window.end, limit)
    span = end - window.start
    if span < 10 * MINUTE:
        return None
    margin = min(5 * MINUTE, span / 4)
    at = window.start + margin + (span - 2 * margin) * roll
    whole = at.replace(second=0, microsecond=0)
    return whole if whole >= window.start else at


def _within(month: int, day: int, today: date, days: int) -> bool:
    """Whether a birthday on ``month``/``day`` comes in the ``days`` days from ``today`` on."""
    return any(0 <= (date(year, month, day) - today).days <= days for year in (today.year, today.year + 1))


def _weekday(day: date) -> date:
    """``day``, or the Monday after it on a weekend."""
    return day + (7 - day.weekday()) * DAY if day.weekday() >= 5 else day


def _daytime(at: datetime, zone_name: str) -> datetime:
    """``at`` moved into 09:00-19:30 local time (the next morning when it falls later)."""
    tz = zone(zone_name)
    local = at.astimezone(tz)
    if local.time() < time(9):
        local = local.replace(hour=9)
    elif local.time() > time(19, 30):
        local = datetime.combine(local.date() + DAY, time(9, local.minute), tz)
    return local.astimezone(UTC)


def _step_outcome(channel: Channel, roll: float) -> Outcome:
    """The everyday outcome of a step: mostly voicemail for calls; mailed, emailed for sends."""
    if channel is Channel.CALL:
        return Outcome.VOICEMAIL if roll < 0.65 else Outcome.NO_ANSWER if roll < 0.88 else Outcome.BUSY
    return {
        Channel.MAIL: Outcome.MAILED,
        Channel.EMAIL: Outcome.EMAILED,
        Channel.SMS: Outcome.TEXTED,
        Channel.TASK: Outcome.DONE,
    }[channel]


# --- the service --------------------------------------------------------------------------------


def _demo_account() -> Account | None:
    membership = Membership.objects.select_related("account").filter(user__username=DEMO_USERNAME).first()
    return membership.account if membership else None


def _demo_delete() -> None:
    """Delete the demo user, its account and every row of it."""
    account = _demo_account()
    if account is not None:
        account.delete()
    get_user_model().objects.filter(username=DEMO_USERNAME).delete()


def _agenda_day(now: datetime) -> date:
    """The day the demo's agenda is for: today, or the next calling day on a Sunday/holiday."""
    return calling_day(now.astimezone(zone(TIME_ZONE)).date(), REGION)


def _result(
    account: Account, *, created: bool, now: datetime, stories: Counter[str] | None, started: float
) -> DemoResult:
    day = _agenda_day(now)
    agenda = agenda_for_day(account=account, day=day, now=now)
    calls = [item for item in agenda.items if item.kind is ItemKind.CALL]
    return DemoResult(
        created=created,
        username=DEMO_USERNAME,
        password=DEMO_PASSWORD,
        account_id=account.pk,
        seller_name=account.seller_name,
        business_name=account.business_name,
        time_zone=account.time_zone,
        now=now,
        agenda_day=day,
        contacts=Contact.objects.filter(account=account).count(),
        enrollments=dict(sorted(enrollment_status_counts(account=account).items())),
        touches=Touch.objects.filter(account=account).count(),
        appointments=Appointment.objects.filter(account=account).count(),
        agenda=dict(agenda.counts),
        follow_up_calls=sum(1 for item in calls if not item.new),
        new_calls=sum(1 for item in calls if item.new),
        held_calls=agenda.held_calls,
        stories=dict(sorted((stories or {}).items())),
        seconds=round(timer.perf_counter() - started, 2),
    )


def demo_remove() -> bool:
    """Delete the demo login, its account and every row of it; False when there was none."""
    if not get_user_model().objects.filter(username=DEMO_USERNAME).exists():
        return False
    with transaction.atomic():
        _demo_delete()
    return True


def demo_past(contacts: int) -> int:
    """How many people the past season of a demo of ``contacts`` has by default."""
    return round(contacts * PAST_SHARE)


def demo_load(*, contacts: int = 200, past: int | None = None, reset: bool = False) -> DemoResult:
    """Create the demo account (user ``demo``, password ``ringback-demo``) or report on it.

    When the demo user already exists nothing is changed and its contents are reported, unless
    ``reset`` deletes it (user, membership and every row of the account) and builds it again.
    Everything is dated relative to :func:`ringback.core.clock.now`, and the history is played
    through the real services with the clock set in the past. ``past`` more people (by default
    :func:`demo_past`, 0 for none) are a past season's, chased 3 to 16 weeks ago and done with,
    so that Insights has results to show; they are counted at once. The same ``now``,
    ``contacts`` and ``past`` give the same demo. At least :data:`MIN_CONTACTS` contacts are
    needed to show every state.
    """
    started = timer.perf_counter()
    if contacts < MIN_CONTACTS:
        raise InvalidInput(f"the demo needs at least {MIN_CONTACTS} contacts (asked for {contacts})")
    past = demo_past(contacts) if past is None else past
    if past < 0:
        raise InvalidInput(f"the past season cannot have fewer than 0 people (asked for {past})")
    now = clock.now().replace(microsecond=0)
    existing = _demo_account()
    if existing is not None and not reset:
        return _result(existing, created=False, now=now, stories=None, started=started)
    if existing is None and not reset and get_user_model().objects.filter(username=DEMO_USERNAME).exists():
        raise AccountError(f"the user {DEMO_USERNAME!r} exists without an account; rebuild it with --reset")
    with transaction.atomic(), clock.frozen(now):
        _demo_delete()
        account, stories = _Builder(now=now, size=contacts, past=past).build()
        insights_refresh(account=account)
        return _result(account, created=True, now=now, stories=stories, started=started)


def _texts_agreed(story: Story, phones: list[PhoneInput]) -> list[PhoneInput]:
    """People who know the seller well (acquainted, customers) told her in person that texts are
    fine: their mobiles get consent, so Today offers Text links for them; the others' don't."""
    if story.warmth not in (Warmth.ACQUAINTED, Warmth.CUSTOMER):
        return phones
    return [
        replace(p, text_consent=TextConsentSource.IN_PERSON) if p.label == PhoneLabel.MOBILE else p
        for p in phones
    ]
