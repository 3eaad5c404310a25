from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.activities.presenters import birthday_logged_json, touch_logged_json
from ringback.activities.services import birthday_greeting_log, touch_log, touch_texts_stopped
from ringback.contacts.selectors import contact_find, contact_zone
from ringback.core.playbook import Outcome, parse_outcome
from ringback.interface.commands import parse_when
from ringback.playbooks.selectors import enrollment_running


class Command(AccountCommand):
    help = (
        "Log what happened with a contact (a call, a callback, a card mailed...). Outcomes: "
        + ", ".join(o.value for o in Outcome if o is not Outcome.DONE)
        + "; and birthday (a birthday greeting, whatever playbook runs)."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("contact", help="id, email, phone or a unique part of the name")
        parser.add_argument("outcome", help="what happened (voicemail, no-answer, connected, callback, ...)")
        parser.add_argument("--note", default="", help="what was said")
        parser.add_argument("--at", help="when it happened (default: now)")
        parser.add_argument("--template", help="the script or template used, if not the planned one")
        parser.add_argument("--phone", help="the number used, if not the suggested one")
        parser.add_argument(
            "--via", help="for a callback: how they reached you (call, text, email, mail; default call)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        if options["outcome"].strip().lower() in ("birthday", "greeted"):
            self.greet(account, options)
            return
        outcome = parse_outcome(options["outcome"])
        contact = contact_find(account=account, reference=options["contact"])
        at = parse_when(options["at"], time_zone=account.time_zone, what="--at") if options["at"] else None
        touch = touch_log(
            account=account,
            contact=contact,
            outcome=outcome,
            at=at,
            note=options["note"],
            template=options["template"],
            phone=options["phone"],
            via=options["via"],
        )
        stopped = touch_texts_stopped(touch=touch)
        running = enrollment_running(contact=contact)
        data = touch_logged_json(touch=touch, contact=contact, running=running, texts_stopped=stopped)
        following: dict[str, Any] | None = data["next"]
        local_due = ""
        if following is not None and running is not None and running.due_start is not None:
            local_due = f"{running.due_start.astimezone(contact_zone(contact=contact, account=account)):%a %d %b %H:%M %Z}"

        def render(console: Console) -> None:
            if stopped:
                console.print(
                    f"Logged their text for {contact.name}. It asks to stop: texts to "
                    f"{', '.join(stopped)} are stopped, on every playbook."
                )
            else:
                console.print(
                    f"Logged {touch.outcome} for {contact.name}"
                    + (f" ({touch.step})" if touch.step else "")
                    + "."
                )
            if following:
                console.print(
                    f"Next: {following['channel']} {following['step']} of {following['playbook']}, due {local_due} (their time)."
                )

        self.emit(options, data, render)

    def greet(self, account: Account, options: dict[str, Any]) -> None:
        """``log CONTACT birthday``: a birthday greeting, which completes no playbook step."""
        contact = contact_find(account=account, reference=options["contact"])
        touch = birthday_greeting_log(account=account, contact=contact, note=options["note"])
        data = birthday_logged_json(touch=touch, contact=contact)
        self.emit(
            options, data, lambda console: console.print(f"Logged a birthday greeting for {contact.name}.")
        )
