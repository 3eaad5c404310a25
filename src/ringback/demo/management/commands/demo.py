from dataclasses import asdict
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.passwords import DEMO_USERNAME
from ringback.demo.builder import DEMO_URL, MIN_CONTACTS, PAST_SHARE, DemoResult, demo_load, demo_remove
from ringback.interface.commands import RingbackCommand

_AGENDA_LABELS = (
    ("appointment", "phone appointments"),
    ("callback", "call back now"),
    ("call", "calls"),
    ("mail", "mail pieces"),
    ("email", "emails"),
    ("sms", "texts"),
    ("task", "tasks"),
    ("birthday", "birthdays"),
)


class Command(RingbackCommand):
    help = (
        "Create the demo account with realistic contacts and history. The demo login is user demo, "
        "password ringback-demo; its history is dated from now. When it exists, report on it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo account and everything in it, then rebuild it",
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="delete the demo account and everything in it (before serving beyond this computer)",
        )
        parser.add_argument(
            "--contacts",
            type=int,
            default=200,
            help=f"how many contacts to create (default 200, at least {MIN_CONTACTS})",
        )
        parser.add_argument(
            "--past",
            type=int,
            default=None,
            help="how many more contacts of a past season, whose chases are over, so that Insights "
            f"has results to show (default {PAST_SHARE:g} per contact; 0 for none)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a summary")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["remove"]:
            removed = demo_remove()
            self.emit(
                options,
                {"removed": removed, "username": DEMO_USERNAME},
                lambda console: console.print(
                    f"Removed the demo account (user {DEMO_USERNAME}) and everything in it."
                    if removed
                    else "There is no demo account: nothing was removed."
                ),
            )
            return
        result = demo_load(contacts=options["contacts"], past=options["past"], reset=options["reset"])
        data = {**asdict(result), "url": DEMO_URL}
        self.emit(options, data, lambda console: _render(console, result))


def _render(console: Console, result: DemoResult) -> None:
    if result.created:
        console.print(
            f"Created the demo account of {result.seller_name} ({result.business_name}, "
            f"{result.time_zone}) in {result.seconds:.1f} s."
        )
    else:
        console.print(
            f"The demo account of {result.seller_name} already exists; nothing was changed "
            "(rebuild it with --reset)."
        )
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("contacts", str(result.contacts))
    table.add_row("enrollments", ", ".join(f"{n} {status}" for status, n in result.enrollments.items()))
    table.add_row("touches logged", str(result.touches))
    table.add_row("appointments", str(result.appointments))
    day = f"{result.agenda_day:%A %d %B}"
    parts = [f"{result.agenda[kind]} {label}" for kind, label in _AGENDA_LABELS if result.agenda.get(kind)]
    table.add_row(f"agenda {day}", ", ".join(parts) or "nothing due")
    if result.agenda.get("call"):
        held = f"; {result.held_calls} more held for the next working days" if result.held_calls else ""
        table.add_row("", f"calls: {result.follow_up_calls} follow-ups, {result.new_calls} new{held}")
    if result.stories:
        table.add_row("stories", ", ".join(f"{n} {kind}" for kind, n in result.stories.items()))
    console.print(table)
    console.print(f"Open {DEMO_URL} and sign in as {result.username} / {result.password}")
    console.print(f"Or on the command line: ringback agenda --user {result.username}")
