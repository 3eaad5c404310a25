"""The one clock. Every "now" in Ringback comes from here.

Tests, demos and what-if simulations set it with :func:`set_now` or :func:`frozen`; the
command line honours ``RINGBACK_NOW`` (an ISO 8601 date-time with an offset).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from ringback.core.errors import InvalidDate

_fixed: datetime | None = None


def parse_instant(text: str, *, what: str = "date-time") -> datetime:
    """Parse an ISO 8601 date-time that carries an offset; return it in UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDate(f"{what} {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise InvalidDate(f"{what} {text!r} has no UTC offset (write e.g. 2026-11-23T09:00+01:00)")
    return value.astimezone(UTC)


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
