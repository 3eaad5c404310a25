from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.commands import AccountCommand
from ringback.activities.services import appointment_book
from ringback.contacts.selectors import contact_find, contact_zone
from ringback.core.scheduling import zone
from ringback.interface.commands import iso_utc, parse_when


class Command(AccountCommand):
    help = "Book a phone appointment with a contact; it ends the chase and goes on the agenda."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("contact", help="id, email, phone or a unique part of the name")
        parser.add_argument(
            "--at", required=True, help="when: 2026-11-24T15:30 (your time zone) or with an offset"
        )
        parser.add_argument("--note", default="", help="what the call is about")
        parser.add_argument("--minutes", type=int, default=15, help="length of the call (default 15)")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        contact = contact_find(account=account, reference=options["contact"])
        at = parse_when(options["at"], time_zone=account.time_zone, what="--at")
        appointment = appointment_book(
            account=account,
            contact=contact,
            starts_at=at,
            note=options["note"],
            duration_minutes=options["minutes"],
        )
        theirs = at.astimezone(contact_zone(contact=contact, account=account))
        mine = at.astimezone(zone(account.time_zone))
        data = {
            "appointment_id": appointment.pk,
            "contact_id": contact.pk,
            "contact_name": contact.name,
            "at": iso_utc(at),
            "minutes": appointment.duration_minutes,
        }

        def render(console: Console) -> None:
            console.print(
                f"Booked a call with {contact.name}: {mine:%a %d %b %H:%M %Z} your time ({theirs:%H:%M %Z} theirs)."
            )

        self.emit(options, data, render)
