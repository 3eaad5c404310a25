from datetime import time
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.accounts.services import EDITABLE, account_update
from ringback.core.errors import InvalidInput


def _item_minutes(text: str) -> dict[str, object]:
    """``call=4,card=6`` as a mapping (the values are checked by the service)."""
    out: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise InvalidInput(
                f"--item-minutes {part!r}: write NAME=MINUTES, e.g. call=4,card=6", field="item_minutes"
            ) from None
        if not sep:
            raise InvalidInput(
                f"--item-minutes {part!r}: write NAME=MINUTES, e.g. call=4", field="item_minutes"
            )
    return out


def _hours(text: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise InvalidInput(f"calling hours {text!r} are not HH:MM-HH:MM (e.g. 08:00-21:00)") from None
    return start, end


class Command(AccountCommand):
    help = "Show or change the seller's profile and settings (used in scripts and scheduling)."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--name", dest="seller_name", help="your name, as scripts say it")
        parser.add_argument("--phone", dest="seller_phone", help="your callback number")
        parser.add_argument("--business", dest="business_name", help="your business name")
        parser.add_argument("--address", dest="postal_address", help="your postal address")
        parser.add_argument("--time-zone", dest="time_zone", help="your time zone, e.g. America/Chicago")
        parser.add_argument(
            "--region", dest="default_region", help="default country for phone numbers, e.g. US"
        )
        parser.add_argument(
            "--calling-hours", dest="calling_hours", help="e.g. 08:00-21:00 (their local time)"
        )
        parser.add_argument(
            "--capacity", dest="daily_call_capacity", type=int, help="calls a day (default 25)"
        )
        parser.add_argument(
            "--new-per-callback", dest="new_per_callback", type=float, help="new per follow-up (1)"
        )
        parser.add_argument(
            "--suppress-days", dest="suppress_days", type=int, help="rest after not interested (180)"
        )
        parser.add_argument(
            "--working-days", dest="working_days", help="the days you work, e.g. mon-fri or mon,wed,fri"
        )
        parser.add_argument(
            "--minutes", dest="minutes_per_day", type=int, help="minutes a working day for follow-up (60)"
        )
        parser.add_argument(
            "--item-minutes",
            dest="item_minutes_text",
            help="your own estimates, e.g. call=4,card=6 (call, conversation, card, email, text, task, greeting)",
        )
        parser.add_argument(
            "--mail-lead-days", dest="mail_lead_days", type=int, help="days a card takes to arrive (4)"
        )
        parser.add_argument(
            "--email-daily-cap", dest="email_daily_cap", type=int, help="emails sent a day at most (200)"
        )
        parser.add_argument(
            "--email-from", dest="email_from", help="the address emails come from ('' : your sign-in email)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        changes = {key: options[key] for key in EDITABLE if options.get(key) is not None}
        if options.get("item_minutes_text") is not None:
            changes["item_minutes"] = {**account.item_minutes, **_item_minutes(options["item_minutes_text"])}
        if options.get("calling_hours"):
            changes["calling_start"], changes["calling_end"] = _hours(options["calling_hours"])
        if changes:
            account = account_update(account=account, **changes)
        data = {key: getattr(account, key) for key in EDITABLE}
        data["calling_start"] = account.calling_start.strftime("%H:%M")
        data["calling_end"] = account.calling_end.strftime("%H:%M")

        def render(console: Console) -> None:
            table = Table(title="Updated settings" if changes else "Settings", show_header=False)
            for key, value in data.items():
                table.add_row(key.replace("_", " "), str(value))
            console.print(table)

        self.emit(options, data, render)
