from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.console.base import RingbackCommand
from ringback.contacts.services import contacts_import_csv


class Command(RingbackCommand):
    help = "Import contacts from a CSV with name (or first/last name), phone, email and tags columns."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        report = contacts_import_csv(account=account, path=Path(options["file"]), dry_run=options["dry_run"])
        data = {
            "file": report.file,
            "dry_run": report.dry_run,
            "created": len(report.created),
            "skipped": [{"row": r, "reason": why} for r, why in report.skipped],
        }

        def render(console: Console) -> None:
            verb = "Would create" if report.dry_run else "Created"
            console.print(
                f"{report.file}: {verb} {len(report.created)} contacts, skipped {len(report.skipped)}."
            )
            for row, why in report.skipped:
                console.print(f"  row {row}: {why}")

        self.emit(options, data, render)
