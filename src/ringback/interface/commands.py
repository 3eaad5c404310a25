"""What every ``ringback`` command shares: ``--json`` or a table, clear errors, dates as typed.

The acting account (``--user``) is added by :class:`ringback.accounts.commands.AccountCommand`,
which every command that acts for an account uses.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.text import Text

from ringback.core import clock
from ringback.core.errors import InvalidDate, RingbackError
from ringback.core.scheduling import zone

#: Characters a terminal acts on instead of showing: C0 controls but tab and line feed, DEL, C1.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with each control character a terminal would act on written as its escape
    (``\\x1b``), so stored text (a contact's name from an imported file) cannot recolour,
    retitle or rewrite the seller's terminal; tabs and line breaks stay."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class TextConsole(Console):
    """rich's console for printing stored text as it is: no markup (``[bold]`` is text, ``[/]``
    no error), no emoji codes (``:warning:`` stays), control characters made :func:`visible`.
    Style with :class:`rich.text.Text` instead of markup."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **kwargs)


class PlainCommand(BaseCommand):
    """A command that acts for no account (on logins, say): a :class:`CommandError` is one
    ``error:`` line and exit status 1, never a traceback."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            self.stderr.write(f"error: {visible(str(exc))}")
            sys.exit(1)


class RingbackCommand(BaseCommand):
    """A command printing with rich or as JSON; a :class:`RingbackError` is one ``error:`` line."""

    #: Read commands accept ``--json``.
    reads = False

    def add_arguments(self, parser: CommandParser) -> None:
        if self.reads:
            parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except RingbackError as exc:
            self.stderr.write(f"error: {visible(exc.message)}")
            sys.exit(1)

    def emit(self, options: dict[str, Any], data: Any, render: Callable[[Console], None]) -> None:
        """Print ``data`` as JSON with ``--json``, else draw it with ``render`` on a
        :class:`TextConsole` (stored text comes out literally)."""
        if options.get("json"):
            self.stdout.write(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False))
            return
        buffer = io.StringIO()
        tty = self.stdout.isatty()
        console = TextConsole(
            file=buffer,
            width=shutil.get_terminal_size((110, 24)).columns if tty else 110,
            force_terminal=tty,
            no_color=not tty,
            highlight=False,
        )
        render(console)
        self.stdout.write(buffer.getvalue(), ending="")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def iso_utc(value: datetime) -> str:
    """An instant as ISO 8601 in UTC with a Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_when(text: str, *, time_zone: str, what: str) -> datetime:
    """An ISO 8601 date-time in the dates Ringback takes; without an offset it is read in
    ``time_zone`` (the account's)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDate(
            f"{what} {text!r} is not a date-time (write e.g. 2026-11-24T15:30 or 2026-11-24T15:30-05:00)"
        ) from None
    clock.check_written(value, what=what, shown=repr(text))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(time_zone))
    return value.astimezone(UTC)


def parse_day(text: str, *, what: str) -> date:
    """An ISO 8601 date (YYYY-MM-DD) in the dates Ringback takes."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDate(f"{what} {text!r} is not a date (write YYYY-MM-DD)") from None
    return clock.check_day(day, what=what)
