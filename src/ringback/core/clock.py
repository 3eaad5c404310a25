"""The one clock. Every "now" in Ringback comes from here.

Tests, demos and what-if simulations set it with :func:`set_now` or :func:`frozen`; the
command line honours ``RINGBACK_NOW`` (an ISO 8601 date-time with an offset).

Every date that enters Ringback (a form, a command option, ``RINGBACK_NOW``) lies between
:data:`EARLIEST_DAY` and :data:`LATEST_DAY`: wide enough for a birthday or a plan years ahead, and
thousands of years from the ends of Python's calendar, so that a wait added to any of them never
overflows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta, timezone

from ringback.core.errors import InvalidDate

#: The first and the last day Ringback takes, wherever a date enters.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 12, 31)
RANGE_TEXT = f"{EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}"
#: The longest duration anywhere (a playbook's wait or offer, the rest after "not interested"):
#: ten years. Added to any date in the range, it stays thousands of years from an overflow.
MAX_DAYS = 3650

_MINUTE = timedelta(minutes=1)
#: The first and the last instants in the range: somewhere on Earth (offsets reach ±24 hours)
#: it is then the first or the last day of the range.
EARLIEST_INSTANT = datetime.combine(EARLIEST_DAY, time(0), timezone(timedelta(hours=24) - _MINUTE))
LATEST_INSTANT = datetime.combine(
    LATEST_DAY + timedelta(days=1), time(0), timezone(_MINUTE - timedelta(hours=24))
)

_fixed: datetime | None = None


def check_day(day: date, *, what: str = "date", shown: str | None = None, field: str | None = None) -> date:
    """Return ``day`` when it lies in EARLIEST_DAY..LATEST_DAY; else raise InvalidDate.

    The message names ``what`` (a field, an option) and the value as typed (``shown``, by default
    the day itself) and the range.
    """
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return day
    value = shown if shown is not None else day.isoformat()
    raise InvalidDate(f"{what} {value} is outside the dates Ringback takes ({RANGE_TEXT})", field=field)


def check_written(
    value: datetime, *, what: str = "date-time", shown: str | None = None, field: str | None = None
) -> datetime:
    """Return ``value`` when its date as written (in its own offset, if any) is in the range;
    else raise InvalidDate. For what a person typed, before any conversion to UTC (which itself
    overflows next to year 1 or 9999)."""
    check_day(value.date(), what=what, shown=shown if shown is not None else value.isoformat(), field=field)
    return value


def check_instant(value: datetime, *, what: str = "date-time", field: str | None = None) -> datetime:
    """Return the aware ``value`` when it falls on a day of the range somewhere on Earth; else
    raise InvalidDate. What services check of the instants they are given, in whatever offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidDate(f"{what} {value.isoformat()} has no UTC offset", field=field)
    if not EARLIEST_INSTANT <= value < LATEST_INSTANT:
        raise InvalidDate(
            f"{what} {value.isoformat()} is outside the dates Ringback takes ({RANGE_TEXT})", field=field
        )
    return value


def parse_instant(text: str, *, what: str = "date-time") -> datetime:
    """Parse an ISO 8601 date-time that carries an offset, in the range; return it in UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDate(f"{what} {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise InvalidDate(f"{what} {text!r} has no UTC offset (write e.g. 2026-11-23T09:00+01:00)")
    return check_written(value, what=what, shown=repr(text)).astimezone(UTC)


def now() -> datetime:
    """Return the current instant in UTC: the fixed one if set, else RINGBACK_NOW, else real."""
    if _fixed is not None:
        return _fixed
    env = os.environ.get("RINGBACK_NOW")
    if env:
        return parse_instant(env, what="RINGBACK_NOW")
    return datetime.now(UTC)


def set_now(value: datetime | None) -> None:
    """Fix the clock at ``value`` (an aware datetime), or let it run again with ``None``."""
    global _fixed
    if value is not None and value.tzinfo is None:
        raise InvalidDate("the clock needs an aware datetime")
    if value is not None:
        check_instant(value, what="the clock")
    _fixed = value.astimezone(UTC) if value is not None else None


@contextmanager
def frozen(value: datetime) -> Iterator[None]:
    """Fix the clock at ``value`` inside the ``with`` block."""
    previous = _fixed
    set_now(value)
    try:
        yield
    finally:
        set_now(previous)
