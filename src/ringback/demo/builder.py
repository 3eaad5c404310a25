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
- customers in *stay in touch* with birthday cards and quarterly tips, birthdays today.

Where in the past each enrollment starts is found by running the pure engine first (the same
seed the service will use), so that the chase lands on the wanted day; the services then replay
it. Randomness comes from one seeded generator: the same ``now`` gives the same demo.
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
from ringback.activities.services import appointment_book, touch_log
from ringback.contacts.choices import ContactStatus, PhoneLabel, Warmth
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create, contact_tag
from ringback.core import clock
from ringback.core.agenda import ItemKind
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
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment, PlaybookVersion
from ringback.playbooks.selectors import (
    context_for,
    enrollment_running,
    enrollment_status_counts,
    playbook_get,
    playbook_latest_version,
    version_spec,
)
from ringback.playbooks.services import enrollment_pause, enrollment_start

DEMO_URL = "http://127.0.0.1:8000/"
SELLER_NAME = "Sally Baker"
SELLER_PHONE = "+1 312-555-0142"
BUSINESS_NAME = "Sweet Home Kitchen Parties"
#: The seller's mailing address (the footer of every email needs one).
POSTAL_ADDRESS = "P.O. Box 4412\nChicago, IL 60680"
TIME_ZONE = "America/Chicago"
REGION = "US"
#: Fewer contacts than this cannot show every state.
MIN_CONTACTS = 30

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)

FOUR = "four-calls-two-weeks"
CMC = "call-mail-call"
WEEKLY = "steady-weekly"
STRANGER = "stranger-series"
KEEP = "stay-in-touch"


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
        return DEMO_URL


# --- the people ---------------------------------------------------------------------------------


def _words(*lines: str) -> tuple[str, ...]:
    return tuple(" ".join(lines).split())


_FIRST_F = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
    "Sandra Ashley Kimberly Donna Emily Michelle Carol Amanda Melissa Deborah Stephanie Rebecca "
    "Laura Sharon Cynthia Kathleen Amy Angela Brenda Emma Anna Pamela Nicole Samantha Katherine "
    "Christine Rachel Carolyn Janet María Catherine Heather Diane Olivia Julie Joyce Victoria Kelly "
    "Christina Lauren Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Abigail Alice "
    "Judy Sophia Grace Denise Amber Marilyn Danielle Beverly Isabella Theresa Diana Natalie "
    "Brittany Charlotte Kayla Alexis Lori Zoë Renée Chloé Inés José-Luisa Siobhán Aoife Niamh "
    "Saoirse Łucja Małgorzata Agnieszka Priya Ananya Aaliyah Imani Keisha Latoya Shanice Mei "
    "Xiaoling Hiroko Yuki Ji-woo Thuy Linh Fatima Aisha Leila Yasmin Noura Chiara Giulia "
    "Guadalupe Ximena Dolores Consuelo Adaeze Chiamaka Tatiana Oksana Svetlana Maeve Bridget "
    "Colleen Mary-Kate Jo-Ann D'Andra La'Shonda Bernadette Dorothy Esperanza Marisol Rosalind"
)
_FIRST_M = _words(
    "Michael James Robert John David William Richard Joseph Thomas Christopher Daniel Matthew "
    "Anthony Mark Steven Paul Andrew Joshua Kevin Brian George Timothy Ronald Jason Edward Ryan "
    "Gary Nicholas Eric Jacob Frank Scott Justin Brandon Raymond Gregory Samuel Benjamin Patrick "
    "Dennis Tyler Aaron Henry Douglas Peter Nathan Walter Kyle Harold Carl Keith Roger Arthur "
    "Sean Ethan Austin Jesse Willie Bruce Noah Jordan Dylan Wayne Juan Gabriel Louis Vincent "
    "Philip Darnell Marcus Tyrone DeShawn Andre Luis Carlos Miguel Diego Raúl Jesús Héctor Rafael "
    "Rajesh Vikram Arjun Kwame Kofi Chidi Tomasz Piotr Dmitri Hamid Omar Tariq Yusuf Kenji "
    "Hiroshi Wei Jun Duc Minh Seamus Declan Pádraig Eoin Jean-Luc François Benoît Étienne Marco"
)
_LAST = (
    *_words(
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernández López "
        "González Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Pérez Thompson White Harris "
        "Sánchez Clark Ramírez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
        "Flores Green Adams Nelson Hall Rivera Campbell Mitchell Carter Roberts O'Brien O'Connor "
        "O'Neill O'Malley O'Sullivan D'Angelo D'Souza McAllister MacDonald McCarthy Fitzgerald Núñez "
        "Peña Ibáñez Muñoz Castañeda Ordóñez Kowalski Wiśniewski Nowak Zielińska Dvořák Sørensen "
        "Lindqvist Björklund Okafor Adeyemi Mensah Okonkwo Abebe Haile Patel Shah Singh Iyer Reddy "
        "Chatterjee Kim Park Choi Tanaka Yamamoto Sato Chen Wang Zhang Huang Tran Pham Le Khan "
        "Hussein Haddad Al-Sayed Cohen Goldberg Katz Rossi Russo Esposito Bianchi Romano Dubois "
        "Lefèvre Beaumont Fontaine Papadopoulos Ivanova Petrov Horvat Yılmaz Kaur Gill Ng Wong Lam "
        "Fernández Álvarez Gómez Díaz Vargas Castillo Jiménez Moreno Romero Herrera Medina Aguilar "
        "Delgado Ortiz Guzmán Washington Jefferson Freeman Banks Okoro Moreau Schwartz Kaplan "
        "Johnson-Whitaker Smith-Jones Ruiz-Díaz"
    ),
    "Van der Berg",
    "De la Cruz",
    "St. John",
    "van Dijk",
)

