from typing import Any

from django.core.management.base import CommandParser

from ringback.accounts.commands import AccountCommand
from ringback.accounts.services import vacation_add
from ringback.interface.commands import parse_day


class Command(AccountCommand):
    help = "Pause everything between two dates (a vacation): due steps move past it."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--from", dest="first", required=True, help="first day away, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, help="last day away, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        first = parse_day(options["first"], what="--from")
        last = parse_day(options["last"], what="--to")
        added = vacation_add(account=account, first_day=first, last_day=last)
        data = {"vacation_id": added.vacation.pk, "from": first.isoformat(), "to": last.isoformat()}
        self.emit(
            options,
            data,
            lambda c: c.print(
                f"Paused from {first:%a %d %b} to {last:%a %d %b %Y}; steps due then move after it."
            ),
        )
