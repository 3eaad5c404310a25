from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.core.errors import InvalidInput
from ringback.core.messages import offer_days_advice
from ringback.messaging.models import Offer
from ringback.messaging.selectors import offer_get, offer_list
from ringback.messaging.services import offer_add, offer_update


def _shown(offer: Offer) -> dict[str, Any]:
    return {
        "name": offer.name,
        "title": offer.title,
        "details": offer.details,
        "valid_days": offer.valid_days,
    }


def _print_offers(console: Console, rows: list[dict[str, Any]]) -> None:
    table = Table(title="Offers")
    for column in ("name", "title", "days", "details"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["name"], row["title"], str(row["valid_days"]), row["details"])
    console.print(table)


class Command(AccountCommand):
    help = "Offers a card announces: list, show NAME, add NAME --title T --days 14, edit NAME."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="list", choices=["list", "show", "add", "edit"])
        parser.add_argument("target", nargs="?", help="the offer's name")
        parser.add_argument("--title", help="what the card calls it")
        parser.add_argument("--details", help="what it is, e.g. 'a free sampler with any order'")
        parser.add_argument(
            "--days", type=int, help="days it runs after the card is mailed (1-90; 14 or fewer)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        action, name = options["action"], options["target"]
        if action == "list":
            self._list(account, options)
            return
        if not name:
            raise InvalidInput(f"offers {action} needs the offer's name")
        if action == "add":
            if not options["title"]:
                raise InvalidInput("offers add needs a title: --title 'Holiday sampler'", field="title")
            offer = offer_add(
                account=account,
                name=name,
                title=options["title"],
                details=options["details"] or "",
                valid_days=options["days"] if options["days"] is not None else 14,
            )
        elif action == "edit":
            offer = offer_update(
                account=account,
                name=name,
                title=options["title"],
                details=options["details"],
                valid_days=options["days"],
            )
        else:
            offer = offer_get(account=account, name=name)
        self._show(offer, action, options)

    def _list(self, account: Account, options: dict[str, Any]) -> None:
        rows = [_shown(offer) for offer in offer_list(account=account)]
        self.emit(options, rows, lambda console: _print_offers(console, rows))

    def _show(self, offer: Offer, action: str, options: dict[str, Any]) -> None:
        data = _shown(offer)
        advice = offer_days_advice(offer.valid_days)

        def shown(console: Console) -> None:
            if action != "show":
                console.print(f"Saved {offer.name}.")
            console.print(
                f"{offer.title} ({offer.name}): good for {offer.valid_days} days after the card is mailed"
            )
            if offer.details:
                console.print(f"  {offer.details}")
            if advice:
                console.print(f"advice: {advice}")

        self.emit(options, {**data, "advice": advice}, shown)
