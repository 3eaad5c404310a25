from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.activities.presenters import agenda_json, held_text, window_text
from ringback.activities.selectors import agenda_for_day
from ringback.core import clock
from ringback.core.scheduling import zone
from ringback.interface.commands import parse_day
from ringback.playbooks.services import enrollments_replan_overdue_once_a_day


class Command(AccountCommand):
    help = "What to do today (or on --date), in order, with the reason for each line."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--date", help="the day to show, YYYY-MM-DD (default: today in your time zone)")
        parser.add_argument("--scripts", action="store_true", help="print the script to read under each call")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        day = parse_day(options["date"], what="--date") if options["date"] else None
        now = clock.now()
        enrollments_replan_overdue_once_a_day(account=account, now=now)
        agenda = agenda_for_day(account=account, day=day, now=now)
        data = agenda_json(agenda, day=day or now.astimezone(zone(account.time_zone)).date())

        def render(console: Console) -> None:
            if not agenda.items:
                console.print(
                    held_text(agenda)
                    or "Nothing due. Start new prospects: ringback enroll call-mail-call --tag new"
                )
                return
            table = Table(
                title=f"Agenda — {len(agenda.items)} items",
                show_lines=options["scripts"],
                expand=True,
            )
            for column in ("#", "what", "who", "when (their time)", "number", "why"):
                table.add_column(column, overflow="fold")
            for n, item in enumerate(agenda.items, 1):
                what = item.kind.value + (f"\n{item.playbook}/{item.step}" if item.playbook else "")
                why = item.reason + (f"\n“{item.script}”" if item.script and options["scripts"] else "")
                if item.script_error:
                    why += f"\n{item.script_error}"
                if item.message:
                    why += f"\nTheir message: “{item.message}”"
                if item.notes and options["scripts"]:
                    why += f"\nYour notes: {item.notes}"
                table.add_row(
                    str(n),
                    what,
                    item.contact_name,
                    window_text(item),
                    item.phone or "",
                    why,
                )
            console.print(table)
            budget = agenda.budget
            console.print(
                f"About {agenda.minutes_planned:g} minutes of {budget.minutes_left:g} left today"
                f" ({budget.calls_left} of {budget.calls} calls left)."
            )
            if agenda.held:
                console.print(held_text(agenda))

        self.emit(options, data, render)