_LOCAL_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DE": (
        ("Jürgen", "Günther", "Heike", "Dagmar", "Anneliese", "Matthias", "Stefan", "Katrin", "Uwe", "Jörg"),
        ("Müller", "Schröder", "Weiß", "Becker", "Köhler", "Schmidt", "Hoffmann", "Krüger", "Groß"),
    ),
    "GB": (
        ("Fiona", "Gemma", "Harriet", "Imogen", "Nigel", "Alistair", "Rhiannon", "Callum", "Bethan"),
        ("Hughes", "Evans", "Ó Ceallaigh", "Featherstone", "Pritchard", "Ashworth", "MacLeod"),
    ),
    "AU": (
        ("Kylie", "Bronwyn", "Shane", "Darcy", "Matilda", "Lachlan", "Tahlia", "Bruce", "Mick"),
        ("Nguyen", "Kelly", "O'Loughlin", "Papadopoulos", "Fraser", "Hartigan", "Mackenzie"),
    ),
    "CA": (
        ("Geneviève", "Mathieu", "Élodie", "Siobhan", "Connor", "Amélie", "Rémi", "Jasmine"),
        ("Tremblay", "Gagnon", "Bouchard", "Côté", "MacKinnon", "Pelletier", "Wong", "Singh"),
    ),
}

_COMPANIES = (
    ("Lakeside Dental", "Office Manager"),
    ("Hernández & Sons Roofing", "Co-owner"),
    ("Bright Path Realty", "Realtor"),
    ("O'Malley's Pub & Grill", "Events"),
    ("Little Sprouts Daycare", "Director"),
    ("Prairie Yoga Studio", "Owner"),
    ("Windy City Wedding Co.", "Planner"),
    ("Maple Street Bakery", "Owner"),
    ("Northside Chamber of Commerce", "Membership Director"),
    ("Evergreen Property Management", "Leasing Agent"),
    ("Sunrise Senior Living", "Activities Coordinator"),
    ("Café Olé", "Manager"),
    ("Riverbend Church", "Women's Ministry"),
    ("Blue Ribbon Insurance", "Agent"),
    ("Golden Hour Photography", "Photographer"),
    ("St. Agnes PTA", "President"),
    ("Nguyen Family Nail Spa", "Owner"),
    ("Kowalski Hardware", "Store Manager"),
    ("Oak Park Book Club", "Organizer"),
    ("Harbor Fitness", "Personal Trainer"),
    ("Müller Engineering GmbH", "Büroleitung"),
    ("Thistle & Rose Florist", "Owner"),
    ("Summit Credit Union", "Branch Manager"),
    ("Fresh Start Cleaning", "Owner"),
)

