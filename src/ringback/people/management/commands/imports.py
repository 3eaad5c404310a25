from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.contacts.choices import ImportStatus
from ringback.contacts.selectors import import_run_get, import_runs
from ringback.contacts.uploads import KEEP_SECONDS, uploads_clean
from ringback.core.scheduling import zone
from ringback.interface.commands import iso_utc
from ringback.people.management.reporting import import_run_data, import_run_render


class Command(AccountCommand):
    help = (
        "List the kept import reports, or show one in full. --clean deletes the import page's old "
        "uploads and cleans up after imports cut short by a crash."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("report", nargs="?", type=int, help="the report number to show")
        parser.add_argument(
            "--clean",
            action="store_true",
            help=f"delete files uploaded on the import page more than {KEEP_SECONDS // 3600} hours ago, and "
            "what imports cut short by a crash left (each gets a report saying what was imported), for "
            "every account",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clean"]:
            self.clean(options)
            return
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
                "doubtful": run.doubtful,
                "moved": run.moved,
            }
            for run in runs
        ]
        self.emit(options, data, render)

    def clean(self, options: dict[str, Any]) -> None:
        """Clean up the uploads folder for every account and say what was done."""
        cleaned = uploads_clean(everyone=True)
        data = {
            "deleted": cleaned.deleted,
            "interrupted": [
                {
                    "report": r.pk,
                    "account": r.account_id,
                    "file": r.file_name,
                    "status": r.status,
                    "error": r.error,
                }
                for r in cleaned.interrupted
            ],
        }

        def render(console: Console) -> None:
            if not cleaned.deleted and not cleaned.interrupted:
                console.print(
                    "Nothing to clean up: no uploaded file is older than a day, and no import was cut short."
                )
                return
            files = f"{cleaned.deleted:,} uploaded file{'' if cleaned.deleted == 1 else 's'}"
            console.print(f"Deleted {files if cleaned.deleted else 'no uploaded file'} older than a day.")
            for run in cleaned.interrupted:
                what = f"Import of {run.file_name} (report #{run.pk})"
                if run.status == ImportStatus.DONE:
                    console.print(f"{what} had finished when the server stopped: {run.created:,} created, "
                                  f"{run.merged:,} merged.", markup=False)  # fmt: skip
                elif run.status == ImportStatus.INTERRUPTED:
                    console.print(f"{what} was cut short by a crash: nothing was imported.", markup=False)
                else:
                    console.print(f"{what} failed: {run.error}", markup=False)

        self.emit(options, data, render)
