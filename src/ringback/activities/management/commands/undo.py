from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.commands import AccountCommand
from ringback.activities.services import touch_undo
from ringback.contacts.selectors import contact_find
from ringback.interface.commands import iso_utc
from ringback.playbooks.selectors import enrollment_running, enrollment_step_text


class Command(AccountCommand):
    help = (
        "Undo the last outcome logged for a contact, within 10 minutes. The touch stays in the log, "
        "marked undone, and the playbook goes back exactly where it was."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("contact", help="id, email, phone or a unique part of the name")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        contact = contact_find(account=account, reference=options["contact"])
        touch = touch_undo(account=account, contact=contact)
        running = enrollment_running(contact=contact)
        data = {
            "touch_id": touch.pk,
            "contact_id": contact.pk,
            "contact_name": contact.name,
            "outcome": touch.outcome,
            "at": iso_utc(touch.at),
            "undone": True,
            "playbook": running.version.playbook.name if running else None,
            "step": enrollment_step_text(enrollment=running) if running else None,
        }

        def render(console: Console) -> None:
            console.print(f"Undone: {touch.outcome} for {contact.name}, logged {touch.at:%H:%M} UTC.")
            if running is not None:
                console.print(f"Back on {running.version.playbook.name}, {data['step']}.")

        self.emit(options, data, render)
