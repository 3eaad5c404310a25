from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.activities.models import Appointment
from ringback.activities.selectors import appointment_get, appointment_phone, appointments_upcoming
from ringback.activities.services import appointment_book, appointment_cancel, appointment_move
from ringback.contacts.selectors import contact_find, contact_zone
from ringback.core.errors import InvalidInput, OutsideCallingHours
from ringback.core.phones import display_phone
from ringback.core.scheduling import zone
from ringback.interface.commands import iso_utc, parse_when

#: At most this many appointments are listed.
LIST_LIMIT = 500

FORMS = "use one of: CONTACT, --list, --cancel ID, --move ID"


class Command(AccountCommand):
    help = "Book a phone appointment (it ends the chase); --list, --cancel ID or --move ID --at TIME."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("contact", nargs="?", help="id, email, phone or a unique part of the name")
        parser.add_argument(
            "--at", help="when (to book or move): 2026-11-24T15:30 (your time zone) or with an offset"
        )
        parser.add_argument("--note", default="", help="what the call is about (with --cancel: why)")
        parser.add_argument("--minutes", type=int, default=15, help="length of the call (default 15)")
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="book or move even outside the contact's calling hours (their time)",
        )
        parser.add_argument("--list", action="store_true", help="the scheduled appointments from now on")
        parser.add_argument("--cancel", type=int, metavar="ID", help="cancel the appointment ID")
        parser.add_argument("--move", type=int, metavar="ID", help="move the appointment ID to --at")

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = [
            options["contact"] is not None,
            options["list"],
            options["cancel"] is not None,
            options["move"] is not None,
        ]
        if sum(chosen) > 1:
            raise InvalidInput(FORMS)
        if not any(chosen):
            raise InvalidInput("name a contact to book (with --at), or use --list, --cancel ID or --move ID")
        account = self.account(options)
        if options["list"]:
            self.list(account, options)
        elif options["cancel"] is not None:
            self.cancel(account, options)
        elif options["move"] is not None:
            self.move(account, options)
        else:
            self.book(account, options)

    def book(self, account: Account, options: dict[str, Any]) -> None:
        contact = contact_find(account=account, reference=options["contact"])
        at = self.at(account, options, what="book")
        with _confirm_hint():
            appointment = appointment_book(
                account=account,
                contact=contact,
                starts_at=at,
                note=options["note"],
                duration_minutes=options["minutes"],
                confirm_outside_hours=options["confirm"],
            )
        self.say(account, options, appointment, "Booked a call with {name}: {when}.")

    def move(self, account: Account, options: dict[str, Any]) -> None:
        at = self.at(account, options, what="move")
        appointment = appointment_get(account=account, pk=options["move"])
        with _confirm_hint():
            moved = appointment_move(
                account=account,
                appointment=appointment,
                starts_at=at,
                confirm_outside_hours=options["confirm"],
            )
        self.say(account, options, moved, "Moved the call with {name} to {when}.")

    def cancel(self, account: Account, options: dict[str, Any]) -> None:
        appointment = appointment_get(account=account, pk=options["cancel"])
        cancelled = appointment_cancel(account=account, appointment=appointment, note=options["note"])
        self.say(account, options, cancelled, "Cancelled the call with {name} on {when}.")

    def at(self, account: Account, options: dict[str, Any], *, what: str) -> Any:
        if not options["at"]:
            raise InvalidInput(f"--at is required to {what} an appointment", field="at")
        return parse_when(options["at"], time_zone=account.time_zone, what="--at")

    def say(self, account: Account, options: dict[str, Any], appointment: Appointment, text: str) -> None:
        contact = appointment.contact
        theirs = appointment.starts_at.astimezone(contact_zone(contact=contact, account=account))
        mine = appointment.starts_at.astimezone(zone(account.time_zone))
        data = {
            "appointment_id": appointment.pk,
            "contact_id": contact.pk,
            "contact_name": contact.name,
            "at": iso_utc(appointment.starts_at),
            "minutes": appointment.duration_minutes,
            "status": appointment.status,
        }
        when = f"{mine:%a %d %b %H:%M %Z} your time ({theirs:%H:%M %Z} theirs)"

        def render(console: Console) -> None:
            console.print(text.format(name=contact.name, when=when))

        self.emit(options, data, render)

    def list(self, account: Account, options: dict[str, Any]) -> None:
        mine = zone(account.time_zone)
        rows: list[dict[str, Any]] = []
        for appointment in (
            appointments_upcoming(account=account)
            .prefetch_related("contact__phones")
            .order_by("starts_at", "id")[:LIST_LIMIT]
        ):
            contact = appointment.contact
            theirs = appointment.starts_at.astimezone(contact_zone(contact=contact, account=account))
            rows.append(
                {
                    "appointment_id": appointment.pk,
                    "contact_id": contact.pk,
                    "contact_name": contact.name,
                    "at": iso_utc(appointment.starts_at),
                    "your_time": f"{appointment.starts_at.astimezone(mine):%a %d %b %H:%M %Z}",
                    "their_time": f"{theirs:%a %d %b %H:%M %Z}",
                    "minutes": appointment.duration_minutes,
                    "note": appointment.note,
                    "phone": appointment_phone(account=account, appointment=appointment),
                }
            )

        def render(console: Console) -> None:
            if not rows:
                console.print(
                    "No appointments coming up. Book one with: ringback appointment CONTACT --at TIME"
                )
                return
            table = Table("id", "your time", "their time", "who", "number", "min", "note")
            for row in rows:
                phone = row["phone"]
                table.add_row(
                    str(row["appointment_id"]),
                    str(row["your_time"]),
                    str(row["their_time"]),
                    str(row["contact_name"]),
                    display_phone(phone) if phone else "none",
                    str(row["minutes"]),
                    str(row["note"]),
                )
            console.print(table)

        self.emit(options, rows, render)


@contextmanager
def _confirm_hint() -> Iterator[None]:
    """Say how to confirm in an :class:`OutsideCallingHours` raised inside (the web shows a box)."""
    try:
        yield
    except OutsideCallingHours as exc:
        raise OutsideCallingHours(f"{exc.message} (--confirm)", field=exc.field) from None
