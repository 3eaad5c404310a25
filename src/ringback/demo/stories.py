"""What the demo tells: one story per contact, planned before anybody is added.

A :class:`Story` says what happened with one contact (which playbook, how many touches, how it
ended, where in time its chase must land, where the person lives); :class:`StoryPlan` decides
the stories of a demo of a given size for a given day, in order. The builder then adds the
people and replays each story through the services.

The past season (:meth:`StoryPlan.past_season`) is the people chased 3 to 16 weeks ago whose
chases are over; how each of their touches turns out is drawn as it is replayed, with the odds
below (:data:`ANSWER_ODDS`, :data:`CALLBACK_ODDS` and the rest): what the Insights page of the
demo then shows.

Everything here draws from the builder's seeded generator, in a fixed order: the same ``now``
and size give the same plan, and changing the order of the draws changes the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ringback.contacts.choices import ContactStatus, Warmth
from ringback.core.engine import Status
from ringback.core.errors import InvalidInput
from ringback.core.playbook import Channel, Outcome
from ringback.core.scheduling import is_holiday, zone
from ringback.demo.people import ABROAD, CENTRAL_STATES, MUST_STATES, US_WEIGHTS

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)

FOUR = "four-calls-two-weeks"
CMC = "call-mail-call"
WEEKLY = "steady-weekly"
STRANGER = "stranger-series"
KEEP = "stay-in-touch"
#: The kind of the stories of the past season.
PAST = "past-season"

# --- the past season: how it went -----------------------------------------------------------------

#: The past season (so that Insights has results to show from the first day): which playbook
#: chased how many of every 30 of its people, and how many days before now the chase started
#: (weeks 3 to 16). Every chase is over by now: steady-weekly runs for up to six weeks, and
#: four-calls-two-weeks and the stranger series come back 90 days after their last touch, so they
#: start late enough that the recontact is still ahead (not on Today's agenda).
SEASON_SHAPES: tuple[tuple[str, int, int, int], ...] = (
    (FOUR, 11, 21, 80),
    (WEEKLY, 6, 49, 112),
    (CMC, 8, 21, 112),
    (STRANGER, 5, 28, 80),
)
#: How likely a call of the season is answered, by playbook, before the time of the call and the
#: last message count: people who don't know the seller rarely pick up (R12).
ANSWER_ODDS = {FOUR: 0.12, WEEKLY: 0.11, CMC: 0.11, STRANGER: 0.07}
#: How much likelier by weekday in the person's own time (Monday first): Tuesdays and
#: Thursdays are good days, Mondays and Fridays poor ones (a Monday morning is the worst time).
ANSWER_BY_WEEKDAY = (0.65, 1.35, 0.95, 1.35, 0.8, 1.0, 1.0)
#: ...and by their hour (before which hour, how much): mornings are for work and the school run,
#: late afternoons and evenings for the phone.
ANSWER_BY_HOUR = ((10, 0.45), (12, 0.6), (15, 0.9), (17, 1.4), (24, 1.7))
#: How much likelier the next call is answered after each message: a voicemail they liked, the
#: card or the email they got, and above all the note with its offer make them pick up; one more
#: idea of the week does not.
PICK_UP_AFTER = {
    "something-you-will-like": 1.6,
    "made-me-think-of-you": 0.6,
    "weekly-idea": 0.7,
    "note-with-offer": 3.2,
    "tip-card": 2.4,
    "resource-email": 1.2,
}
#: The chance that a message brings a call (or, for an email, a reply) back within five days:
#: "something you will like" about three times as often as "made me think of you"; the weekly
#: idea hardly ever (Insights tells the seller to change it).
CALLBACK_ODDS = {
    "something-you-will-like": 0.22,
    "made-me-think-of-you": 0.07,
    "yes-or-no": 0.15,
    "weekly-idea": 0.04,
    "last-chance": 0.12,
    "announce-the-note": 0.18,
    "note-with-offer": 0.10,
    "did-you-get-my-note": 0.16,
    "tip-card": 0.15,
    "after-the-card": 0.10,
    "resource-email": 0.08,
    "after-the-resource": 0.10,
    "last-call-for-now": 0.12,
}
#: The chance that someone whose chase ran out calls back weeks later (after the attribution
#: window: a response no message is credited with).
LATE_CALLBACK_ODDS = 0.06
#: The chance that the seller's call back to someone who called is a conversation (else a no).
CALLED_BACK_TALK = 0.8


def answer_odds(playbook: str, local: datetime, lift: float = 1.0) -> float:
    """The chance that a call of ``playbook`` at ``local`` (the person's time) is answered, when
    the last message left makes picking up ``lift`` times as likely."""
    hour = next(factor for until, factor in ANSWER_BY_HOUR if local.hour < until)
    return ANSWER_ODDS[playbook] * ANSWER_BY_WEEKDAY[local.weekday()] * hour * lift


def answered(roll: float) -> Outcome:
    """What an answered call was: mostly a conversation, often a no (R16), rarely "never again"."""
    if roll < 0.72:
        return Outcome.CONNECTED
    return Outcome.NOT_INTERESTED if roll < 0.97 else Outcome.DO_NOT_CONTACT


#: On which day after a message its response comes (the cumulative chances of the same day, the
#: next, ...): a voicemail's mostly the same or the next day (five at most), a card's once it has
#: arrived, an email's within a day or two.
RESPONSE_DAYS = {
    Channel.CALL: (0.4, 0.7, 0.82, 0.9, 0.96, 1.0),
    Channel.MAIL: (0.0, 0.3, 0.65, 0.85, 0.95, 1.0),
    Channel.EMAIL: (0.6, 0.9, 1.0),
}


def response_days(channel: str, roll: float) -> int:
    """How many days after a message of ``channel`` its response comes."""
    chances = RESPONSE_DAYS.get(Channel(channel), RESPONSE_DAYS[Channel.CALL])
    return next(days for days, chance in enumerate(chances) if roll < chance)


def response_clock(roll: float) -> time:
    """When in their day people call back: now and then in the day, mostly late in the afternoon
    or in the evening (the times they answer too)."""
    if roll < 0.2:
        minutes = 9 * 60 + 360 * roll / 0.2
    elif roll < 0.5:
        minutes = 15 * 60 + 120 * (roll - 0.2) / 0.3
    else:
        minutes = 17 * 60 + 210 * (roll - 0.5) / 0.5
    return time(int(minutes) // 60, int(minutes) % 60)


# --- the days and the stories -------------------------------------------------------------------


def calling_day(day: date, region: str) -> date:
    """``day``, or the first day after it that is neither a Sunday nor a public holiday."""
    while day.weekday() == 6 or is_holiday(day, region):
        day += DAY
    return day


@dataclass(frozen=True, slots=True)
class Days:
    """The days the demo is built around, in the seller's time zone."""

    now: datetime
    tz: ZoneInfo
    today: date
    #: The day the agenda is built for: today, or the next calling day on a Sunday/holiday.
    day: date
    #: The calling day after :attr:`day`.
    next_day: date

    @classmethod
    def around(cls, now: datetime, *, time_zone: str, region: str) -> Days:
        """The demo's days for ``now`` (the seller in ``time_zone``, holidays of ``region``)."""
        tz = zone(time_zone)
        today = now.astimezone(tz).date()
        day = calling_day(today, region)
        return cls(now=now, tz=tz, today=today, day=day, next_day=calling_day(day + DAY, region))

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        """``day`` at ``hour:minute`` in the seller's zone, in UTC."""
        return datetime.combine(day, time(hour, minute), self.tz).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a story must land: the next window's start (or end), or the last touch, in [lo, hi)."""

    lo: datetime
    hi: datetime
    on: str = "window"  # "window", "window-end" or "last"

    @property
    def anchor(self) -> datetime:
        """The middle of the target, which the search for a start aims at first."""
        return self.lo + (self.hi - self.lo) / 2


@dataclass(slots=True)
class Story:
    """What happened with one contact, to be replayed through the services."""

    kind: str
    playbook: str | None = None
    steps: int = 0  # step touches logged (voicemail, mailed...)
    terminal: Outcome | None = None  # then this, at the next call step
    wrong_at: int | None = None  # the step touch that hit a wrong number
    target: Target | None = None
    expect: Status | None = None
    start: datetime | None = None  # fixed enrollment time (no search)
    event: Outcome | None = None  # callback / appointment after the history
    event_at: datetime | None = None
    event_delay: timedelta | None = None  # ...or this long after the last touch
    appointment_at: datetime | None = None
    connect_after_event: bool = False
    then: str | None = None  # enroll in this playbook a few days after the end
    pause: bool = False
    birthday_today: bool = False
    birthday_soon: bool = False
    phones: str | None = None  # "single", "two", or None for a random mix
    central: bool = False
    abroad: str | None = None
    state: str | None = None
    warmth: str = Warmth.MET_ONCE
    status: str = ContactStatus.PROSPECT
    tags: tuple[str, ...] = ()
    note: str = ""
    fresh: bool = False  # added to Ringback in the last days


class StoryPlan:
    """The stories of a demo of ``size`` contacts, drawn from ``rng``.

    ``agenda_day`` is where the agenda day starts and ends (UTC). The number of each kind of
    story grows with ``size`` (the weights are for 200 contacts), with at least one of each.
    """

    def __init__(
        self, *, days: Days, size: int, rng: random.Random, agenda_day: tuple[datetime, datetime]
    ) -> None:
        self.days = days
        self.now = days.now
        self.size = size
        self.rng = rng
        self.day_start, self.day_end = agenda_day
        self.today_target = Target(self.day_start, self.day_end)
        self.soon = Target(self.day_end, self.day_end + 9 * DAY)

    def share(self, weight: float, minimum: int = 1) -> int:
        """How many stories of a kind weighing ``weight`` in 200 a demo of this size has."""
        return max(minimum, round(weight * self.size / 200))

    def stories(self) -> list[Story]:
        """Every contact's story, in the order the people are added.

        Raises :class:`InvalidInput` if ``size`` is too small to tell every kind of story.
        """
        planned = self.new_prospects()
        planned += self.chases_under_way()
        planned += self.callbacks()
        planned += self.appointments(already=len(planned))
        planned += self.engaged()
        planned += self.stopped()
        planned += self.ran_out()
        planned += self.kept_in_touch()
        planned += self.leads(already=len(planned))
        return planned

    def new_prospects(self) -> list[Story]:
        """New prospects, enrolled this morning: their first call is due today."""
        now, days = self.now, self.days
        morning = min(now - MINUTE, days.local(days.today, 7, 30))
        if days.day != days.today:
            morning = now - MINUTE
        planned: list[Story] = []
        for i in range(self.share(12)):
            planned.append(
                Story(
                    "new",
                    (FOUR, CMC, FOUR, WEEKLY, CMC)[i % 5],
                    start=morning - i * MINUTE,
                    fresh=True,
                    status=(ContactStatus.PROSPECT, ContactStatus.HOST, ContactStatus.RECRUIT)[i % 3],
                    warmth=Warmth.MET_ONCE if i % 4 else Warmth.ACQUAINTED,
                    tags=("new", "party-guest") if i % 2 else ("new",),
                )
            )
        for i in range(self.share(3)):
            planned.append(
                Story(
                    "new",
                    STRANGER,
                    start=morning - (40 + i) * MINUTE,
                    fresh=True,
                    warmth=Warmth.STRANGER,
                    status=ContactStatus.NETWORKING if i % 2 else ContactStatus.PROSPECT,
                    tags=("new", "referral") if i % 2 else ("new", "networking"),
                )
            )
        return planned

    def chases_under_way(self) -> list[Story]:
        """Chases under way: due today, a day or two overdue, coming up, a wrong number, paused."""
        now = self.now
        overdue = Target(now - 3 * DAY + 2 * HOUR, now - DAY, on="window-end")
        due_shapes = [
            (FOUR, 1), (CMC, 1), (WEEKLY, 1), (FOUR, 2), (STRANGER, 2), (CMC, 2), (WEEKLY, 3),
            (FOUR, 3), (STRANGER, 3), (WEEKLY, 2), (STRANGER, 1), (WEEKLY, 4), (FOUR, 2),
            (STRANGER, 4), (FOUR, 1),
        ]  # fmt: skip
        upcoming_shapes = [
            (FOUR, 1), (FOUR, 2), (WEEKLY, 1), (WEEKLY, 2), (WEEKLY, 3), (CMC, 2), (STRANGER, 1),
            (STRANGER, 3), (FOUR, 3), (WEEKLY, 4), (STRANGER, 2), (CMC, 1),
        ]  # fmt: skip
        planned: list[Story] = []
        for i in range(self.share(15)):
            playbook, steps = due_shapes[i % len(due_shapes)]
            planned.append(self.chase("due", playbook, steps, self.today_target))
        for i in range(self.share(3)):
            playbook, steps = ((FOUR, 1), (WEEKLY, 2), (CMC, 2), (FOUR, 2))[i % 4]
            planned.append(self.chase("overdue", playbook, steps, overdue))
        for i in range(self.share(26)):
            playbook, steps = upcoming_shapes[i % len(upcoming_shapes)]
            planned.append(self.chase("upcoming", playbook, steps, self.soon))
        for i in range(self.share(2)):
            story = self.chase("wrong-number", FOUR, 2, self.today_target if i % 2 == 0 else self.soon)
            story.wrong_at, story.phones = 0, "two"
            planned.append(story)
        for i in range(self.share(2)):
            story = self.chase("paused", WEEKLY, 1 + i % 2, self.soon)
            story.pause = True
            story.note = "Asked me to wait until after her daughter's wedding."
            planned.append(story)
        return planned

    def callbacks(self) -> list[Story]:
        """People who called back, this morning or late yesterday: call them back now."""
        now, days = self.now, self.days
        late = days.local(days.today, 9, 5) <= now - HOUR
        planned: list[Story] = []
        for i in range(self.share(3)):
            if late:
                lo, hi = days.local(days.today, 8, 10), now - HOUR
            else:
                lo, hi = days.local(days.today - DAY, 16, 30), days.local(days.today - DAY, 20, 30)
            when = lo + (hi - lo) * self.rng.random()
            when = when.replace(second=0, microsecond=0)
            playbook, steps = ((CMC, 2), (FOUR, 1), (STRANGER, 2), (WEEKLY, 2))[i % 4]
            story = self.chase("callback", playbook, steps, Target(when - 6 * DAY, when - 3 * HOUR, "last"))
            story.expect, story.event, story.event_at = Status.ACTIVE, Outcome.CALLBACK, when
            story.central = True
            planned.append(story)
        return planned

    def appointments(self, *, already: int) -> list[Story]:
        """Phone appointments on the agenda day and the next, booked the day before.

        ``already`` is the number of stories planned before these (it picks their playbooks).
        """
        planned: list[Story] = []
        for slot in self.appointment_slots():
            booked = min(
                self.now - 15 * MINUTE, self.days.local(slot.astimezone(self.days.tz).date() - DAY, 15, 10)
            )
            booked = booked.replace(second=0)
            playbook, steps = ((FOUR, 1), (CMC, 2), (WEEKLY, 1), (FOUR, 2))[(already + len(planned)) % 4]
            story = self.chase(
                "appointment", playbook, steps, Target(booked - 6 * DAY, booked - 3 * HOUR, "last")
            )
            story.expect, story.event, story.event_at = Status.ACTIVE, Outcome.APPOINTMENT, booked
            story.appointment_at, story.central = slot, True
            story.status, story.tags = ContactStatus.HOST, ("host",)
            planned.append(story)
        return planned

    def engaged(self) -> list[Story]:
        """Chases that ended in a conversation, some after the person called back."""
        past = Target(self.now - 40 * DAY, self.now - 4 * DAY, "last")
        shapes = [(FOUR, 1), (CMC, 2), (WEEKLY, 2), (FOUR, 0), (STRANGER, 1), (WEEKLY, 3), (CMC, 0)]
        planned: list[Story] = []
        for i in range(self.share(14)):
            playbook, steps = shapes[i % len(shapes)]
            story = self.chase("engaged", playbook, steps, past)
            story.status = (ContactStatus.HOST, ContactStatus.CUSTOMER, ContactStatus.RECRUIT)[i % 3]
            story.tags = {ContactStatus.HOST: ("host",), ContactStatus.RECRUIT: ("recruit",)}.get(
                story.status, ("customer",)
            )
            if i % 3 == 1 and steps > 0:  # they called back, then I reached them
                story.expect, story.event = Status.ACTIVE, Outcome.CALLBACK
                story.event_delay = timedelta(hours=20 + 7 * (i % 4))
                story.connect_after_event = True
            else:
                story.terminal = Outcome.CONNECTED
            if story.status == ContactStatus.CUSTOMER and i % 2 == 0:
                story.then = KEEP
            planned.append(story)
        return planned

    def stopped(self) -> list[Story]:
        """Chases stopped: not interested, do not contact, no number left to call."""
        now = self.now
        planned: list[Story] = []
        for i in range(self.share(6)):
            playbook, steps = ((FOUR, 1), (CMC, 0), (WEEKLY, 2), (STRANGER, 1), (FOUR, 2))[i % 5]
            story = self.chase(
                "not-interested", playbook, steps, Target(now - 60 * DAY, now - 3 * DAY, "last")
            )
            story.terminal = Outcome.NOT_INTERESTED
            planned.append(story)
        for i in range(self.share(2)):
            past = Target(now - 40 * DAY, now - 4 * DAY, "last")
            story = self.chase("do-not-contact", (FOUR, WEEKLY)[i % 2], 1 + i % 2, past)
            story.terminal = Outcome.DO_NOT_CONTACT
            planned.append(story)
        for _ in range(self.share(2)):
            story = self.chase("no-number", FOUR, 1, Target(now - 30 * DAY, now - 2 * DAY, "last"))
            story.wrong_at, story.phones, story.expect = 0, "single", Status.STOPPED
            planned.append(story)
        return planned

    def ran_out(self) -> list[Story]:
        """Chases that ran out; for a few, a quarter ago, so that the recontact call is due today."""
        shapes = [(FOUR, 4), (STRANGER, 5), (CMC, 3), (WEEKLY, 5)]
        planned: list[Story] = []
        for i in range(self.share(12)):
            playbook, steps = shapes[i % len(shapes)]
            if i < self.share(2):
                playbook, steps = FOUR, 4
                target = Target(self.day_start - 90 * DAY, self.day_start - 90 * DAY + 16 * HOUR, "last")
            else:
                target = Target(self.now - 75 * DAY, self.now - 5 * DAY, "last")
            story = self.chase("exhausted", playbook, steps, target)
            story.expect = Status.EXHAUSTED
            planned.append(story)
        return planned

    def kept_in_touch(self) -> list[Story]:
        """Customers kept warm: birthday cards (one today, two soon) and a tip a quarter."""
        day_end = self.day_end
        planned: list[Story] = []
        for i in range(self.share(24)):
            if i == 0:
                story = Story("keep-in-touch", KEEP, target=self.today_target, birthday_today=True)
            elif i < 3:
                story = Story("keep-in-touch", KEEP, steps=i - 1, target=self.today_target)
            elif i < 5:
                story = Story("keep-in-touch", KEEP, target=Target(day_end, day_end + 8 * DAY))
                story.birthday_soon = True
            else:
                story = Story("keep-in-touch", KEEP, steps=i % 2, target=Target(day_end, day_end + 60 * DAY))
            story.warmth = Warmth.CUSTOMER
            story.status = ContactStatus.CUSTOMER if i % 4 else ContactStatus.HOST
            story.tags = ("customer", "vip") if i % 5 == 0 else ("customer",)
            planned.append(story)
        return planned

    def leads(self, *, already: int) -> list[Story]:
        """Everyone else: in the address book, not (yet) in a playbook.

        ``already`` is the number of stories planned before; :class:`InvalidInput` if it is
        more than the demo's size.
        """
        count = self.size - already
        if count < 0:
            raise InvalidInput(f"the demo needs at least {already} contacts for every kind of story")
        planned: list[Story] = []
        for i in range(count):
            kind = ("lead-new", "lead-customer", "lead-networking", "lead-new", "lead-customer")[i % 5]
            story = Story(kind, birthday_today=(i == 0 and self.size >= 60))
            if kind == "lead-new":
                story.fresh, story.tags = True, ("new", "party-guest")
            elif kind == "lead-customer":
                story.warmth, story.status, story.tags = (
                    Warmth.CUSTOMER,
                    ContactStatus.CUSTOMER,
                    ("customer",),
                )
            else:
                story.warmth, story.status = Warmth.ACQUAINTED, ContactStatus.NETWORKING
                story.tags = ("networking",)
            planned.append(story)
        return planned

    def past_season(self, count: int, *, region: str) -> list[Story]:
        """``count`` people of a past season, each enrolled on a working day 3 to 16 weeks ago
        (see :data:`SEASON_SHAPES`); how their chases go is drawn as they are replayed."""
        total = sum(share for _, share, _, _ in SEASON_SHAPES)
        playbooks: list[str] = []
        for playbook, share, _, _ in SEASON_SHAPES:
            playbooks += [playbook] * round(count * share / total)
        playbooks = (playbooks + [FOUR] * count)[:count]
        self.rng.shuffle(playbooks)
        spans = {playbook: (first, last) for playbook, _, first, last in SEASON_SHAPES}
        planned: list[Story] = []
        for playbook in playbooks:
            first, last = spans[playbook]
            day = self.days.today - self.rng.randint(first, last) * DAY
            while day.weekday() >= 5 or is_holiday(day, region):
                day -= DAY
            story = self.chase(PAST, playbook, 0, None)
            story.start = self.days.local(day, 9 + self.rng.randrange(8), self.rng.randrange(0, 60, 5))
            planned.append(story)
        return planned

    def place_past(self, stories: list[Story]) -> None:
        """Spread the past season's people over the states, as often as each comes up."""
        states, weights = zip(*US_WEIGHTS.items(), strict=True)
        for story in stories:
            story.state = self.rng.choices(states, weights)[0]

    def chase(self, kind: str, playbook: str, steps: int, target: Target | None) -> Story:
        """A chase in ``playbook`` after ``steps`` touches, landing on ``target``; the person's
        warmth, status and tags drawn to suit the playbook."""
        warmth = {
            STRANGER: Warmth.STRANGER,
            WEEKLY: Warmth.ACQUAINTED,
            CMC: Warmth.MET_ONCE,
        }.get(playbook, self.rng.choice((Warmth.MET_ONCE, Warmth.ACQUAINTED)))
        status = self.rng.choice(
            (ContactStatus.PROSPECT, ContactStatus.PROSPECT, ContactStatus.HOST, ContactStatus.RECRUIT)
        )
        tags = {ContactStatus.HOST: ("host",), ContactStatus.RECRUIT: ("recruit",)}.get(status, ())
        if warmth == Warmth.STRANGER:
            tags = (*tags, self.rng.choice(("referral", "networking")))
        return Story(kind, playbook, steps=steps, target=target, warmth=warmth, status=status, tags=tags)

    def appointment_slots(self) -> list[datetime]:
        """Two phone appointments on the agenda day, one or two on the next calling day."""
        days = self.days
        hours = [(9, 30), (11, 0), (13, 30), (15, 0), (16, 30), (18, 0), (19, 30)]
        today = [days.local(days.day, h, m) for h, m in hours]
        ahead = [t for t in today if t >= self.now + 20 * MINUTE]
        chosen = ahead[:2] if len(ahead) >= 2 else today[-2:] if not ahead else [today[-2], ahead[-1]]
        if chosen[0] == chosen[-1]:
            chosen = today[-2:]
        tomorrow = [days.local(days.next_day, 10, 0), days.local(days.next_day, 14, 30)]
        return [*chosen, *tomorrow[: 2 if self.size >= 150 else 1]]

    def place(self, stories: list[Story]) -> None:
        """Spread the contacts over states and countries (every must-have state at least once)."""
        order = list(range(len(stories)))
        self.rng.shuffle(order)
        abroad = max(4, round(self.size * 0.04))
        must = list(MUST_STATES)
        for index in order:
            story = stories[index]
            if story.central:
                story.state = self.rng.choice(CENTRAL_STATES)
            elif abroad and story.kind not in ("wrong-number", "no-number") and not story.birthday_today:
                story.abroad = ABROAD[abroad % len(ABROAD)]
                abroad -= 1
            elif must:
                story.state = must.pop(0)
            else:
                states, weights = zip(*US_WEIGHTS.items(), strict=True)
                story.state = self.rng.choices(states, weights)[0]
