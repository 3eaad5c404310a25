"""When a touch may happen: calling hours, holidays, vacations and time-of-day rotation (R6).

Windows are computed in the contact's local time and returned in UTC. A retry call is moved to
a different part of the day and a different weekday than the previous attempts whenever the
wait range allows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import holidays as holidays_lib

from ringback.core.clock import check_day
from ringback.core.errors import InvalidInput, InvalidTimeZone
from ringback.core.playbook import ALL_PARTS, Channel, PartOfDay, Wait

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
MIN_WINDOW = timedelta(minutes=30)
#: How far past a step's wait range the search goes to escape holidays and vacations.
SEARCH_DAYS = 60

PART_BOUNDS: dict[PartOfDay, tuple[time, time]] = {
    PartOfDay.MORNING: (time(8), time(12)),
    PartOfDay.AFTERNOON: (time(12), time(17)),
    PartOfDay.EVENING: (time(17), time(21)),
}
WORK_HOURS = (time(9), time(17))


@dataclass(frozen=True, slots=True)
class CallingHours:
    """Local hours in which calls may be placed, and an optional cap on calls per 24 h."""

    start: time = time(8)
    end: time = time(21)
    max_calls_per_24h: int | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput(f"calling hours end {self.end:%H:%M} is not after {self.start:%H:%M}")


DEFAULT_HOURS = CallingHours()

#: Stricter rules, by ISO country or country-subdivision code. US "mini-TCPA" states:
#: Florida, Oklahoma and Maryland allow calls 08:00-20:00 and at most 3 attempts in 24 hours.
REGION_HOURS: dict[str, CallingHours] = {
    "US-FL": CallingHours(time(8), time(20), 3),
    "US-OK": CallingHours(time(8), time(20), 3),
    "US-MD": CallingHours(time(8), time(20), 3),
}


def strictest_hours(own: CallingHours, rules: Sequence[CallingHours]) -> CallingHours:
    """The calling hours that keep ``own`` and every one of ``rules``: the latest start, the
    earliest end and the smallest cap on calls per 24 h. Where the rules leave no hour of
    ``own``, the rules alone (the law wins over the seller's preference); where the rules leave
    no common hour at all (configured rules that exclude each other), the first rule alone."""
    if not rules:
        return own
    start, end = max(r.start for r in rules), min(r.end for r in rules)
    if end <= start:
        return strictest_hours(own, rules[:1])
    caps = [r.max_calls_per_24h for r in rules if r.max_calls_per_24h is not None]
    cap = min(caps) if caps else None
    if min(end, own.end) <= max(start, own.start):
        return CallingHours(start, end, cap)
    return CallingHours(max(start, own.start), min(end, own.end), cap)


def calling_hours_for(
    country: str | None,
    subdivision: str | None = None,
    *,
    overrides: dict[str, CallingHours] | None = None,
    default: CallingHours = DEFAULT_HOURS,
) -> CallingHours:
    """The calling hours that apply to a contact in ``country``/``subdivision``.

    Looks up ``CC-SUB`` then ``CC`` in ``overrides`` and then in :data:`REGION_HOURS`.
    """
    keys = []
    if country:
        if subdivision:
            keys.append(f"{country.upper()}-{subdivision.upper()}")
        keys.append(country.upper())
    for table in (overrides or {}, REGION_HOURS):
        for key in keys:
            if key in table:
                return table[key]
    return default


#: The longest time zone name taken: the longest IANA name has 32 characters, the columns hold 64.
MAX_ZONE_NAME = 64


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    """Every IANA zone this installation can load (``localtime`` is the server's own, not a place)."""
    return frozenset(available_timezones() - {"localtime"})


@lru_cache(maxsize=1)
def _zone_folders() -> dict[str, str]:
    """The folders of the zone database (``America``, ``America/Argentina``), each with a zone in it."""
    folders: dict[str, str] = {}
    for name in sorted(_zone_names()):
        parts = name.split("/")
        for end in range(1, len(parts)):
            folders.setdefault("/".join(parts[:end]).casefold(), name)
    return folders


@lru_cache(maxsize=1)
def _zones_by_case() -> dict[str, str]:
    return {name.casefold(): name for name in _zone_names()}


def check_zone(text: str, *, what: str = "time zone", field: str | None = None) -> str:
    """The IANA time zone named by ``text`` (spaces around it trimmed), such as America/Chicago,
    America/Argentina/Buenos_Aires, Etc/GMT+5 or UTC.

    Anything else raises :class:`InvalidTimeZone` (about ``field``) naming ``what`` and the value: a folder of the
    zone database (``America``), a path (``../etc``, ``America/``), a name with empty parts, an
    empty, over-long or non-ASCII name, a misspelling (with the right spelling when only the case
    differs). This is the one door every time zone goes through, from a form, a command or a file.
    """
    name = text.strip()
    if name in _zone_names():
        return name
    if not name:
        raise InvalidTimeZone(f"the {what} is empty (use an IANA name like America/Chicago)", field=field)
    if len(name) > MAX_ZONE_NAME:
        raise InvalidTimeZone(
            f"{what} {name[:20]!r}… is longer than {MAX_ZONE_NAME} characters: it is no time zone",
            field=field,
        )
    key = name.casefold()
    if key in _zones_by_case():
        raise InvalidTimeZone(f"unknown {what} {name!r}: did you mean {_zones_by_case()[key]}?", field=field)
    if key in _zone_folders():
        raise InvalidTimeZone(
            f"{what} {name!r} is a region of the time zone database, not a time zone: "
            f"name a place in it, e.g. {_zone_folders()[key]}",
            field=field,
        )
    raise InvalidTimeZone(f"unknown {what} {name!r} (use an IANA name like America/Chicago)", field=field)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``; raise :class:`InvalidTimeZone` for anything else (see :func:`check_zone`)."""
    return ZoneInfo(check_zone(name))


@lru_cache(maxsize=4096)
def holiday_dates(country: str | None, subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays of a country (and subdivision) in ``year``; empty when unknown."""
    if not country:
        return frozenset()
    for subdiv in (subdivision, None) if subdivision else (None,):
        try:
            found = holidays_lib.country_holidays(country.upper(), subdiv=subdiv, years=year)
        except (NotImplementedError, KeyError):
            continue
        return frozenset(found.keys())
    return frozenset()


def is_holiday(day: date, country: str | None, subdivision: str | None = None) -> bool:
    """True when ``day`` is a public holiday in the contact's country."""
    return day in holiday_dates(country, subdivision, day.year)


#: A place whose rules apply: an ISO country code and a subdivision (US state) code, or ``None``.
Place = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Recipient:
    """What scheduling needs to know about a contact.

    ``zone`` is the contact's own zone: days are counted and times shown in it. ``also_zones``
    are the other zones they may be in (their address's when their number says another): every
    window also lies inside the calling hours there. ``also_places`` are other places whose
    holidays they keep (the hours of their rules are folded into the ``hours`` given to
    :func:`find_window`).
    """

    zone: str = "UTC"
    country: str | None = None
    subdivision: str | None = None
    birthday: tuple[int, int] | None = None  # (month, day)
    numbers: int = 1  # phone numbers still usable
    also_zones: tuple[str, ...] = ()
    also_places: tuple[Place, ...] = ()

    @property
    def zones(self) -> tuple[str, ...]:
        """Every zone the contact may be in, their own first."""
        return (self.zone, *self.also_zones)

    @property
    def places(self) -> tuple[Place, ...]:
        """Every place whose rules and holidays apply, their own first."""
        return ((self.country, self.subdivision), *self.also_places)


Cell = tuple[int, PartOfDay]


@dataclass(frozen=True, slots=True)
class CallTimes:
    """When a contact is likely to answer: the estimated connect rate of each weekday (Monday 0)
    and part of the day, and the words that say why for the cells worth saying it of."""

    rates: Mapping[Cell, float]
    reasons: Mapping[Cell, str] = dataclass_field(default_factory=dict)
    #: What a window in each cell costs (0 for the best): see :data:`PREFERENCE_COST`.
    costs: Mapping[Cell, int] = dataclass_field(init=False)

    def __post_init__(self) -> None:
        best = max(self.rates.values(), default=0.0)
        costs = {
            cell: round(PREFERENCE_COST * (1 - rate / best)) if best > 0 else 0
            for cell, rate in self.rates.items()
        }
        object.__setattr__(self, "costs", costs)

    def cost(self, weekday: int, part: PartOfDay | None) -> int:
        """What a window on ``weekday`` in ``part`` costs; cells with no estimate cost the most."""
        if part is None or not self.rates:
            return 0
        return self.costs.get((weekday, part), PREFERENCE_COST)

    def reason(self, weekday: int, part: PartOfDay | None) -> str:
        """Why a window in this cell was chosen, when the cell is the best ("" otherwise)."""
        if part is None or self.cost(weekday, part) != 0:
            return ""
        return self.reasons.get((weekday, part), "")


@dataclass(frozen=True, slots=True)
class Window:
    """A due window in UTC, with the part of the day it falls in for calls."""

    start: datetime
    end: datetime
    part: PartOfDay | None = None


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call attempt as rotation needs it: when, which part of the day, which weekday."""

    at: datetime
    part: PartOfDay
    weekday: int


Vacation = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class WorkWeek:
    """The weekdays (Monday 0) the seller works, counted in the seller's own time zone."""

    days: frozenset[int] = frozenset(range(7))
    zone: str = "UTC"

    @property
    def every_day(self) -> bool:
        return len(self.days) == 7

    def works_at(self, at: datetime) -> bool:
        """Whether ``at`` falls on one of the seller's working days, in their zone."""
        return self.every_day or at.astimezone(zone(self.zone)).weekday() in self.days

    def next_day_start(self, at: datetime) -> datetime:
        """The instant the seller's next day after ``at`` begins (midnight in their zone)."""
        tz = zone(self.zone)
        return _midnight_utc(self.zone, at.astimezone(tz).date() + DAY)


EVERY_DAY = WorkWeek()


def part_of_day(local: datetime) -> PartOfDay:
    """The part of the day a local time falls in (before noon, before 17:00, after)."""
    if local.hour < 12:
        return PartOfDay.MORNING
    if local.hour < 17:
        return PartOfDay.AFTERNOON
    return PartOfDay.EVENING


def call_record(at: datetime, zone_name: str) -> CallRecord:
    """Describe a call made at ``at`` (UTC) for a contact in ``zone_name``."""
    local = at.astimezone(zone(zone_name))
    return CallRecord(at=at, part=part_of_day(local), weekday=local.weekday())


def next_birthday(month: int, day: int, on_or_after: date) -> date:
    """The first birthday on or after a date; 29 February falls on 28 February in other years."""
    for year in (on_or_after.year, on_or_after.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = date(year, month, 28)
        if candidate >= on_or_after:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def is_holiday_for(day: date, recipient: Recipient) -> bool:
    """A public holiday in the contact's place or in any other place they may be."""
    if is_holiday(day, recipient.country, recipient.subdivision):
        return True
    return bool(recipient.also_places) and any(
        is_holiday(day, country, sub) for country, sub in recipient.also_places
    )


def _allowed_day(channel: Channel, day: date, recipient: Recipient) -> bool:
    if channel is Channel.TASK:
        return True
    if channel in (Channel.CALL, Channel.MAIL) and day.weekday() == 6:
        return False
    if is_holiday(day, recipient.country, recipient.subdivision):
        return False
    return not recipient.also_places or not is_holiday_for(day, recipient)


def _is_business_day(day: date, recipient: Recipient) -> bool:
    return day.weekday() < 5 and not is_holiday_for(day, recipient)


def _business_days(start: date, count: int, recipient: Recipient) -> date:
    """The ``count``-th business day after ``start`` (``start`` itself, or the next, for 0)."""
    day = start
    while not _is_business_day(day, recipient):
        day += DAY
    for _ in range(count):
        day += DAY
        while not _is_business_day(day, recipient):
            day += DAY
    return day


def _clip(lo: time, hi: time, hours: CallingHours) -> tuple[time, time] | None:
    lo, hi = max(lo, hours.start), min(hi, hours.end)
    return (lo, hi) if lo < hi else None


#: A window being considered: start and end in UTC, part of the day (a :class:`Window` once chosen).
_Span = tuple[datetime, datetime, PartOfDay | None]
#: A candidate window of a day: its part of the day (none but for calls), from and to local midnight.
_Slot = tuple[PartOfDay | None, timedelta, timedelta]


@lru_cache(maxsize=256)
def _slots(channel: Channel, parts: tuple[PartOfDay, ...], hours: CallingHours) -> tuple[_Slot, ...]:
    """The day's candidate windows as offsets from local midnight, clipped to calling hours."""
    raw = (
        [(p, *PART_BOUNDS[p]) for p in parts] if channel is Channel.CALL else [(None, hours.start, hours.end)]
    )
    out = []
    for part, lo, hi in raw:
        bounds = _clip(lo, hi, hours)
        if bounds is not None:
            out.append((part, _since_midnight(bounds[0]), _since_midnight(bounds[1])))
    return tuple(out)


def _since_midnight(value: time) -> timedelta:
    return timedelta(hours=value.hour, minutes=value.minute)


@lru_cache(maxsize=65536)
def _midnight_utc(zone_name: str, day: date) -> datetime:
    """Local midnight of ``day`` in UTC, at the day's daytime offset (DST changes at night)."""
    offset = zone(zone_name).utcoffset(datetime.combine(day, time(12)))
    assert offset is not None
    return datetime.combine(day, time(0), UTC) - offset


#: What rotation (R6) charges a call window for repeating the previous attempt's weekday, and
#: again for repeating its part of the day: more than any tie and any of the first nine days past
#: the wait range.
REPEAT_PREVIOUS_COST = 100
#: What it charges for repeating the weekday, and again the part of the day, of any earlier attempt.
REPEAT_EARLIER_COST = 3
#: What each day past the wait range costs.
LATE_DAY_COST = 10
#: The most a call window costs for falling in a part of a weekday when the contact answers less
#: than in their best one: three days late. Less than repeating the previous attempt's weekday or
#: part of the day, so that retries still vary (R6).
PREFERENCE_COST = 30


def _wait_days(
    wait: Wait, reference_day: date, recipient: Recipient, anchor_day: date | None
) -> tuple[date, date]:
    """The first and last local day a step may fall on: ``anchor_day`` alone for an anchored step,
    else the wait range counted from ``reference_day`` (in business days if the wait says so)."""
    if anchor_day is not None:
        return anchor_day, anchor_day
    if wait.business:
        return (
            _business_days(reference_day, wait.min_days, recipient),
            _business_days(reference_day, wait.max_days, recipient),
        )
    return reference_day + wait.min_days * DAY, reference_day + wait.max_days * DAY


@dataclass(slots=True)
class _DaySearch:
    """Finds the free windows of one day for a step on ``channel`` to ``recipient``: inside the
    day's ``slots`` and the calling ``hours`` in each of the contact's zones, starting at
    ``not_before`` at the earliest and ending at ``not_after`` at the latest, overlapping no
    vacation, starting on one of the seller's working days, and coming after fewer than
    ``per_day`` of ``calls`` in the 24 hours before it (no cap when ``None``)."""

    channel: Channel
    slots: Sequence[_Slot]
    recipient: Recipient
    hours: CallingHours
    not_before: datetime
    not_after: datetime | None
    vacations: Sequence[Vacation]
    calls: Sequence[CallRecord]
    per_day: int | None
    #: ``None`` when the seller works every day (nothing to check).
    workweek: WorkWeek | None = None
    #: Whether :meth:`allows` has anything to check (most windows need none: the hot path).
    checks: bool = dataclass_field(init=False)

    def __post_init__(self) -> None:
        self.checks = bool(self.vacations) or self.workweek is not None or self.per_day is not None

    def free_windows(self, day: date) -> list[_Span]:
        """The windows of local ``day`` that may be used, in the order of ``slots``, as plain
        tuples (the engine's hot path: kept lean); none on a day the channel may not use (a
        Sunday, a holiday)."""
        recipient = self.recipient
        if not _allowed_day(self.channel, day, recipient):
            return []
        midnight = _midnight_utc(recipient.zone, day)
        not_before, not_after, checks = self.not_before, self.not_after, self.checks
        windows: list[_Span] = []
        for part, lo, hi in self.slots:
            start, end = midnight + lo, midnight + hi
            if recipient.also_zones:
                clipped = _inside_other_zones(start, end, recipient.also_zones, self.hours)
                if clipped is None:
                    continue
                start, end = clipped
            if start < not_before:
                start = not_before
            if not_after is not None and end > not_after:
                end = not_after
            if self.workweek is not None and not self.workweek.works_at(start):
                # Its part on the seller's next day, when that is a working day (a whole-day
                # window reaches into another day of the seller's, far from their zone).
                start = max(start, self.workweek.next_day_start(start))
            if end - start >= MIN_WINDOW and (not checks or self.allows(start, end)):
                windows.append((start, end, part))
        return windows

    def allows(self, start: datetime, end: datetime) -> bool:
        """Whether ``start``-``end`` overlaps no vacation, starts on a working day and keeps to
        the calls cap."""
        if self.vacations and any(v_start < end and start < v_end for v_start, v_end in self.vacations):
            return False
        if self.workweek is not None and not self.workweek.works_at(start):
            return False
        return self.per_day is None or self._calls_in_day_before(start) < self.per_day

    def _calls_in_day_before(self, at: datetime) -> int:
        """How many of ``calls`` fall in the 24 hours up to ``at`` (``at`` included)."""
        return sum(1 for c in self.calls if at - DAY < c.at <= at)


def _inside_other_zones(
    start: datetime, end: datetime, zones: Sequence[str], hours: CallingHours
) -> tuple[datetime, datetime] | None:
    """``start``-``end`` narrowed so that it lies inside ``hours`` in each of ``zones``: in each
    zone the longest part inside that zone's hours is kept; ``None`` when nothing is left."""
    for zone_name in zones:
        piece = _inside_hours(start, end, zone_name, hours)
        if piece is None:
            return None
        start, end = piece
    return start, end


def _inside_hours(
    start: datetime, end: datetime, zone_name: str, hours: CallingHours
) -> tuple[datetime, datetime] | None:
    """The longest part of ``start``-``end`` inside ``hours`` of a local day in ``zone_name``
    (the earliest of equally long ones), or ``None``."""
    opens, closes = _since_midnight(hours.start), _since_midnight(hours.end)
    tz = zone(zone_name)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    best: tuple[datetime, datetime] | None = None
    while day <= last:
        midnight = _midnight_utc(zone_name, day)
        lo, hi = max(start, midnight + opens), min(end, midnight + closes)
        if lo < hi and (best is None or hi - lo > best[1] - best[0]):
            best = (lo, hi)
        day += DAY
    return best


@dataclass(frozen=True, slots=True)
class _Rotation:
    """What a window costs for repeating the weekday or part of the day of earlier calls (R6):
    nothing before the first call, nor for other channels (``previous`` is then ``None``)."""

    previous: CallRecord | None = None
    weekdays: frozenset[int] = frozenset()
    parts: frozenset[PartOfDay] = frozenset()

    @classmethod
    def after(cls, channel: Channel, calls: Sequence[CallRecord]) -> _Rotation:
        """The rotation a step on ``channel`` owes to ``calls``."""
        if channel is not Channel.CALL or not calls:
            return cls()
        return cls(calls[-1], frozenset(c.weekday for c in calls), frozenset(c.part for c in calls))

    def cost(self, weekday: int, part: PartOfDay | None) -> int:
        """The cost of a window on ``weekday`` in ``part`` of the day."""
        if self.previous is None:
            return 0
        repeats_previous = int(weekday == self.previous.weekday) + int(part == self.previous.part)
        repeats_earlier = int(weekday in self.weekdays) + int(part in self.parts)
        return repeats_previous * REPEAT_PREVIOUS_COST + repeats_earlier * REPEAT_EARLIER_COST


def find_window(
    *,
    channel: Channel,
    wait: Wait,
    reference: datetime,
    not_before: datetime,
    recipient: Recipient,
    hours: CallingHours = DEFAULT_HOURS,
    vacations: Sequence[Vacation] = (),
    calls: Sequence[CallRecord] = (),
    parts: Sequence[PartOfDay] = ALL_PARTS,
    not_after: datetime | None = None,
    anchor_day: date | None = None,
    earliest: bool = False,
    tie_break: int = 0,
    workweek: WorkWeek = EVERY_DAY,
    times: CallTimes | None = None,
) -> Window | None:
    """The best due window for a step, or ``None`` when none exists in the search horizon.

    ``reference`` is the previous touch (or the start); the wait counts from its local date.
    The window never starts before ``not_before``, never ends after ``not_after``, lies inside
    the calling hours in every zone the contact may be in (``recipient.zones``) on a day that is
    not a holiday in any of their places, starts on one of
    the seller's working days (``workweek``), and does not overlap a vacation. For calls it prefers a weekday and a part of the day unlike the previous
    attempts, unless ``earliest`` asks for the first possible window (a retry on another number),
    and, given ``times``, the weekdays and parts of the day the contact answers most.
    Equally good windows are chosen between by ``tie_break`` so that a seeded plan is
    reproducible.
    """
    tz = zone(recipient.zone)
    first, last = _wait_days(wait, reference.astimezone(tz).date(), recipient, anchor_day)
    floor_day = not_before.astimezone(tz).date()
    search = _DaySearch(
        channel,
        _slots(channel, tuple(parts), hours),
        recipient,
        hours,
        not_before,
        not_after,
        vacations,
        calls,
        hours.max_calls_per_24h if channel is Channel.CALL else None,
        None if workweek.every_day else workweek,
    )
    rotation = _Rotation.after(channel, calls)
    prefer = times if channel is Channel.CALL and times is not None and times.rates else None
    # The cheapest windows so far, in the order found; kept inline: this loop is the hot path.
    cheapest: list[_Span] = []
    cheapest_cost = 0
    day = max(first, floor_day)
    horizon = max(last, floor_day) + SEARCH_DAYS * DAY
    while day <= horizon:
        late = max((day - last).days, 0) * LATE_DAY_COST
        if cheapest and late > cheapest_cost:
            break  # every window from this day on costs more than the cheapest found
        windows = search.free_windows(day)
        if windows and earliest:
            return Window(*windows[0])
        weekday = day.weekday()
        for window in windows:
            cost = late if rotation.previous is None else late + rotation.cost(weekday, window[2])
            if prefer is not None:
                cost += prefer.cost(weekday, window[2])
            if not cheapest or cost < cheapest_cost:
                cheapest, cheapest_cost = [window], cost
            elif cost == cheapest_cost:
                cheapest.append(window)
        day += DAY
    return Window(*cheapest[tie_break % len(cheapest)]) if cheapest else None


#: How forms send a local date-time: ``datetime-local`` inputs, or typed by hand.
LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


def read_local_datetime(text: str, tz: tzinfo, *, what: str = "the date") -> datetime | None:
    """A date-time typed in a form, read as wall-clock time in ``tz``; ``None`` if it isn't one.

    A date-time outside the dates Ringback takes raises InvalidDate naming ``what``.
    """
    value = text.strip()
    for pattern in LOCAL_FORMATS:
        try:
            parsed = datetime.strptime(value, pattern).replace(tzinfo=tz)
        except ValueError:
            continue
        check_day(parsed.date(), what=what)
        return parsed
    return None


def exists_locally(value: datetime) -> bool:
    """False for a wall-clock time that a daylight-saving change skips (02:30 on spring-forward night)."""
    tz = value.tzinfo
    assert tz is not None
    return value.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == value.replace(tzinfo=None)


def in_window(at: datetime, window: Window) -> bool:
    """True when ``at`` falls inside ``window``."""
    return window.start <= at < window.end


def inside_calling_hours(at: datetime, recipient: Recipient, hours: CallingHours) -> bool:
    """True when ``at`` is inside the calling hours in every zone the contact may be in, on an
    allowed day in their own zone."""
    local = at.astimezone(zone(recipient.zone))
    if not _allowed_day(Channel.CALL, local.date(), recipient):
        return False
    for zone_name in recipient.zones:
        clock_time = at.astimezone(zone(zone_name)).time()
        if not hours.start <= clock_time < hours.end:
            return False
    return True


def hours_edges(window: Window, recipient: Recipient, hours: CallingHours) -> tuple[str | None, str | None]:
    """Where ``window`` sits on the edge of ``hours``: the zone (among ``recipient.zones``, the
    other zones first) in which it starts exactly at ``hours.start``, and the one in which it
    ends exactly at ``hours.end``; ``None`` for an edge that is on neither."""
    order = (*recipient.also_zones, recipient.zone)

    def on(at: datetime, edge: time) -> str | None:
        for zone_name in order:
            local = at.astimezone(zone(zone_name))
            if local.second == 0 and (local.hour, local.minute) == (edge.hour, edge.minute):
                return zone_name
        return None

    return on(window.start, hours.start), on(window.end, hours.end)


def is_working_hours(local: datetime) -> bool:
    """Weekday 09:00-17:00 in the contact's local time."""
    return local.weekday() < 5 and WORK_HOURS[0] <= local.time() < WORK_HOURS[1]


def vacation_from_dates(first: date, last: date, zone_name: str) -> Vacation:
    """The UTC instants covering local days ``first`` to ``last`` inclusive in ``zone_name``."""
    if last < first:
        raise InvalidInput(f"vacation ends {last} before it starts {first}")
    tz = zone(zone_name)
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + DAY, time(0), tz).astimezone(UTC)
    return start, end
