"""What every ``ringback`` command shares: the acting account, ``--json``, clear errors."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.text import Text

from ringback.accounts.models import Account, Membership
from ringback.accounts.selectors import account_for_user
from ringback.accounts.services import account_create
from ringback.core import clock
from ringback.core.errors import AccountError, InvalidDate, RingbackError
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
    """A command acting for one account, printing with rich or as JSON."""

    #: Read commands accept ``--json``.
    reads = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            help="act for this user's account (default: RINGBACK_USER, or the only account)",
        )
        if self.reads:
            parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except RingbackError as exc:
            self.stderr.write(f"error: {visible(exc.message)}")
            sys.exit(1)

    def account(self, options: dict[str, Any]) -> Account:
        """The account this run acts for (created on an empty database)."""
        username = options.get("user") or os.environ.get("RINGBACK_USER")
        if username:
            return account_for_user(username=username)
        memberships = list(Membership.objects.select_related("account", "user").order_by("account_id")[:2])
        accounts = {m.account_id: m.account for m in memberships}
        if len(accounts) == 1:
            return next(iter(accounts.values()))
        if not memberships:
            return self._create_owner()
        names = ", ".join(
            Membership.objects.order_by("user__username").values_list("user__username", flat=True)
        )
        raise AccountError(f"several accounts exist; choose one with --user or RINGBACK_USER ({names})")

    def _create_owner(self) -> Account:
        from django.core.management.base import CommandError

        from ringback.accounts.management.commands.createuser import ask_new_password

        name = os.environ.get("USER") or "owner"
        password = None
        if sys.stdin.isatty():
            self.stdout.write(f"No account yet: creating the owner account {name!r}.")
            try:
                password = ask_new_password(name, say=self.stdout.write)
            except CommandError as exc:
                raise AccountError(str(exc)) from None
        account = account_create(username=name, password=password or None)
        if not password:
            self.stderr.write(
                f"Created the owner account {name!r}; set its password with: ringback changepassword {name}"
            )
        return account

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


def parse_when(text: str, *, account: Account, what: str) -> datetime:
    """An ISO 8601 date-time in the dates Ringback takes; without an offset it is read in the
    account's time zone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDate(
            f"{what} {text!r} is not a date-time (write e.g. 2026-11-24T15:30 or 2026-11-24T15:30-05:00)"
        ) from None
    clock.check_written(value, what=what, shown=repr(text))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(account.time_zone))
    return value.astimezone(UTC)


def parse_day(text: str, *, what: str) -> date:
    """An ISO 8601 date (YYYY-MM-DD) in the dates Ringback takes."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDate(f"{what} {text!r} is not a date (write YYYY-MM-DD)") from None
    return clock.check_day(day, what=what)
