"""The seller's working days, as written in settings and on the command line ("mon-fri", "mon,wed,fri")."""

from __future__ import annotations

from ringback.core.errors import InvalidInput

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))


def _day(name: str, text: str, field: str) -> int:
    key = name.strip().lower()[:3]
    if key not in DAY_NAMES:
        raise InvalidInput(
            f"working days {text!r}: {name.strip()!r} is not a day (write e.g. mon-fri or mon,wed,fri)",
            field=field,
        )
    return DAY_NAMES.index(key)


def parse_weekdays(text: str, *, field: str = "working_days") -> frozenset[int]:
    """The weekday numbers (Monday 0) in ``text``: day names or ranges, comma-separated.

    ``mon-fri``, ``Mon, Tue, Thu`` and ``sat-mon`` (a range that wraps) are read; at least one
    day is required. Raises :class:`InvalidInput` naming the part it could not read.
    """
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _day(first, text, field), _day(last, text, field)
            days.update((start + n) % 7 for n in range((end - start) % 7 + 1))
        else:
            days.add(_day(part, text, field))
    if not days:
        raise InvalidInput("working days: name at least one day (e.g. mon-fri)", field=field)
    return frozenset(days)


def weekdays_text(days: frozenset[int]) -> str:
    """The stored form of ``days``: ``mon,tue,wed,thu,fri``."""
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def weekdays_words(days: frozenset[int]) -> str:
    """How ``days`` reads to a person: "Monday to Friday", "Mon, Wed, Fri", "every day"."""
    ordered = sorted(days)
    if len(ordered) == 7:
        return "every day"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        full = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        return f"{full[ordered[0]]} to {full[ordered[-1]]}"
    return ", ".join(DAY_NAMES[d].capitalize() for d in ordered)
