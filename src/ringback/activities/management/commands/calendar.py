from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.calendar import calendar_path, webcal_url
from ringback.accounts.commands import AccountCommand
from ringback.accounts.services import account_calendar_off, account_calendar_on, account_calendar_reset
from ringback.core.errors import InvalidInput

#: Where ``ringback serve`` (and ``make run``) answers by default.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url(text: str) -> str:
    """The server's address as typed for ``--base-url``, without a trailing slash; anything
    but an http:// or https:// address (a host, perhaps a port and a path) is refused."""
    value = text.strip()
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if (
        not port_ok
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
        or any(c.isspace() or not c.isprintable() for c in value)
    ):
        raise InvalidInput(
            f"--base-url {text!r} is not an http:// or https:// address "
            f"(write the address Ringback is reached at, e.g. https://ringback.example.com)",
            field="base_url",
        )
    return value.rstrip("/")


class Command(AccountCommand):
    help = "The calendar feed's secret URL: url (turns it on), reset (a new URL), off."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="url", choices=["url", "reset", "off"])
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help=f"the address the server is reached at, as calendar apps reach it (default {DEFAULT_BASE_URL})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = base_url(options["base_url"])
        account = self.account(options)
        if options["action"] == "off":
            was_on = account_calendar_off(account=account)
            said = (
                "The calendar feed is off: its URL stopped working."
                if was_on
                else "The calendar feed was off."
            )
            self.emit(options, {"on": False, "was_on": was_on}, lambda console: console.print(said))
            return
        before = account.calendar_token
        if options["action"] == "reset":
            token = account_calendar_reset(account=account)
            said = (
                "New secret URL: the old one stopped working." if before else "Turned the calendar feed on."
            )
        else:
            token = account_calendar_on(account=account)
            said = "" if token == before else "Turned the calendar feed on."
        url = base + calendar_path(token)
        data = {"on": True, "url": url, "webcal": webcal_url(url), "new": token != before}

        def render(console: Console) -> None:
            if said:
                console.print(said)
            # soft_wrap: a URL is never cut across lines, whatever the terminal's width.
            console.print(f"Calendar feed: {url}", soft_wrap=True)
            console.print(f"Subscribe:     {data['webcal']}", soft_wrap=True)
            console.print("Anyone who has this URL can see your appointments: keep it to yourself.")

        self.emit(options, data, render)
