import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from ringback.accounts.commands import AccountCommand
from ringback.contacts.importing import contacts_import
from ringback.core.interchange import FileFormat
from ringback.core.interchange.csvcolumns import parse_mapping
from ringback.people.management.reporting import import_run_data, import_run_render

#: Files larger than this (a few thousand rows) get a progress bar on a terminal.
PROGRESS_BYTES = 512 * 1024
#: Files larger than this are read and their rows prepared in a second process (if there is a spare
#: core): starting it costs about half a second.
WORKER_BYTES = 2 * 1024 * 1024


class Command(AccountCommand):
    help = (
        "Import contacts from a CSV or vCard file. Google Contacts CSV (current or legacy), Outlook "
        "CSV, vCard 3.0/4.0 and any other CSV are read. A row is merged into a contact with the same email or "
        "mobile number, or the same name; one that shares only a work or home number with someone else is "
        "reported, not merged."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="the contact file")
        parser.add_argument(
            "--format",
            choices=[f.value for f in FileFormat],
            help="the file's format (default: detected from its content)",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="read a CSV column as a field, e.g. --map 'Cell=phone:mobile' (repeatable)",
        )
        parser.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        path = Path(options["file"])
        mapping = parse_mapping(options["map"])
        file_format = FileFormat(options["format"]) if options["format"] else None
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        show = size > PROGRESS_BYTES and sys.stderr.isatty() and not options["json"]
        options_for_import: dict[str, Any] = {
            "account": account,
            "path": path,
            "file_format": file_format,
            "mapping": mapping,
            "dry_run": options["dry_run"],
            "workers": 1 if size > WORKER_BYTES and (os.cpu_count() or 1) > 1 else 0,
        }
        try:
            if show:
                with Progress(
                    TextColumn(f"Importing {path.name}"),
                    BarColumn(),
                    DownloadColumn(),
                    TimeRemainingColumn(),
                    console=Console(stderr=True),
                    transient=True,
                ) as bar:
                    task = bar.add_task("import", total=size)
                    run = contacts_import(
                        **options_for_import,
                        progress=lambda done, total, _rows: bar.update(task, completed=done, total=total),
                    )
            else:
                run = contacts_import(**options_for_import)
        except KeyboardInterrupt:
            self.stderr.write("interrupted: nothing was imported")
            sys.exit(130)

        def render(console: Console) -> None:
            import_run_render(run, console)

        self.emit(options, import_run_data(run), render)
