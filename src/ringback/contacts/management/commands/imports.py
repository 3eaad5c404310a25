from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.console.base import RingbackCommand, iso_utc
from ringback.contacts.management.reporting import import_run_data, import_run_render
from ringback.contacts.selectors import import_run_get, import_runs
from ringback.core.scheduling import zone


class Command(RingbackCommand):
    help = "List the kept import reports, or show one in full."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("report", nargs="?", type=int, help="the report number to show")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        if options["report"] is not None:
            run = import_run_get(account=account, pk=options["report"])
            self.emit(options, import_run_data(run), lambda console: import_run_render(run, console))
            return
        runs = list(import_runs(account=account)[:50])
        local = zone(account.time_zone)

        def render(console: Console) -> None:
            if not runs:
                console.print("No imports yet. Import a file with: ringback import FILE")
                return
            table = Table("#", "when", "file", "status", "created", "merged", "unchanged", "skipped")
            for run in runs:
                table.add_row(
                    str(run.pk),
                    f"{run.started_at.astimezone(local):%Y-%m-%d %H:%M}",
                    run.file_name,
                    run.get_status_display(),
                    str(run.created),
                    str(run.merged),
                    str(run.unchanged),
                    str(run.skipped),
                )
            console.print(table)

        data = [
            {
                "report": run.pk,
                "at": iso_utc(run.started_at),
                "file": run.file_name,
                "status": run.status,
                "created": run.created,
                "merged": run.merged,
                "unchanged": run.unchanged,
                "skipped": run.skipped,
            }
            for run in runs
        ]
        self.emit(options, data, render)