_NOTES = {
    "party": (
        "Met at Karen's kitchen party; loved the stoneware baker.",
        "Came to the spring open house with her sister.",
        "Won the door prize at Lupe's party, asked about the fall catalog.",
        "Tried the recipe cards at the library fair.",
        "Friend of Jessica's; wants a party before the holidays.",
    ),
    "host": (
        "Interested in hosting in March; has a big kitchen.",
        "Asked about the host rewards; has a book club of 12.",
        "Hosted two years ago; might host again.",
    ),
    "recruit": (
        "Asked how the business kit works; teacher, summers off.",
        "Wants extra income around school hours.",
        "Curious about the sponsoring promotion.",
    ),
    "customer": (
        "Loves the cast-iron line; reorders every fall.",
        "Bought the starter set for her daughter's wedding.",
        "Regular at parties; refers friends.",
        "Ordered the holiday gift bundle last year.",
    ),
    "networking": (
        "Met at the chamber breakfast; same target market (young families).",
        "Business card from the bridal expo.",
        "Runs a moms' group; could partner on a charity event.",
    ),
    "stranger": (
        "Referral from Denise; has not met me yet.",
        "Signed up for the newsletter at the farmers' market.",
        "Left a card in the fishbowl at the expo.",
    ),
    "tips": (
        "Prefers texts after 6 pm.",
        "Has two toddlers: call after nap time (2–4 pm).",
        "Works nights as a nurse; mornings are bad.",
        "Best reached on her cell.",
        "Husband answers the home phone.",
        "Vegetarian; send the veggie recipe cards.",
        "",
        "",
        "",
    ),
}

_TOUCH_NOTES: dict[Outcome, tuple[str, ...]] = {
    Outcome.VOICEMAIL: ("Left the 30-second message.", "Left message, mentioned the offer.", "", ""),
    Outcome.NO_ANSWER: ("Rang out, no voicemail set up.", "", ""),
    Outcome.BUSY: ("Line busy.", ""),
    Outcome.MAILED: ("Handwritten card, same pen.", "Postcard with the recipe tip.", ""),
    Outcome.EMAILED: ("", "Sent the recipe PDF."),
    Outcome.CONNECTED: (
        "Great chat! Booking a party for next month.",
        "Wants the catalog and a call after payday.",
        "Interested in the business kit; sending details.",
        "Placed an order over the phone.",
    ),
    Outcome.CALLBACK: (
        "Left me a voicemail: 'got your note, call me tonight'.",
        "Texted back: call after 5, please.",
        "Called back while I was at a party; wants to host!",
    ),
    Outcome.NOT_INTERESTED: (
        "Happy with what she has; wished her well.",
        "Not a good time, moving this summer.",
        "No thanks, politely.",
    ),
    Outcome.DO_NOT_CONTACT: ("Asked to be removed from my list.",),
    Outcome.WRONG_NUMBER: ("Number belongs to a dentist's office now.", "Wrong number, an older gentleman."),
}

# US area codes (with the 555-0100..0199 range reserved for fiction), by state.
_US_AREAS: dict[str, tuple[str, ...]] = {
    "IL": ("312", "773", "847", "630", "217"),
    "FL": ("305", "407", "813", "904"),
    "OK": ("405", "918"),
    "MD": ("410", "301"),
    "NY": ("212", "718", "516", "585"),
    "CA": ("415", "213", "619", "916", "510"),
    "TX": ("512", "713", "214", "210"),
    "GA": ("404",),
    "CO": ("303",),
    "AZ": ("602",),
    "MA": ("617",),
    "OH": ("614",),
    "PA": ("215",),
    "MI": ("313",),
    "NC": ("704",),
    "MN": ("612",),
    "TN": ("615",),
    "WI": ("414",),
    "MO": ("314",),
}
_US_WEIGHTS = {
    "IL": 30, "FL": 7, "OK": 4, "MD": 4, "NY": 7, "CA": 7, "TX": 8, "GA": 3, "CO": 2, "AZ": 2,
    "MA": 2, "OH": 3, "PA": 2, "MI": 3, "NC": 2, "MN": 3, "TN": 2, "WI": 4, "MO": 3,
}  # fmt: skip
#: States every demo shows (stricter calling rules in FL, OK, MD).
_MUST_STATES = ("IL", "FL", "OK", "MD", "NY", "CA", "TX")
#: Central time, so that an appointment fits the seller's day.
_CENTRAL = ("IL", "TX", "MN", "WI", "MO", "TN")
_ABROAD = ("DE", "GB", "AU", "CA")
_ABROAD_ZONES = {"DE": "Europe/Berlin", "GB": "Europe/London", "AU": "Australia/Sydney"}


# --- stories ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a story must land: the next window's start (or end), or the last touch, in [lo, hi)."""

    lo: datetime
    hi: datetime
    on: str = "window"  # "window", "window-end" or "last"

    @property
    def anchor(self) -> datetime:
        return self.lo + (self.hi - self.lo) / 2


