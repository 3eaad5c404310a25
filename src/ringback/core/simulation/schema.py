"""Reading a world file strictly: every field known, every value of the right type and range.

A schema is a tree of :class:`Section` (known fields, merged over the defaults field by field),
:class:`Table` (a mapping the user gives whole: its keys are checked by a reader) and leaf readers
(a value in, a checked value out, or :class:`Bad` with what is wrong). :func:`read` walks the
user's tree against the schema and the defaults' tree and returns the merged, checked values, or
raises :class:`Bad` with the path of the field ("answer.by_part.evening").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ringback.core.clock import check_day
from ringback.core.errors import InvalidDate, InvalidTimeZone
from ringback.core.scheduling import check_zone

#: A leaf reader: the value as YAML gave it, and the checked value.
Reader = Callable[[Any], Any]


class Bad(Exception):
    """What is wrong with a value, and where (filled in on the way out)."""

    def __init__(self, message: str, path: str = "", *, absolute: bool = False) -> None:
        super().__init__(message)
        self.message = message
        #: The field's path: from the top of the file when ``absolute``, else from the value read.
        self.path = path
        self.absolute = absolute


@dataclass(frozen=True, slots=True)
class Section:
    """A mapping of known fields; a user's section is merged over the default one."""

    fields: Mapping[str, Section | Table | Reader]


@dataclass(frozen=True, slots=True)
class Table:
    """A mapping the user gives whole (it replaces the default): keys and values checked."""

    key: Reader
    value: Section | Table | Reader


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


#: What YAML 1.1 reads as text though it is a number: an exponent without a dot (1e-06).
_EXPONENT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")


def number(value: Any) -> float:
    """A finite number (not a boolean)."""
    if isinstance(value, str) and _EXPONENT.match(value.strip()):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Bad(f"{_shown(value)} is not a number")
    if not math.isfinite(value):
        raise Bad(f"{_shown(value)} is not a finite number")
    return float(value)


def probability(value: Any) -> float:
    """A number from 0 to 1."""
    found = number(value)
    if not 0.0 <= found <= 1.0:
        raise Bad(f"{_shown(value)} is not a probability between 0 and 1")
    return found


#: The largest multiplier taken: more is a typo, not an experiment.
MAX_MULTIPLIER = 1000.0


def multiplier(value: Any) -> float:
    """A number from 0 (1 changes nothing)."""
    found = number(value)
    if not 0.0 <= found <= MAX_MULTIPLIER:
        raise Bad(f"{_shown(value)} is not a multiplier (a number from 0 to {MAX_MULTIPLIER:g})")
    return found


def positive(value: Any) -> float:
    """A number above 0."""
    found = number(value)
    if found <= 0:
        raise Bad(f"{_shown(value)} is not a number above 0")
    return found


def count(value: Any, *, most: int = 1_000_000_000) -> int:
    """A whole number from 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Bad(f"{_shown(value)} is not a whole number")
    if value < 0:
        raise Bad(f"{value} is negative: a count is a whole number from 0")
    if value > most:
        raise Bad(f"{value} is more than {most:,}")
    return value


def counted(least: int, most: int) -> Reader:
    """A whole number from ``least`` to ``most``."""

    def read(value: Any) -> int:
        found = count(value, most=most)
        if found < least:
            raise Bad(f"{found} is less than {least}")
        return found

    return read


def text(value: Any) -> str:
    """A piece of text."""
    if not isinstance(value, str):
        raise Bad(f"{_shown(value)} is not text")
    return value


def time_zone(value: Any) -> str:
    """An IANA time zone name."""
    try:
        return check_zone(text(value))
    except InvalidTimeZone as exc:
        raise Bad(exc.message) from None


def day(value: Any) -> date:
    """A date (YAML reads 2026-01-05 as one; quoted, it is read as ISO 8601)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise Bad(f"{_shown(value)} is not a date (write e.g. 2026-01-05)") from None
    if not isinstance(value, date):
        raise Bad(f"{_shown(value)} is not a date (write e.g. 2026-01-05)")
    try:
        return check_day(value, what="the date")
    except InvalidDate as exc:
        raise Bad(exc.message) from None


def one_of(choices: tuple[str, ...]) -> Reader:
    """One of ``choices``."""

    def read(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            raise Bad(f"{_shown(value)} is not one of {', '.join(choices)}")
        return value

    return read


def list_of(item: Reader, *, least: int = 0, most: int = 1000) -> Reader:
    """A list of ``least`` to ``most`` items, each read by ``item`` (the path gets its index)."""

    def read(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise Bad(f"{_shown(value)} is not a list")
        if not least <= len(value) <= most:
            raise Bad(f"a list of {len(value)} items; give {least} to {most}")
        out = []
        for index, element in enumerate(value):
            try:
                out.append(item(element))
            except Bad as exc:
                raise Bad(exc.message, _join(str(index), exc.path)) from None
        return out

    return read


def record(schema: Section) -> Reader:
    """A mapping inside a list (a vacation): every field of ``schema`` required."""

    def read(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Bad(f"{_shown(value)} is not a mapping of fields ({', '.join(schema.fields)})")
        missing = [name for name in schema.fields if name not in value]
        if missing:
            raise Bad(f"the field {missing[0]!r} is missing")
        try:
            return _section(schema, {}, value, "")
        except Bad as exc:
            raise Bad(exc.message, exc.path) from None  # relative to the record

    return read


def _join(path: str, tail: str) -> str:
    return f"{path}.{tail}" if path and tail else path or tail


def read(schema: Section | Table | Reader, default: Any, given: Any, path: str) -> Any:
    """``given`` (the user's value, or the default when the user gave none) checked against
    ``schema``, a section merged over ``default``; raises :class:`Bad` naming the path."""
    try:
        if isinstance(schema, Section):
            return _section(schema, default if isinstance(default, dict) else {}, given, path)
        if isinstance(schema, Table):
            return _table(schema, given, path)
        return schema(given)
    except Bad as exc:
        if exc.absolute:
            raise
        raise Bad(exc.message, _join(path, exc.path), absolute=True) from None


def _section(schema: Section, default: Mapping[str, Any], given: Any, path: str) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise Bad(
            f"{_shown(given)} is not a mapping of fields ({', '.join(schema.fields)})", path, absolute=True
        )
    for key in given:
        if key not in schema.fields:
            known = ", ".join(sorted(schema.fields))
            raise Bad(f"unknown field (known: {known})", _join(path, str(key)), absolute=True)
    out: dict[str, Any] = {}
    for name, field in schema.fields.items():
        where = _join(path, name)
        if name in given:
            out[name] = read(field, default.get(name), given[name], where)
        elif name in default:
            out[name] = read(field, None, default[name], where)
        else:
            raise Bad("the field is missing", where, absolute=True)
    return out


def _table(schema: Table, given: Any, path: str) -> dict[Any, Any]:
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise Bad(f"{_shown(given)} is not a mapping", path, absolute=True)
    out: dict[Any, Any] = {}
    for key, value in given.items():
        where = _join(path, str(key))
        try:
            checked = schema.key(key)
        except Bad as exc:
            raise Bad(exc.message, where, absolute=True) from None
        out[checked] = read(schema.value, None, value, where)
    return out


def shares(values: Mapping[Any, float], path: str) -> None:
    """Refuse shares that do not add up to 1."""
    total = sum(values.values())
    if abs(total - 1.0) > 1e-6:
        raise Bad(f"the shares add up to {total:g}, not 1", path, absolute=True)
