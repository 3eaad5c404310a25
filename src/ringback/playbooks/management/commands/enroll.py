from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.commands import AccountCommand
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_find, contacts_matching
from ringback.core.errors import InvalidInput
from ringback.interface.commands import iso_utc
from ringback.playbooks.selectors import playbook_get
from ringback.playbooks.services import enrollment_start, enrollments_start_many


class Command(AccountCommand):
    help = "Enroll contacts in a playbook, or each in the one their warmth suggests (one at a time each)."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "playbook",
            nargs="?",
            help="playbook name, e.g. call-mail-call; left out: by warmth (stranger: stranger-series, "
            "met-once: call-mail-call, acquainted: four-calls-two-weeks, customer: customer-care)",
        )
        parser.add_argument(
            "--contact",
            action="append",
            default=[],
            help="id, email, phone or part of the name (repeatable)",
        )
        parser.add_argument("--tag", help="every contact with this tag")
        parser.add_argument(
            "--replace", action="store_true", help="stop a running playbook and start this one"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="start anyway: despite an appointment coming, or a first step that can't reach them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        if bool(options["contact"]) == bool(options["tag"]):
            raise InvalidInput("name contacts with --contact REF (repeatable) or --tag TAG")
        if options["playbook"]:
            playbook_get(account=account, name=options["playbook"])
        contacts: list[Contact]
        if options["contact"]:
            contacts = list(
                dict.fromkeys(contact_find(account=account, reference=r) for r in options["contact"])
            )
        else:
            contacts = list(contacts_matching(account=account, tag=options["tag"]).order_by("pk"))
            if not contacts:
                raise InvalidInput(f"no contact has the tag {options['tag']!r}")
        if len(contacts) == 1:
            made = [
                enrollment_start(
                    account=account,
                    contact=contacts[0],
                    playbook=options["playbook"],
                    replace=options["replace"],
                    force=options["force"],
                )
            ]
            skipped: list[tuple[Contact, str]] = []
        else:
            made, skipped = enrollments_start_many(
                account=account,
                contacts=contacts,
                playbook=options["playbook"],
                replace=options["replace"],
                force=options["force"],
            )
        data = {
            "enrolled": [
                {
                    "enrollment_id": e.pk,
                    "contact_id": e.contact_id,
                    "contact_name": e.contact.name,
                    "playbook": e.version.playbook.name,
                    "status": e.status,
                    "due": iso_utc(e.due_start) if e.due_start else None,
                }
                for e in made
            ],
            "skipped": [{"contact_id": c.pk, "contact_name": c.name, "reason": why} for c, why in skipped],
        }

        def render(console: Console) -> None:
            if options["playbook"]:
                console.print(
                    f"Enrolled {len(made)} contact{'s' if len(made) != 1 else ''} in {options['playbook']}."
                )
            else:
                console.print(f"Enrolled {len(made)} contact{'s' if len(made) != 1 else ''} by warmth:")
                for e in made:
                    console.print(f"  {e.contact.name} ({e.contact.warmth}) in {e.version.playbook.name}")
            for contact, why in skipped:
                console.print(f"  skipped {contact.name}: {why}")

        self.emit(options, data, render)
        if not made:
            raise InvalidInput("nobody was enrolled")