@dataclass(slots=True)
class _Story:
    """What happened with one contact, to be replayed through the services."""

    kind: str
    playbook: str | None = None
    steps: int = 0  # step touches logged (voicemail, mailed...)
    terminal: Outcome | None = None  # then this, at the next call step
    wrong_at: int | None = None  # the step touch that hit a wrong number
    target: _Target | None = None
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


@dataclass(frozen=True, slots=True)
class _Sim:
    score: float
    endpoint: datetime | None


class _Builder:
    """Builds the demo account for ``now`` with ``size`` contacts."""

    def __init__(self, *, now: datetime, size: int) -> None:
        self.now = now
        self.size = size
        self.rng = random.Random(f"ringback-demo:{size}")
        self.tz = zone(TIME_ZONE)
        self.today = now.astimezone(self.tz).date()
        day = self.today
        while day.weekday() == 6 or is_holiday(day, REGION):
            day += DAY
        #: The day the agenda is built for: today, or the next calling day on a Sunday/holiday.
        self.day = day
        self.next_day = day + DAY
        while self.next_day.weekday() == 6 or is_holiday(self.next_day, REGION):
            self.next_day += DAY
        self.numbers: set[str] = {"+13125550142"}
        self.names: set[str] = set()
        self.versions: dict[str, PlaybookVersion] = {}
        self.account: Account

    # -- time helpers

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        """``day`` at ``hour:minute`` in the seller's zone, in UTC."""
        return datetime.combine(day, time(hour, minute), self.tz).astimezone(UTC)

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        return day_bounds(account=self.account, day=day)

    def share(self, weight: float, minimum: int = 1) -> int:
        return max(minimum, round(weight * self.size / 200))

    # -- the plan of stories

    def stories(self) -> list[_Story]:
        now, rng = self.now, self.rng
        day_start, day_end = self.bounds(self.day)
        today_target = _Target(day_start, day_end)
        soon = _Target(day_end, day_end + 9 * DAY)
        overdue = _Target(now - 3 * DAY + 2 * HOUR, now - DAY, on="window-end")
        out: list[_Story] = []

        # New prospects, enrolled this morning: their first call is due today.
        morning = min(now - MINUTE, self.local(self.today, 7, 30))
        if self.day != self.today:
            morning = now - MINUTE
        for i in range(self.share(12)):
            playbook = (FOUR, CMC, FOUR, WEEKLY, CMC)[i % 5]
            status = (ContactStatus.PROSPECT, ContactStatus.HOST, ContactStatus.RECRUIT)[i % 3]
            out.append(
                _Story(
                    "new",
                    playbook,
                    start=morning - i * MINUTE,
                    fresh=True,
                    status=status,
                    warmth=Warmth.MET_ONCE if i % 4 else Warmth.ACQUAINTED,
                    tags=("new", "party-guest") if i % 2 else ("new",),
                )
            )
        for i in range(self.share(3)):
            out.append(
                _Story(
                    "new",
                    STRANGER,
                    start=morning - (40 + i) * MINUTE,
                    fresh=True,
                    warmth=Warmth.STRANGER,
                    status=ContactStatus.NETWORKING if i % 2 else ContactStatus.PROSPECT,
                    tags=("new", "referral") if i % 2 else ("new", "networking"),
                )
            )

        # Chases under way: due today, a day or two overdue, coming up.
        due_shapes = [
            (FOUR, 1), (CMC, 1), (WEEKLY, 1), (FOUR, 2), (STRANGER, 2), (CMC, 2), (WEEKLY, 3),
            (FOUR, 3), (STRANGER, 3), (WEEKLY, 2), (STRANGER, 1), (WEEKLY, 4), (FOUR, 2),
            (STRANGER, 4), (FOUR, 1),
        ]  # fmt: skip
        for i in range(self.share(15)):
            playbook, steps = due_shapes[i % len(due_shapes)]
            out.append(self.chase("due", playbook, steps, today_target))
        for i in range(self.share(3)):
            playbook, steps = ((FOUR, 1), (WEEKLY, 2), (CMC, 2), (FOUR, 2))[i % 4]
            out.append(self.chase("overdue", playbook, steps, overdue))
        upcoming_shapes = [
            (FOUR, 1), (FOUR, 2), (WEEKLY, 1), (WEEKLY, 2), (WEEKLY, 3), (CMC, 2), (STRANGER, 1),
            (STRANGER, 3), (FOUR, 3), (WEEKLY, 4), (STRANGER, 2), (CMC, 1),
        ]  # fmt: skip
        for i in range(self.share(26)):
            playbook, steps = upcoming_shapes[i % len(upcoming_shapes)]
            out.append(self.chase("upcoming", playbook, steps, soon))
        for i in range(self.share(2)):
            story = self.chase("wrong-number", FOUR, 2, today_target if i % 2 == 0 else soon)
            story.wrong_at, story.phones = 0, "two"
            out.append(story)
        for i in range(self.share(2)):
            story = self.chase("paused", WEEKLY, 1 + i % 2, soon)
            story.pause = True
            story.note = "Asked me to wait until after her daughter's wedding."
            out.append(story)

        # They responded: call back now; phone appointments today and on the next day.
        late = self.local(self.today, 9, 5) <= now - HOUR
        for i in range(self.share(3)):
            if late:
                lo, hi = self.local(self.today, 8, 10), now - HOUR
            else:
                lo, hi = self.local(self.today - DAY, 16, 30), self.local(self.today - DAY, 20, 30)
            when = lo + (hi - lo) * rng.random()
            when = when.replace(second=0, microsecond=0)
            playbook, steps = ((CMC, 2), (FOUR, 1), (STRANGER, 2), (WEEKLY, 2))[i % 4]
            story = self.chase("callback", playbook, steps, _Target(when - 6 * DAY, when - 3 * HOUR, "last"))
            story.expect, story.event, story.event_at, story.central = (
                Status.ACTIVE,
                Outcome.CALLBACK,
                when,
                True,
            )
            out.append(story)
        for slot in self.appointment_slots():
            booked = min(now - 15 * MINUTE, self.local(slot.astimezone(self.tz).date() - DAY, 15, 10))
            booked = booked.replace(second=0)
            playbook, steps = ((FOUR, 1), (CMC, 2), (WEEKLY, 1), (FOUR, 2))[len(out) % 4]
            story = self.chase(
                "appointment", playbook, steps, _Target(booked - 6 * DAY, booked - 3 * HOUR, "last")
            )
            story.expect, story.event, story.event_at = Status.ACTIVE, Outcome.APPOINTMENT, booked
            story.appointment_at, story.central = slot, True
            story.status, story.tags = ContactStatus.HOST, ("host",)
            out.append(story)

        # Chases that ended: engaged, not interested, do not contact, no number, ran out.
        past = _Target(now - 40 * DAY, now - 4 * DAY, "last")
        engaged_shapes = [(FOUR, 1), (CMC, 2), (WEEKLY, 2), (FOUR, 0), (STRANGER, 1), (WEEKLY, 3), (CMC, 0)]
        for i in range(self.share(14)):
            playbook, steps = engaged_shapes[i % len(engaged_shapes)]
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
            out.append(story)
        for i in range(self.share(6)):
            playbook, steps = ((FOUR, 1), (CMC, 0), (WEEKLY, 2), (STRANGER, 1), (FOUR, 2))[i % 5]
            story = self.chase(
                "not-interested", playbook, steps, _Target(now - 60 * DAY, now - 3 * DAY, "last")
            )
            story.terminal = Outcome.NOT_INTERESTED
            out.append(story)
        for i in range(self.share(2)):
            story = self.chase("do-not-contact", (FOUR, WEEKLY)[i % 2], 1 + i % 2, past)
            story.terminal = Outcome.DO_NOT_CONTACT
            out.append(story)
        for _ in range(self.share(2)):
            story = self.chase("no-number", FOUR, 1, _Target(now - 30 * DAY, now - 2 * DAY, "last"))
            story.wrong_at, story.phones, story.expect = 0, "single", Status.STOPPED
            out.append(story)
        exhausted_shapes = [(FOUR, 4), (STRANGER, 5), (CMC, 3), (WEEKLY, 5)]
        for i in range(self.share(12)):
            playbook, steps = exhausted_shapes[i % len(exhausted_shapes)]
            if i < self.share(2):  # ran out a quarter ago: the recontact call is due today
                playbook, steps = FOUR, 4
                target = _Target(day_start - 90 * DAY, day_start - 90 * DAY + 16 * HOUR, "last")
            else:
                target = _Target(now - 75 * DAY, now - 5 * DAY, "last")
            story = self.chase("exhausted", playbook, steps, target)
            story.expect = Status.EXHAUSTED
            out.append(story)

        # Customers kept warm: birthday cards and a tip a quarter.
        keep = self.share(24)
        for i in range(keep):
            if i == 0:
                story = _Story("keep-in-touch", KEEP, target=today_target, birthday_today=True)
            elif i < 3:
                story = _Story("keep-in-touch", KEEP, steps=i - 1, target=today_target)
            elif i < 5:
                story = _Story("keep-in-touch", KEEP, target=_Target(day_end, day_end + 8 * DAY))
                story.birthday_soon = True
            else:
                story = _Story(
                    "keep-in-touch", KEEP, steps=i % 2, target=_Target(day_end, day_end + 60 * DAY)
                )
            story.warmth = Warmth.CUSTOMER
            story.status = ContactStatus.CUSTOMER if i % 4 else ContactStatus.HOST
            story.tags = ("customer", "vip") if i % 5 == 0 else ("customer",)
            out.append(story)

        # Everyone else is in the address book, not (yet) in a playbook.
        leads = self.size - len(out)
        if leads < 0:
            raise InvalidInput(f"the demo needs at least {len(out)} contacts for every kind of story")
        for i in range(leads):
            kind = ("lead-new", "lead-customer", "lead-networking", "lead-new", "lead-customer")[i % 5]
            story = _Story(kind, birthday_today=(i == 0 and self.size >= 60))
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
            out.append(story)
        return out

    def chase(self, kind: str, playbook: str, steps: int, target: _Target) -> _Story:
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
        return _Story(kind, playbook, steps=steps, target=target, warmth=warmth, status=status, tags=tags)

    def appointment_slots(self) -> list[datetime]:
        """Two phone appointments on the agenda day, one or two on the next calling day."""
        hours = [(9, 30), (11, 0), (13, 30), (15, 0), (16, 30), (18, 0), (19, 30)]
        today = [self.local(self.day, h, m) for h, m in hours]
        ahead = [t for t in today if t >= self.now + 20 * MINUTE]
        chosen = ahead[:2] if len(ahead) >= 2 else today[-2:] if not ahead else [today[-2], ahead[-1]]
        if chosen[0] == chosen[-1]:
            chosen = today[-2:]
        tomorrow = [self.local(self.next_day, 10, 0), self.local(self.next_day, 14, 30)]
        return [*chosen, *tomorrow[: 2 if self.size >= 150 else 1]]

    # -- people

    def place(self, stories: list[_Story]) -> None:
        """Spread the contacts over states and countries (every must-have state at least once)."""
        order = list(range(len(stories)))
        self.rng.shuffle(order)
        abroad = max(4, round(self.size * 0.04))
        must = list(_MUST_STATES)
        for index in order:
            story = stories[index]
            if story.central:
                story.state = self.rng.choice(_CENTRAL)
            elif abroad and story.kind not in ("wrong-number", "no-number") and not story.birthday_today:
                story.abroad = _ABROAD[abroad % len(_ABROAD)]
                abroad -= 1
            elif must:
                story.state = must.pop(0)
            else:
                states, weights = zip(*_US_WEIGHTS.items(), strict=True)
                story.state = self.rng.choices(states, weights)[0]

    def name(self, story: _Story) -> tuple[str, str]:
        for _ in range(200):
            if story.abroad and story.abroad in _LOCAL_NAMES and self.rng.random() < 0.8:
                firsts, lasts = _LOCAL_NAMES[story.abroad]
                first, last = self.rng.choice(firsts), self.rng.choice(lasts)
            else:
                pool = _FIRST_F if self.rng.random() < 0.72 else _FIRST_M
                first, last = self.rng.choice(pool), self.rng.choice(_LAST)
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return first, last
        raise AssertionError("ran out of demo names")  # pragma: no cover

    def number(self, story: _Story, kind: str) -> str:
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
                area = self.rng.choice(_US_AREAS[story.state or "IL"])
                text = f"({area}) 555-01{self.rng.randrange(100):02d}"
            key = "".join(c for c in text if c.isdigit())
            key = f"+{key}" if text.startswith("+") else f"+1{key}"
            if key not in self.numbers:
                self.numbers.add(key)
                return text
        raise AssertionError("ran out of demo phone numbers")  # pragma: no cover

    def phones(self, story: _Story) -> list[PhoneInput]:
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

    def birthday(self, story: _Story) -> tuple[int, int, int | None] | None:
        if story.birthday_today:
            return self.today.month, self.today.day, self.rng.choice((None, 1968, 1979, 1985, 1991))
        if story.birthday_soon:
            soon = self.day + (2 + self.rng.randrange(5)) * DAY
            return soon.month, soon.day, None
        chance = 0.6 if story.playbook == KEEP else 0.3
        if self.rng.random() >= chance:
            return None
        for _ in range(50):
            month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
            if (month, day) != (self.today.month, self.today.day):
                year = self.rng.randint(1950, 2001) if self.rng.random() < 0.55 else None
                return month, day, year
        return None  # pragma: no cover

    def contact(self, story: _Story) -> Contact:
        rng = self.rng
        first, last = self.name(story)
        company, title = "", ""
        company_odds = (
            0.7 if story.status == ContactStatus.NETWORKING or story.warmth == Warmth.STRANGER else 0.15
        )
        if rng.random() < company_odds:
            company, title = rng.choice(_COMPANIES)
        topics: dict[str, str] = {
            ContactStatus.HOST: "host",
            ContactStatus.RECRUIT: "recruit",
            ContactStatus.CUSTOMER: "customer",
            ContactStatus.NETWORKING: "networking",
        }
        topic = topics.get(story.status, "stranger" if story.warmth == Warmth.STRANGER else "party")
        notes = " ".join(n for n in (rng.choice(_NOTES[topic]), rng.choice(_NOTES["tips"]), story.note) if n)
        created = self.now - (rng.uniform(1, 6) if story.fresh else rng.uniform(150, 500)) * DAY
        zone_name = _ABROAD_ZONES.get(story.abroad or "") if story.abroad == "AU" else None
        with clock.frozen(min(created, self.now - HOUR).replace(microsecond=0)):
            return contact_create(
                account=self.account,
                first_name=first,
                last_name=last,
                company=company,
                title=title,
                phones=self.phones(story),
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
        if name not in self.versions:
            self.versions[name] = playbook_latest_version(
                playbook=playbook_get(account=self.account, name=name)
            )
        return self.versions[name]

    def outcome(self, story: _Story, index: int, channel: Channel, roll: float) -> Outcome | None:
        """What the ``index``-th touch of the story records at a step of ``channel``."""
        if index == story.steps:
            return story.terminal if channel is Channel.CALL else None
        if index == story.wrong_at:
            return Outcome.WRONG_NUMBER if channel is Channel.CALL else None
        return _step_outcome(channel, roll)

    def limit(self, story: _Story) -> datetime:
        """No touch of the history may come after this."""
        if story.event_at is not None:
            return story.event_at - 2 * HOUR
        return self.now - 10 * MINUTE

    def simulate(
        self,
        story: _Story,
        contact: Contact,
        spec: PlaybookSpec,
        context: Context,
        start: datetime,
        rolls: Sequence[float],
    ) -> _Sim:
        """Run the pure engine from ``start`` as the services will; score the landing (0 = on target)."""
        assert story.target is not None and story.playbook is not None
        version = self.version(story.playbook)
        seed = enrollment_seed(contact_id=contact.pk, version_id=version.pk, started=start)
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

    def find_start(self, story: _Story, contact: Contact, rolls: Sequence[float]) -> datetime:
        """An enrollment time from which the story lands on its target (the closest one found)."""
        assert story.target is not None and story.playbook is not None
        spec = version_spec(version=self.version(story.playbook))
        context = context_for(account=self.account, contact=contact)
        limit = self.limit(story)
        hour, minute = 9 + self.rng.randrange(8), self.rng.randrange(0, 30, 5)
        touches = story.steps + (1 if story.terminal else 0) + (0 if story.target.on == "last" else 1)
        days = sum((s.wait.min_days + s.wait.max_days) / 2 for s in spec.steps[:touches])
        guess = (story.target.anchor - timedelta(days=days)).astimezone(self.tz).date()
        best: tuple[float, datetime] | None = None

        def attempt(day: date, variant: int = 0) -> _Sim:
            nonlocal best
            start = self.local(day, hour, minute + 7 * variant)
            if start > limit:  # the same day, early in the morning
                start = self.local(day, 7, 3 * variant)
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

    def log(self, contact: Contact, outcome: Outcome, at: datetime) -> None:
        notes = _TOUCH_NOTES.get(outcome, ("",))
        with clock.frozen(at):
            touch_log(
                account=self.account, contact=contact, outcome=outcome, at=at, note=self.rng.choice(notes)
            )

    def play(self, story: _Story, contact: Contact) -> None:
        """Replay the story through the services."""
        if story.playbook is None:
            return
        rolls = [self.rng.random() for _ in range(2 * (story.steps + 2))]
        start = story.start or self.find_start(story, contact, rolls)
        start = min(start, self.now).replace(microsecond=0)
        with clock.frozen(start):
            enrollment = enrollment_start(
                account=self.account, contact=contact, playbook=story.playbook, at=start
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
        if story.event is not None:
            when = story.event_at
            if when is None:
                their_zone = contact.time_zone or TIME_ZONE
                when = _daytime((last or start) + (story.event_delay or DAY), their_zone)
                when = min(when, self.now - 2 * HOUR)
            when = max(when, (last or start) + HOUR).replace(second=0)
            if story.event is Outcome.APPOINTMENT and story.appointment_at is not None:
                with clock.frozen(when):
                    appointment_book(
                        account=self.account,
                        contact=contact,
                        starts_at=max(story.appointment_at, when + HOUR),
                        note=self.rng.choice(
                            (
                                "Party date and guest list",
                                "Wants to hear about the business kit",
                                "Go over her wish list",
                            )
                        ),
                        duration_minutes=self.rng.choice((15, 20, 30)),
                    )
            else:
                self.log(contact, story.event, min(when, self.now - MINUTE))
            last = when
            if story.connect_after_event:
                last = min(when + timedelta(hours=1 + self.rng.randrange(3)), self.now - MINUTE)
                self.log(contact, Outcome.CONNECTED, last)
        if story.status in (ContactStatus.HOST, ContactStatus.RECRUIT) and story.kind == "engaged":
            contact_tag(
                account=self.account,
                contacts=[contact],
                tags=["booked" if story.status == "host" else "kit-sent"],
            )
        if story.then and last is not None:
            then_at = min(_daytime(last + (2 + self.rng.randrange(4)) * DAY, TIME_ZONE), self.now - HOUR)
            with clock.frozen(then_at):
                enrollment_start(account=self.account, contact=contact, playbook=story.then, at=then_at)
            self.catch_up(contact, until=self.bounds(self.today)[0])
        if story.pause:
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

    # -- the whole account

    def build(self) -> tuple[Account, Counter[str]]:
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
            account_update(account=self.account, postal_address=POSTAL_ADDRESS)
        stories = self.stories()
        self.place(stories)
        people = [(story, self.contact(story)) for story in stories]
        for story, contact in people:
            self.play(story, contact)
        # Safety net: nothing stays planned more than a few days back (the agenda would re-plan it).
        stale = Enrollment.objects.filter(
            account=self.account, status=EnrollmentStatus.ACTIVE, due_end__lt=self.now - 3 * DAY
        ).select_related("contact")
        for enrollment in list(stale):
            self.catch_up(enrollment.contact, until=self.bounds(self.today)[0])
        # A long weekend away in five weeks: steps due then move after it.
        away = self.today + 35 * DAY
        away += ((3 - away.weekday()) % 7) * DAY
        vacation_add(account=self.account, first_day=away, last_day=away + 4 * DAY)
        return self.account, Counter(story.kind for story in stories)


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
    day = now.astimezone(zone(TIME_ZONE)).date()
    while day.weekday() == 6 or is_holiday(day, REGION):
        day += DAY
    return day


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


def demo_load(*, contacts: int = 200, reset: bool = False) -> DemoResult:
    """Create the demo account (user ``demo``, password ``ringback-demo``) or report on it.

    When the demo user already exists nothing is changed and its contents are reported, unless
    ``reset`` deletes it (user, membership and every row of the account) and builds it again.
    Everything is dated relative to :func:`ringback.core.clock.now`, and the history is played
    through the real services with the clock set in the past. The same ``now`` and ``contacts``
    give the same demo. At least :data:`MIN_CONTACTS` contacts are needed to show every state.
    """
    started = timer.perf_counter()
    if contacts < MIN_CONTACTS:
        raise InvalidInput(f"the demo needs at least {MIN_CONTACTS} contacts (asked for {contacts})")
    now = clock.now().replace(microsecond=0)
    existing = _demo_account()
    if existing is not None and not reset:
        return _result(existing, created=False, now=now, stories=None, started=started)
    if existing is None and not reset and get_user_model().objects.filter(username=DEMO_USERNAME).exists():
        raise AccountError(f"the user {DEMO_USERNAME!r} exists without an account; rebuild it with --reset")
    with transaction.atomic(), clock.frozen(now):
        _demo_delete()
        account, stories = _Builder(now=now, size=contacts).build()
        return _result(account, created=True, now=now, stories=stories, started=started)
